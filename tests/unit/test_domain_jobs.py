"""Job states, leases, backoff and schedules: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.errors import InvalidTransition
from probandi.domain.jobs import (
    BACKOFF_CAP,
    JOB_TRANSITIONS,
    Job,
    JobAction,
    JobState,
    Schedule,
    allowed_job_actions,
    backoff,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def a_job(**overrides: object) -> Job:
    fields: dict[str, object] = {
        "id": "j1",
        "kind": "audit.checkpoint",
        "payload": {},
        "created_at": T0,
        "run_after": T0,
        "max_attempts": 3,
    }
    fields.update(overrides)
    return Job(**fields)  # type: ignore[arg-type]


def test_a_claimed_job_runs_under_the_owners_lease() -> None:
    job = a_job().claim("w1", now=T0, lease=LEASE)
    assert (job.state, job.attempts, job.lease_owner) == (JobState.RUNNING, 1, "w1")
    assert job.lease_until == T0 + LEASE


def test_a_job_not_yet_due_cannot_be_claimed() -> None:
    with pytest.raises(InvalidTransition):
        a_job(run_after=T0 + timedelta(seconds=1)).claim("w1", now=T0, lease=LEASE)


def test_a_running_job_is_claimable_only_after_its_lease_expired() -> None:
    running = a_job().claim("w1", now=T0, lease=LEASE)
    with pytest.raises(InvalidTransition):
        running.claim("w2", now=T0 + LEASE - timedelta(seconds=1), lease=LEASE)
    taken = running.claim("w2", now=T0 + LEASE, lease=LEASE)
    assert (taken.lease_owner, taken.attempts) == ("w2", 2)


def test_a_job_whose_workers_keep_vanishing_dies_after_its_attempts() -> None:
    job = a_job(max_attempts=2)
    at = T0
    for _ in range(2):
        job = job.claim("w", now=at, lease=LEASE)
        at += LEASE
    dead = job.claim("w", now=at, lease=LEASE)
    assert dead.state is JobState.DEAD
    assert "lease of w expired" in (dead.last_error or "")


def test_a_failed_attempt_backs_off_exponentially_then_the_job_dies() -> None:
    job = a_job()
    waits = []
    at = T0
    for _ in range(2):
        job = job.claim("w", now=at, lease=LEASE).fail("boom", now=at)
        assert job.state is JobState.FAILED
        waits.append(job.run_after - at)
        at = job.run_after
    assert waits == [timedelta(seconds=10), timedelta(seconds=20)]
    dead = job.claim("w", now=at, lease=LEASE).fail("boom again", now=at)
    assert (dead.state, dead.last_error, dead.finished_at) == (JobState.DEAD, "boom again", at)


def test_only_failed_or_dead_jobs_can_be_retried() -> None:
    done = a_job().claim("w", now=T0, lease=LEASE).succeed(now=T0)
    with pytest.raises(InvalidTransition):
        done.retry(now=T0)
    dead = a_job(max_attempts=1).claim("w", now=T0, lease=LEASE).fail("x", now=T0)
    again = dead.retry(now=T0 + timedelta(hours=1))
    assert (again.state, again.attempts) == (JobState.QUEUED, 0)


def test_every_state_but_done_has_a_way_on() -> None:
    assert allowed_job_actions(JobState.DONE) == frozenset()
    assert allowed_job_actions(JobState.DEAD) == {JobAction.RETRY}
    assert {src for src, _ in JOB_TRANSITIONS} == set(JobState) - {JobState.DONE}


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0, max_value=0.99))
def test_backoff_grows_and_never_passes_its_cap_plus_jitter(attempt: int, jitter: float) -> None:
    wait = backoff(attempt, jitter=jitter)
    assert backoff(attempt) <= wait <= BACKOFF_CAP * (1 + jitter)
    assert backoff(attempt) <= backoff(attempt + 1)


def test_a_schedule_gives_one_key_per_period() -> None:
    hourly = Schedule("audit.checkpoint", timedelta(hours=1))
    assert hourly.dedupe_key(T0) == hourly.dedupe_key(T0 + timedelta(minutes=59))
    assert hourly.dedupe_key(T0) != hourly.dedupe_key(T0 + timedelta(hours=1))
    assert hourly.period_start(T0 + timedelta(minutes=30)) == T0
