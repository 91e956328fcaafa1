"""Use case: statements of reasons as DSA Transparency Database records, for a period
(`probandi dsa export`, a manual upload's JSON lines)."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidInput
from probandi.domain.jobs import backoff
from probandi.domain.transparency import BATCH_SIZE, SubmissionState
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import TransparencyDatabase

PAGE = 1000
MAX_PERIOD = timedelta(days=366)
RETRY_BASE, RETRY_CAP = timedelta(seconds=30), timedelta(hours=6)
log = logging.getLogger("probandi.transparency")


def check_period(since: datetime, until: datetime, *, max_days: int = MAX_PERIOD.days) -> None:
    """A period is [since, until): zoned, not reversed or empty, at most `max_days` long."""
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("give the period with a time zone", field="since")
    if until <= since:
        raise InvalidInput("the period ends before it begins", field="until")
    if until - since > timedelta(days=max_days):
        raise InvalidInput(
            "a period is at most %(max_days)s days", field="until", params={"max_days": max_days}
        )


def export_records(
    since: datetime, until: datetime, actor: Actor, *, svc: Services
) -> Iterator[dict[str, object]]:
    """Every restriction's record issued in [since, until), oldest first, read a page at a
    time; statements that restrict nothing have none."""
    require_role(actor, Role.ADMIN)
    check_period(since, until)
    after: tuple[datetime, str] | None = None
    while True:
        with svc.reader() as uow:
            page = uow.transparency.statements_between(since, until, after=after, limit=PAGE)
        for facts in page:
            record = facts.record()
            if record is not None:
                yield record
        if len(page) < PAGE:
            return
        last = page[-1].statement
        after = (last.created_at, last.id)


# --- submission ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmitReport:
    accepted: int = 0
    refused: int = 0
    skipped: int = 0
    waiting: str | None = None  # the database gave no verdict: why, and the records wait


def submit_pending(
    database: TransparencyDatabase, *, svc: Services, rounds: int = 50, batch: int = BATCH_SIZE
) -> SubmitReport:
    """Send what is unsent or due again, a batch at a time, until nothing is left, the
    database gives no verdict, or `rounds` batches went. Idempotent by puid: a record sent
    twice (a worker killed after the call) is found stored and counted accepted once."""
    accepted = refused = skipped = 0
    for _ in range(rounds):
        with svc.uow() as uow:
            now = svc.clock.now()
            due = uow.transparency.unsent(now, max(1, min(batch, BATCH_SIZE)))
            if not due:
                break
            uow.transparency.open_submissions([f.statement.id for f in due], now)
            records: list[dict[str, object]] = []
            none: list[str] = []
            for facts in due:
                built = facts.record()
                if built is None:
                    none.append(facts.statement.id)
                else:
                    records.append(built)
            uow.transparency.settle(SubmissionState.SKIPPED, none, now)
            uow.commit()
        skipped += len(none)
        if not records:
            continue
        outcome = database.submit(records)  # outside any transaction
        with svc.uow() as uow:
            now = svc.clock.now()
            sent = [str(r["puid"]) for r in records]
            if outcome.transient is not None:
                tries = uow.transparency.attempts_of(sent) + 1
                wait = backoff(tries, base=RETRY_BASE, cap=RETRY_CAP, jitter=random.random() * 0.3)
                uow.transparency.retry_later(sent, now + wait, outcome.transient)
                uow.commit()
                log.warning(
                    "transparency database: %s; %d record(s) wait", outcome.transient, len(sent)
                )
                return SubmitReport(accepted, refused, skipped, outcome.transient)
            uow.transparency.settle(
                SubmissionState.ACCEPTED, outcome.accepted | outcome.existing, now
            )
            uow.transparency.settle(
                SubmissionState.REFUSED, list(outcome.refused), now, outcome.refused
            )
            uow.commit()
        accepted += len(outcome.accepted | outcome.existing)
        refused += len(outcome.refused)
        if outcome.refused:
            log.warning("transparency database refused %d record(s)", len(outcome.refused))
    return SubmitReport(accepted, refused, skipped)


def resend_refused(puids: list[str] | None, actor: Actor, *, svc: Services) -> int:
    """Refused records back in the queue, after the cause was fixed; all when `puids` is None."""
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        count = uow.transparency.resend_refused(puids, svc.clock.now())
        record(uow, actor, "dsa:resend", "dsa:submissions", svc.clock.now(), count=count)
        uow.commit()
    return count


def submission_counts(actor: Actor, *, svc: Services) -> dict[str, int]:
    require_role(actor, Role.ADMIN, Role.PLATFORM)
    with svc.reader() as uow:
        return uow.transparency.submission_counts()
