"""Durable jobs: states as a transition table, leases, backoff and periodic schedules."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from probandi.domain.errors import InvalidInput, InvalidTransition


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"  # claimed under a lease
    FAILED = "failed"  # an attempt failed; runs again at run_after
    DONE = "done"
    DEAD = "dead"  # out of attempts; waits for an operator's retry


class JobAction(enum.StrEnum):
    CLAIM = "claim"
    SUCCEED = "succeed"
    FAIL = "fail"  # attempts left: back off and run again
    GIVE_UP = "give_up"  # no attempts left
    RETRY = "retry"  # an operator puts a failed or dead job back in the queue


JOB_TRANSITIONS: dict[tuple[JobState, JobAction], JobState] = {
    (JobState.QUEUED, JobAction.CLAIM): JobState.RUNNING,
    (JobState.FAILED, JobAction.CLAIM): JobState.RUNNING,
    (JobState.RUNNING, JobAction.CLAIM): JobState.RUNNING,  # only once the lease expired
    (JobState.RUNNING, JobAction.SUCCEED): JobState.DONE,
    (JobState.RUNNING, JobAction.FAIL): JobState.FAILED,
    (JobState.RUNNING, JobAction.GIVE_UP): JobState.DEAD,
    (JobState.FAILED, JobAction.RETRY): JobState.QUEUED,
    (JobState.DEAD, JobAction.RETRY): JobState.QUEUED,
}

CLAIMABLE = frozenset(src for (src, action) in JOB_TRANSITIONS if action is JobAction.CLAIM)
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=1)
MAX_ERROR_CHARS = 2_000


def allowed_job_actions(state: JobState) -> frozenset[JobAction]:
    return frozenset(action for (src, action) in JOB_TRANSITIONS if src is state)


def backoff(
    attempt: int,
    *,
    base: timedelta = BACKOFF_BASE,
    cap: timedelta = BACKOFF_CAP,
    jitter: float = 0.0,
) -> timedelta:
    """The wait after failed attempt `attempt` (1-based): base * 2^(attempt-1), capped.

    `jitter` in [0, 1) stretches the wait by up to that share, so jobs that failed
    together (a database restart) do not all come back in the same second.
    """
    if attempt < 1 or not 0.0 <= jitter < 1.0:
        raise InvalidInput("attempt starts at 1 and jitter is in [0, 1)")
    exponent = min(attempt - 1, 32)  # 2^32 x any sane base is far past any cap
    wait = min(base * (1 << exponent), cap)
    return wait + wait * jitter


@dataclass(frozen=True)
class Job:
    """A unit of background work of one `kind`; `attempts` counts claims, fencing stale owners."""

    id: str
    kind: str
    payload: Mapping[str, object]
    created_at: datetime
    run_after: datetime
    max_attempts: int = 5
    priority: int = 0  # higher runs first
    dedupe_key: str | None = None
    state: JobState = JobState.QUEUED
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    finished_at: datetime | None = None

    def _move(self, action: JobAction) -> JobState:
        target = JOB_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a job that is %(state)s",
                state=self.state.value,
                params={"action": action.value},
            )
        return target

    def lease_expired(self, now: datetime) -> bool:
        return self.lease_until is not None and self.lease_until <= now

    def claimable(self, now: datetime) -> bool:
        if self.state is JobState.RUNNING:
            return self.lease_expired(now)
        return self.state in CLAIMABLE and self.run_after <= now

    def claim(self, owner: str, *, now: datetime, lease: timedelta) -> Job:
        """Run it under `owner`'s lease; a job whose owner vanished is out of attempts
        when it was claimed `max_attempts` times (a job that kills its worker dies too)."""
        if not self.claimable(now):
            raise InvalidTransition(
                "job %(id)s is not claimable now", state=self.state.value, params={"id": self.id}
            )
        if self.state is JobState.RUNNING and self.attempts >= self.max_attempts:
            return self._give_up(f"lease of {self.lease_owner} expired", now)
        return replace(
            self,
            state=self._move(JobAction.CLAIM),
            attempts=self.attempts + 1,
            lease_owner=owner,
            lease_until=now + lease,
        )

    def succeed(self, *, now: datetime) -> Job:
        return replace(
            self,
            state=self._move(JobAction.SUCCEED),
            lease_owner=None,
            lease_until=None,
            finished_at=now,
        )

    def fail(self, error: str, *, now: datetime, jitter: float = 0.0) -> Job:
        """Back off and run again, or give up when the attempts are spent."""
        if self.attempts >= self.max_attempts:
            return self._give_up(error, now)
        return replace(
            self,
            state=self._move(JobAction.FAIL),
            run_after=now + backoff(self.attempts, jitter=jitter),
            lease_owner=None,
            lease_until=None,
            last_error=error[:MAX_ERROR_CHARS],
        )

    def _give_up(self, error: str, now: datetime) -> Job:
        return replace(
            self,
            state=self._move(JobAction.GIVE_UP),
            lease_owner=None,
            lease_until=None,
            last_error=error[:MAX_ERROR_CHARS],
            finished_at=now,
        )

    def retry(self, *, now: datetime) -> Job:
        """An operator's second chance: a fresh set of attempts from now."""
        return replace(
            self,
            state=self._move(JobAction.RETRY),
            attempts=0,
            run_after=now,
            finished_at=None,
        )


@dataclass(frozen=True)
class Schedule:
    """Enqueue one `kind` job per period; the period's key makes several schedulers agree."""

    kind: str
    every: timedelta
    payload: Mapping[str, object] | None = None

    def __post_init__(self) -> None:
        if self.every < timedelta(seconds=1):
            raise InvalidInput("a schedule's period is at least one second", field="every")

    def period_start(self, now: datetime) -> datetime:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        periods = (now.astimezone(UTC) - epoch) // self.every
        return epoch + periods * self.every

    def dedupe_key(self, now: datetime) -> str:
        return f"schedule:{self.kind}:{self.period_start(now).isoformat()}"
