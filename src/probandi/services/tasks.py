"""Opening work for reviewers: one task per listing's proof, counter-notice or appeal."""

from __future__ import annotations

import uuid
from datetime import datetime

from probandi.domain.actors import Actor
from probandi.domain.review import ReviewTask, TaskKind
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork


def open_task(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    live: ReviewTask | None,
    *,
    listing_id: str,
    seller_id: str,
    now: datetime,
    risk: int = 0,
    kind: TaskKind = TaskKind.PROOF,
    subject_id: str | None = None,
    excluded_reviewer: str | None = None,
    task_id: str | None = None,
    **facts: object,
) -> ReviewTask:
    """Reopen the `live` task with new evidence (its claim ends), or open a new one due
    within the review SLA; audited either way."""
    if live is not None:
        task = uow.tasks.save(live.reopen(risk=risk))
        record(
            uow,
            actor,
            "review:task:evidence_added",
            f"task:{task.id}",
            now,
            risk=task.risk,
            version=task.version,
            **facts,
        )
        return task
    due = svc.calendar.add_working_days(now, svc.policy.review_sla_working_days)
    task = ReviewTask(
        task_id or uuid.uuid4().hex,
        listing_id,
        seller_id,
        now,
        due,
        risk=risk,
        kind=kind,
        subject_id=subject_id,
        excluded_reviewer=excluded_reviewer,
    )
    uow.tasks.add(task)
    record(
        uow,
        actor,
        "review:task:opened",
        f"task:{task.id}",
        now,
        kind=kind.value,
        listing_id=listing_id,
        due_at=due.isoformat(),
        risk=risk,
        **facts,
    )
    return task
