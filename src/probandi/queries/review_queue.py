"""Read side: the review queue, ordered by deadline then risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.mapping import task_to_domain
from probandi.adapters.db.rows import ReviewTaskRow
from probandi.domain.actors import Actor, Role
from probandi.domain.review import ReviewTask, TaskKind, TaskState
from probandi.services.access import require_role


@dataclass(frozen=True)
class QueueFilter:
    state: TaskState | None = None  # None: open and claimed
    overdue: bool | None = None
    listing_id: str | None = None
    limit: int = 100
    kind: TaskKind | None = None
    min_risk: int | None = None


def review_queue(session: Session, actor: Actor, f: QueueFilter, now: datetime) -> list[ReviewTask]:
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    stmt = select(ReviewTaskRow)
    if f.state is None:
        stmt = stmt.where(ReviewTaskRow.state.in_([TaskState.OPEN.value, TaskState.CLAIMED.value]))
    else:
        stmt = stmt.where(ReviewTaskRow.state == f.state.value)
    if f.listing_id:
        stmt = stmt.where(ReviewTaskRow.listing_id == f.listing_id)
    if f.kind is not None:
        stmt = stmt.where(ReviewTaskRow.kind == f.kind.value)
    if f.min_risk is not None:
        stmt = stmt.where(ReviewTaskRow.risk >= f.min_risk)
    if f.overdue is True:
        stmt = stmt.where(ReviewTaskRow.due_at < now)
    elif f.overdue is False:
        stmt = stmt.where(ReviewTaskRow.due_at >= now)
    stmt = stmt.order_by(ReviewTaskRow.due_at, ReviewTaskRow.risk.desc(), ReviewTaskRow.id)
    rows = session.execute(stmt.limit(max(1, min(f.limit, 500)))).scalars()
    return [task_to_domain(r) for r in rows]
