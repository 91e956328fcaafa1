"""Read side: the audit log, streamed lane by lane for verification, newest first for display."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditHeadRow, AuditRow
from probandi.adapters.db.uow import AUDIT_LANES
from probandi.domain.audit import GENESIS, AuditEntry, ChainBreak, SealedEntry, verify_chain
from probandi.domain.checkpoints import Checkpoint, LaneNow

CHUNK = 2_000


def _sealed(r: Any) -> SealedEntry:
    entry = AuditEntry(r.at, r.actor, r.tag, r.subject, json.loads(r.data))
    return SealedEntry(r.seq, entry, r.prev_hash, r.hash, r.lane, r.lane_seq)


def lane_entries(session: Session, lane: int) -> Iterator[SealedEntry]:
    """One lane's entries in chain order, fetched in chunks."""
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditRow)
                .where(AuditRow.lane == lane, AuditRow.lane_seq > last)
                .order_by(AuditRow.lane_seq)
                .limit(CHUNK)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from (_sealed(r) for r in rows)
        last = rows[-1].lane_seq


@dataclass(frozen=True)
class VerifyReport:
    verified: int
    broken: ChainBreak | None


def _verify_lane(
    session: Session, head: AuditHeadRow, on_entry: Callable[[SealedEntry], None] | None
) -> tuple[int, ChainBreak | None]:
    last: list[SealedEntry] = []

    def watched() -> Iterator[SealedEntry]:
        for sealed in lane_entries(session, head.id):
            if on_entry:
                on_entry(sealed)
            last[:] = [sealed]
            yield sealed

    count, broken = verify_chain(watched())
    if broken is not None:
        return count, broken
    end_place, end_hash = (last[0].place, last[0].hash) if last else (0, GENESIS)
    if (head.seq, head.hash) != (end_place, end_hash):
        end_seq = last[0].seq if last else 0
        reason = (
            f"lane {head.id} ends at its entry {end_place} but its head says "
            f"{head.seq}: entries removed"
        )
        return count, ChainBreak(end_seq, reason)
    return count, None


def verify_audit(
    session: Session, on_entry: Callable[[SealedEntry], None] | None = None
) -> VerifyReport:
    """Recompute every lane's chain and compare its end with its head; name the first break."""
    heads = {h.id: h for h in session.execute(select(AuditHeadRow)).scalars()}
    used = set(session.execute(select(AuditRow.lane).distinct()).scalars())
    strays = sorted(used - set(range(AUDIT_LANES)))
    if strays:
        return VerifyReport(0, ChainBreak(0, f"entries in unknown lane(s) {strays}"))
    total = 0
    for lane in range(AUDIT_LANES):
        head = heads.get(lane)
        if head is None:  # deleting a head row must not hide its lane
            return VerifyReport(total, ChainBreak(0, f"the head of lane {lane} is missing"))
        count, broken = _verify_lane(session, head, on_entry)
        total += count
        if broken is not None:
            return VerifyReport(total, broken)
    return VerifyReport(total, None)


def lanes_now(session: Session, checkpoint: Checkpoint) -> dict[int, LaneNow]:
    """For each checkpointed lane: its head today and the hash of the checkpointed entry."""
    heads = dict(session.execute(select(AuditHeadRow.id, AuditHeadRow.seq)).tuples().all())
    now: dict[int, LaneNow] = {}
    for head in checkpoint.heads:
        found = session.execute(
            select(AuditRow.hash).where(AuditRow.lane == head.lane, AuditRow.lane_seq == head.seq)
        ).scalar_one_or_none()
        now[head.lane] = LaneNow(heads.get(head.lane), found)
    return now


def recent_entries(session: Session, subject: str | None, limit: int) -> list[SealedEntry]:
    stmt = select(AuditRow).order_by(AuditRow.seq.desc()).limit(max(1, min(limit, 500)))
    if subject:
        stmt = stmt.where(AuditRow.subject == subject)
    return [_sealed(r) for r in session.execute(stmt).scalars()]
