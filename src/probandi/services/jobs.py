"""Durable jobs: enqueue inside a use case's transaction, claim, run, finish, schedule, retry."""

from __future__ import annotations

import logging
import random
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.actors import Actor
from probandi.domain.errors import Conflict, InvalidInput, NotFound
from probandi.domain.jobs import Job, JobState, Schedule
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork

log = logging.getLogger("probandi.jobs")
JobHandler = Callable[[Job], None]
DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class JobKind:
    """What runs a kind of job, and how long one run may hold its lease."""

    name: str
    handler: JobHandler
    lease: timedelta = DEFAULT_LEASE


class JobRegistry:
    """The one table from job kind to handler; a worker claims only kinds it knows."""

    def __init__(self, kinds: Iterable[JobKind] = ()) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: JobKind) -> None:
        if kind.name in self._kinds:
            raise InvalidInput(
                "job kind %(name)r is registered twice", field="kind", params={"name": kind.name}
            )
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise NotFound("no handler for job kind %(kind)r", kind=name) from None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._kinds)


def enqueue(
    uow: UnitOfWork,
    kind: str,
    payload: Mapping[str, object],
    *,
    now: datetime,
    run_after: datetime | None = None,
    priority: int = 0,
    dedupe_key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job | None:
    """Queue a job in the caller's transaction, so it exists if and only if the effect does.

    Returns None when `dedupe_key` was used before (by a job in any state)."""
    if max_attempts < 1:
        raise InvalidInput("a job has at least one attempt", field="max_attempts")
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        payload=dict(payload),
        created_at=now,
        run_after=run_after or now,
        max_attempts=max_attempts,
        priority=priority,
        dedupe_key=dedupe_key,
    )
    return job if uow.jobs.add(job) else None


def claim_next(registry: JobRegistry, owner: str, *, svc: Services) -> Job | None:
    """Claim the most urgent due job of a known kind under `owner`'s lease, or None."""
    now = svc.clock.now()
    with svc.reader() as peek:  # polling idle workers must not queue for the writer
        if peek.jobs.next_claimable(now, registry.names, lock=False) is None:
            return None
    with svc.uow() as uow:
        now = svc.clock.now()
        while (job := uow.jobs.next_claimable(now, registry.names)) is not None:
            claimed = job.claim(owner, now=now, lease=registry.get(job.kind).lease)
            uow.jobs.save(claimed, was=job)
            if claimed.state is JobState.RUNNING:
                uow.commit()
                return claimed
            log.warning("job %s (%s) is dead: %s", job.id, job.kind, claimed.last_error)
        uow.commit()
    return None


def finish_job(job: Job, error: str | None, *, svc: Services) -> Job:
    """Record a run's outcome: done, or failed with backoff, or dead when out of attempts.

    Raises Conflict when the lease was lost meanwhile (another worker owns the job now)."""
    with svc.uow() as uow:
        now = svc.clock.now()
        current = uow.jobs.get(job.id)
        if current is None or (current.state, current.attempts) != (job.state, job.attempts):
            raise Conflict(
                "job %(id)s was taken over after its lease expired", params={"id": job.id}
            )
        if error is None:
            finished = current.succeed(now=now)
        else:
            finished = current.fail(error, now=now, jitter=random.random() * 0.25)
        uow.jobs.save(finished, was=current)
        uow.commit()
    return finished


def run_next(registry: JobRegistry, owner: str, *, svc: Services) -> Job | None:
    """Claim one job, run its handler outside any transaction, record the outcome."""
    job = claim_next(registry, owner, svc=svc)
    if job is None:
        return None
    error: str | None = None
    try:
        registry.get(job.kind).handler(job)
    except Exception as exc:  # a handler's failure is the job's, never the worker's
        error = "".join(traceback.format_exception_only(exc)).strip()
        log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error)
    try:
        return finish_job(job, error, svc=svc)
    except Conflict:
        log.warning("job %s (%s) lost its lease while running", job.id, job.kind)
        return None


def schedule_due(schedules: Iterable[Schedule], *, svc: Services) -> int:
    """Enqueue each schedule's job for the current period unless some process already did."""
    schedules = list(schedules)
    if not schedules:
        return 0
    with svc.uow() as uow:
        now = svc.clock.now()
        added = 0
        for schedule in schedules:
            key = schedule.dedupe_key(now)
            payload = dict(schedule.payload or {})
            added += enqueue(uow, schedule.kind, payload, now=now, dedupe_key=key) is not None
        uow.commit()
    return added


def retry_job(job_id: str, actor: Actor, *, svc: Services) -> Job:
    """An operator puts a failed or dead job back in the queue with fresh attempts."""
    with svc.uow() as uow:
        now = svc.clock.now()
        job = uow.jobs.get(job_id)
        if job is None:
            raise NotFound("no job %(job_id)r", job_id=job_id)
        retried = job.retry(now=now)
        uow.jobs.save(retried, was=job)
        record(uow, actor, "job:retried", f"job:{job.id}", now, kind=job.kind, was=job.state)
        uow.commit()
    return retried


def purge_jobs(keep: timedelta, *, svc: Services) -> int:
    """Delete done jobs finished longer than `keep` ago."""
    with svc.uow() as uow:
        removed = uow.jobs.purge_finished(svc.clock.now() - keep)
        uow.commit()
    return removed
