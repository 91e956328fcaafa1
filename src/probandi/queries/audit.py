"""Read side: the audit log, streamed in chain order for verification and display."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditRow
from probandi.domain.audit import AuditEntry, ChainBreak, SealedEntry, verify_chain

CHUNK = 2_000


def sealed_entries(session: Session, after: int = 0) -> Iterator[SealedEntry]:
    last = after
    while True:
        rows = (
            session.execute(
                select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(CHUNK)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for r in rows:
            entry = AuditEntry(r.at, r.actor, r.tag, r.subject, json.loads(r.data))
            yield SealedEntry(r.seq, entry, r.prev_hash, r.hash)
        last = rows[-1].seq


@dataclass(frozen=True)
class VerifyReport:
    verified: int
    broken: ChainBreak | None


def verify_audit(session: Session) -> VerifyReport:
    """Recompute the whole chain; name the first entry that does not hold."""
    count, broken = verify_chain(sealed_entries(session))
    return VerifyReport(count, broken)


def recent_entries(session: Session, subject: str | None, limit: int) -> list[SealedEntry]:
    stmt = select(AuditRow).order_by(AuditRow.seq.desc()).limit(max(1, min(limit, 500)))
    if subject:
        stmt = stmt.where(AuditRow.subject == subject)
    return [
        SealedEntry(
            r.seq,
            AuditEntry(r.at, r.actor, r.tag, r.subject, json.loads(r.data)),
            r.prev_hash,
            r.hash,
        )
        for r in session.execute(stmt).scalars()
    ]
