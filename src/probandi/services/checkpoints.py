"""Audit checkpoints: every lane head, signed, kept outside the database and sent out."""

from __future__ import annotations

import json
from dataclasses import dataclass

from probandi.domain.actors import SYSTEM
from probandi.domain.checkpoints import Checkpoint
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import CheckpointArchive, CheckpointSigner

TOPIC = "audit.checkpoint"


@dataclass(frozen=True)
class WrittenCheckpoint:
    checkpoint: Checkpoint
    location: str
    entries: int  # entries covered: the sum of the lane heads


def write_checkpoint(
    *, svc: Services, signer: CheckpointSigner, archive: CheckpointArchive
) -> WrittenCheckpoint:
    """Sign the current lane heads, keep the document in the archive, publish a copy."""
    with svc.uow() as uow:
        now = svc.clock.now()
        checkpoint = Checkpoint(now, tuple(uow.audit_heads.heads()), signer.key_id)
        document = checkpoint.document(signer.sign(checkpoint.signed_text()))
        entries = sum(h.seq for h in checkpoint.heads)
        name = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{entries}.json"
        # The heads read are committed, so the file is true even if this transaction fails;
        # it is written first so that a published copy always has its file.
        content = json.dumps(document, indent=1, sort_keys=True).encode() + b"\n"
        location = archive.keep(name, content)
        uow.publish(TOPIC, document)
        record(
            uow,
            SYSTEM,
            "audit:checkpoint:written",
            "audit:checkpoints",
            now,
            file=name,
            key_id=signer.key_id,
            entries=entries,
        )
        uow.commit()
    return WrittenCheckpoint(checkpoint, location, entries)
