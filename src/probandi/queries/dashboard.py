"""Read side: the admin dashboard's figures, as plain counts (the console draws them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import NoticeItemRow, NoticeRow, ReviewTaskRow
from probandi.domain.actors import Actor, Role
from probandi.domain.locales import N_
from probandi.domain.review import TaskState
from probandi.services.access import require_role

DAYS = 14
MAX_ROWS = 50_000
DECISION_BUCKETS = (("< 1 h", 1), ("1-8 h", 8), ("8-24 h", 24), ("1-3 d", 72), ("> 3 d", None))
AGE_BUCKETS = (("< 1 d", 1), ("1-3 d", 3), ("3-5 d", 5), ("> 5 d", None))


@dataclass(frozen=True)
class Series:
    title: str
    unit: str
    points: tuple[tuple[str, int], ...]


def _bucket(value: float, buckets: tuple[tuple[str, int | None], ...]) -> str:
    return next(label for label, top in buckets if top is None or value < top)


def dashboard(session: Session, actor: Actor, now: datetime) -> list[Series]:
    require_role(actor, Role.ADMIN)
    since = now - timedelta(days=DAYS - 1)
    days = [(since + timedelta(days=i)).date() for i in range(DAYS)]
    received = Counter(
        at.date()
        for at in session.execute(
            select(NoticeRow.created_at).where(NoticeRow.created_at >= since).limit(MAX_ROWS)
        ).scalars()
    )
    decided = session.execute(
        select(ReviewTaskRow.created_at, ReviewTaskRow.decided_at)
        .where(ReviewTaskRow.decided_at >= now - timedelta(days=90))
        .limit(MAX_ROWS)
    ).all()
    hours = Counter(
        _bucket((d - c).total_seconds() / 3600, DECISION_BUCKETS) for c, d in decided if d
    )
    states = Counter(
        session.execute(
            select(NoticeItemRow.state)
            .where(NoticeItemRow.created_at >= now - timedelta(days=90))
            .limit(MAX_ROWS)
        ).scalars()
    )
    open_tasks = session.execute(
        select(ReviewTaskRow.created_at)
        .where(ReviewTaskRow.state.in_([TaskState.OPEN.value, TaskState.CLAIMED.value]))
        .limit(MAX_ROWS)
    ).scalars()
    ages = Counter(_bucket((now - c).total_seconds() / 86400, AGE_BUCKETS) for c in open_tasks)
    return [
        Series(
            N_("Notices received per day"),
            N_("notices"),
            tuple((f"{d:%m-%d}", received[d]) for d in days),
        ),
        Series(
            N_("Time from review task to decision (90 days)"),
            N_("tasks"),
            tuple((label, hours[label]) for label, _ in DECISION_BUCKETS),
        ),
        Series(
            N_("Notice outcomes per listing (90 days)"),
            N_("listings"),
            tuple(sorted(states.items())),
        ),
        Series(
            N_("Age of the open review queue"),
            N_("tasks"),
            tuple((b, ages[b]) for b, _ in AGE_BUCKETS),
        ),
    ]
