"""Read side: the audit log, streamed in chain order for verification and display."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditHeadRow, AuditRow
from probandi.domain.audit import GENESIS, AuditEntry, ChainBreak, SealedEntry, verify_chain

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


def verify_audit(
    session: Session, on_entry: Callable[[SealedEntry], None] | None = None
) -> VerifyReport:
    """Recompute the whole chain and compare its end with the head; name the first break."""
    last: list[SealedEntry] = []

    def watched() -> Iterator[SealedEntry]:
        for sealed in sealed_entries(session):
            if on_entry:
                on_entry(sealed)
            last[:] = [sealed]
            yield sealed

    count, broken = verify_chain(watched())
    if broken is not None:
        return VerifyReport(count, broken)
    head = session.get(AuditHeadRow, 1)
    end_seq, end_hash = (last[0].seq, last[0].hash) if last else (0, GENESIS)
    if head is not None and (head.seq, head.hash) != (end_seq, end_hash):
        reason = f"the log ends at entry {end_seq} but its head says {head.seq}: entries removed"
        return VerifyReport(count, ChainBreak(end_seq + 1, reason))
    return VerifyReport(count, None)


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
