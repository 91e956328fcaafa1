"""Audit checkpoints: every lane's head at one moment, signed with a key the database lacks.

A hash chain proves that no entry was altered, but not that the last entries of a lane
are still there: whoever can delete them can also rewind the lane's head. A checkpoint
kept outside the database pins each head, so a later truncation below it shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from probandi.domain.audit import GENESIS
from probandi.domain.errors import InvalidInput

FORMAT = "probandi.audit-checkpoint/1"


@dataclass(frozen=True)
class LaneHead:
    """A lane's last entry: its 1-based place in the lane and its hash (0, GENESIS if empty)."""

    lane: int
    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """The heads of every lane at `at`, to be signed by the key `key_id`."""

    at: datetime
    heads: tuple[LaneHead, ...]
    key_id: str

    def signed_text(self) -> bytes:
        """The exact bytes the signature covers; stable key order, no whitespace."""
        body = {
            "format": FORMAT,
            "at": self.at.isoformat(),
            "key_id": self.key_id,
            "heads": [[h.lane, h.seq, h.hash] for h in self.heads],
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def document(self, signature: str) -> dict[str, object]:
        """The checkpoint as written to its file and sent to the outbox."""
        return {
            "format": FORMAT,
            "at": self.at.isoformat(),
            "key_id": self.key_id,
            "heads": [[h.lane, h.seq, h.hash] for h in self.heads],
            "signature": signature,
        }


def parse_document(doc: Mapping[str, object]) -> tuple[Checkpoint, str]:
    """The checkpoint and its signature from a document; refuses anything malformed."""
    if doc.get("format") != FORMAT:
        raise InvalidInput(
            "not a checkpoint: format is not %(FORMAT)s", field="format", params={"FORMAT": FORMAT}
        )
    try:
        at = datetime.fromisoformat(str(doc["at"]))
        heads_raw = doc["heads"]
        if not isinstance(heads_raw, list):
            raise TypeError("heads")
        heads = tuple(LaneHead(int(h[0]), int(h[1]), str(h[2])) for h in heads_raw)
        return Checkpoint(at, heads, str(doc["key_id"])), str(doc["signature"])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InvalidInput(
            "malformed checkpoint: %(exc)s", field="checkpoint", params={"exc": exc}
        ) from exc


@dataclass(frozen=True)
class LaneNow:
    """What the database holds today for a checkpointed lane."""

    head_seq: int | None  # None: the lane's head row is gone
    hash_at_checkpoint: str | None  # the hash of the entry at the checkpoint's place, if any


def truncations(checkpoint: Checkpoint, now: Mapping[int, LaneNow]) -> Sequence[str]:
    """Each lane whose checkpointed entry is gone or changed, or whose head moved back."""
    problems: list[str] = []
    for head in checkpoint.heads:
        lane = now.get(head.lane)
        if lane is None or lane.head_seq is None:
            problems.append(f"lane {head.lane}: its head is missing")
            continue
        if head.seq == 0:
            if head.hash != GENESIS:
                problems.append(f"lane {head.lane}: the checkpoint's empty head is malformed")
            continue
        if lane.hash_at_checkpoint is None:
            problems.append(
                f"lane {head.lane}: entry {head.seq} (its head at the checkpoint) is missing: "
                "entries removed since the checkpoint"
            )
        elif lane.hash_at_checkpoint != head.hash:
            problems.append(
                f"lane {head.lane}: entry {head.seq} does not have the checkpointed hash: "
                "entries rewritten since the checkpoint"
            )
        if lane.head_seq < head.seq:
            problems.append(
                f"lane {head.lane}: head rewound from {head.seq} to {lane.head_seq} "
                "since the checkpoint"
            )
    return problems
