"""Read side: the backlogs an operator watches (review queue, SLA breaches, outbox, jobs,
webhook deliveries),
read from the database so every process of a deployment reports the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.jobs import JobRow
from probandi.adapters.db.rows import OutboxRow, ReviewTaskRow, VoucherFingerprintRow
from probandi.adapters.db.transparency import SqlTransparencySource
from probandi.adapters.db.webhooks import WebhookDeliveryRow, WebhookEndpointRow
from probandi.domain.jobs import JobState
from probandi.domain.review import TaskState
from probandi.domain.webhooks import OPEN_STATES, DeliveryState

PENDING_TASKS = (TaskState.OPEN.value, TaskState.CLAIMED.value)


@dataclass(frozen=True)
class Backlogs:
    """What is waiting, and for how long (ages in seconds; 0 when nothing waits)."""

    review_tasks: dict[str, int]  # pending tasks by state (open, claimed)
    oldest_review_task_age: float
    sla_breached_pending: int  # pending tasks past their SLA now
    sla_breaches_flagged: int  # tasks ever flagged (the counter behind the tick's flag)
    outbox_undelivered: int
    oldest_outbox_age: float
    jobs: dict[str, int]  # jobs not done, by state
    fingerprints_stored: int
    webhook_deliveries: dict[str, int]  # webhook deliveries not delivered, by state
    oldest_webhook_age: float  # the oldest open delivery (pending or sending)
    webhook_endpoints_disabled: int
    webhook_endpoints_flagged: int
    dsa_submissions: dict[str, int]  # Transparency Database records: unsent, pending, refused


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def backlogs(session: Session, now: datetime) -> Backlogs:
    """One read of every backlog figure."""
    pending = ReviewTaskRow.state.in_(PENDING_TASKS)
    by_state = dict(
        session.execute(
            select(ReviewTaskRow.state, func.count()).where(pending).group_by(ReviewTaskRow.state)
        ).all()
    )
    oldest_task = session.execute(select(func.min(ReviewTaskRow.created_at)).where(pending))
    overdue = session.execute(
        select(func.count()).where(pending, ReviewTaskRow.due_at < now)
    ).scalar_one()
    flagged = session.execute(
        select(func.count()).where(ReviewTaskRow.sla_breached.is_(True))
    ).scalar_one()
    undelivered = OutboxRow.delivered_at.is_(None)
    outbox_count, outbox_oldest = session.execute(
        select(func.count(), func.min(OutboxRow.created_at)).where(undelivered)
    ).one()
    jobs = dict(
        session.execute(
            select(JobRow.state, func.count())
            .where(JobRow.state != JobState.DONE.value)
            .group_by(JobRow.state)
        ).all()
    )
    fingerprints = session.execute(
        select(func.count()).select_from(VoucherFingerprintRow)
    ).scalar_one()
    deliveries = dict(
        session.execute(
            select(WebhookDeliveryRow.state, func.count())
            .where(WebhookDeliveryRow.state != DeliveryState.DELIVERED.value)
            .group_by(WebhookDeliveryRow.state)
        ).all()
    )
    open_states = [s.value for s in OPEN_STATES]
    oldest_delivery = session.execute(
        select(func.min(WebhookDeliveryRow.created_at)).where(
            WebhookDeliveryRow.state.in_(open_states)
        )
    ).scalar_one()
    disabled, flagged_endpoints = session.execute(
        select(
            func.count().filter(WebhookEndpointRow.enabled.is_(False)),
            func.count().filter(WebhookEndpointRow.flagged_at.is_not(None)),
        ).select_from(WebhookEndpointRow)
    ).one()
    return Backlogs(
        review_tasks={s: int(by_state.get(s, 0)) for s in PENDING_TASKS},
        oldest_review_task_age=_age(now, oldest_task.scalar_one()),
        sla_breached_pending=int(overdue),
        sla_breaches_flagged=int(flagged),
        outbox_undelivered=int(outbox_count),
        oldest_outbox_age=_age(now, outbox_oldest),
        jobs={s.value: int(jobs.get(s.value, 0)) for s in JobState if s is not JobState.DONE},
        fingerprints_stored=int(fingerprints),
        webhook_deliveries={
            s.value: int(deliveries.get(s.value, 0))
            for s in DeliveryState
            if s is not DeliveryState.DELIVERED
        },
        oldest_webhook_age=_age(now, oldest_delivery),
        webhook_endpoints_disabled=int(disabled or 0),
        webhook_endpoints_flagged=int(flagged_endpoints or 0),
        dsa_submissions=_dsa_backlog(session),
    )


def _dsa_backlog(session: Session) -> dict[str, int]:
    """Statements waiting for the Transparency Database: never sent, waiting to be sent
    again, and refused by it (kept until resent)."""
    counts = SqlTransparencySource(session).submission_counts()
    return {k: counts.get(k, 0) for k in ("unsent", "pending", "refused")}
