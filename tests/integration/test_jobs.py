"""The durable job queue on SQLite and PostgreSQL: claims, leases, backoff, schedules."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM
from probandi.domain.errors import Conflict
from probandi.domain.jobs import Job, JobState, Schedule
from probandi.services.clock import FrozenClock
from probandi.services.jobs import (
    JobKind,
    JobRegistry,
    claim_next,
    enqueue,
    finish_job,
    retry_job,
    run_next,
    schedule_due,
)

KIND = "test.echo"


@pytest.fixture
def second(settings: Settings, clock: FrozenClock, runtime: Runtime) -> Iterator[Runtime]:
    """Another process's view of the same database: its own engines and write lock."""
    rt = bootstrap(settings, clock=clock)
    yield rt
    rt.dispose()


def queue(runtime: Runtime, count: int, **options: object) -> list[str]:
    svc = runtime.services
    with svc.uow() as uow:
        jobs = [
            enqueue(uow, KIND, {"n": i}, now=svc.clock.now(), **options)  # type: ignore[arg-type]
            for i in range(count)
        ]
        uow.commit()
    return [job.id for job in jobs if job is not None]


def state_of(runtime: Runtime, job_id: str) -> Job:
    with runtime.services.reader() as uow:
        job = uow.jobs.get(job_id)
    assert job is not None
    return job


def test_two_workers_racing_never_run_one_job_twice(runtime: Runtime, second: Runtime) -> None:
    ids = queue(runtime, 40)
    ran: list[str] = []
    lock = threading.Lock()

    def handler(job: Job) -> None:
        with lock:
            ran.append(job.id)

    registry = JobRegistry([JobKind(KIND, handler)])
    barrier = threading.Barrier(4)

    def work(rt: Runtime, owner: str) -> None:
        barrier.wait()
        while run_next(registry, owner, svc=rt.services) is not None:
            pass

    threads = [
        threading.Thread(target=work, args=(rt, f"{name}/{i}"))
        for i in range(2)
        for rt, name in ((runtime, "a"), (second, "b"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(ran) == Counter(ids)
    assert {state_of(runtime, i).state for i in ids} == {JobState.DONE}


def test_a_job_whose_lease_expired_runs_again_and_the_old_owner_cannot_finish(
    runtime: Runtime, clock: FrozenClock
) -> None:
    [job_id] = queue(runtime, 1)
    ran: list[str] = []
    registry = JobRegistry([JobKind(KIND, lambda job: ran.append(job.id), lease=LEASE)])
    crashed = claim_next(registry, "crashed-worker", svc=runtime.services)
    assert crashed is not None
    assert crashed.id == job_id
    assert run_next(registry, "w2", svc=runtime.services) is None  # the lease still holds

    clock.advance(LEASE)
    again = run_next(registry, "w2", svc=runtime.services)

    assert again is not None
    assert again.state is JobState.DONE
    assert ran == [job_id]
    assert state_of(runtime, job_id).attempts == 2
    with pytest.raises(Conflict):
        finish_job(crashed, None, svc=runtime.services)


LEASE = timedelta(minutes=5)


def test_a_failing_job_backs_off_goes_dead_and_an_operator_can_retry_it(
    runtime: Runtime, clock: FrozenClock
) -> None:
    [job_id] = queue(runtime, 1, max_attempts=3)

    def broken(_job: Job) -> None:
        raise RuntimeError("the platform is down")

    registry = JobRegistry([JobKind(KIND, broken)])
    svc = runtime.services
    first = run_next(registry, "w", svc=svc)
    assert first is not None
    assert first.state is JobState.FAILED
    assert "RuntimeError: the platform is down" in (first.last_error or "")
    assert first.run_after >= clock.now() + timedelta(seconds=10)
    assert run_next(registry, "w", svc=svc) is None  # backing off

    clock.set(first.run_after)
    second_try = run_next(registry, "w", svc=svc)
    assert second_try is not None
    assert second_try.state is JobState.FAILED
    assert second_try.run_after - clock.now() >= timedelta(seconds=20)
    clock.set(second_try.run_after)
    third = run_next(registry, "w", svc=svc)
    assert third is not None
    assert third.state is JobState.DEAD
    clock.advance(timedelta(days=1))
    assert run_next(registry, "w", svc=svc) is None  # dead stays dead

    retried = retry_job(job_id, SYSTEM, svc=svc)
    assert (retried.state, retried.attempts) == (JobState.QUEUED, 0)


def test_a_job_enqueued_in_a_rolled_back_unit_of_work_does_not_exist(runtime: Runtime) -> None:
    svc = runtime.services
    with svc.uow() as uow:
        job = enqueue(uow, KIND, {}, now=svc.clock.now())
        assert job is not None
        # no commit: the use case failed
    with svc.reader() as uow:
        assert uow.jobs.get(job.id) is None


def test_schedulers_in_two_processes_enqueue_one_job_per_period(
    runtime: Runtime, second: Runtime, clock: FrozenClock
) -> None:
    hourly = [Schedule("audit.checkpoint", timedelta(hours=1))]
    added = schedule_due(hourly, svc=runtime.services) + schedule_due(hourly, svc=second.services)
    assert added == 1
    clock.advance(timedelta(minutes=59))
    assert schedule_due(hourly, svc=second.services) == 0
    clock.advance(timedelta(minutes=1))
    assert schedule_due(hourly, svc=runtime.services) == 1
    with runtime.services.reader() as uow:
        jobs = uow.jobs.recent(state=None, kind="audit.checkpoint", limit=10)
    assert len(jobs) == 2


def test_a_higher_priority_job_is_claimed_first(runtime: Runtime) -> None:
    queue(runtime, 1)
    [urgent] = queue(runtime, 1, priority=10)
    registry = JobRegistry([JobKind(KIND, lambda _job: None)])
    claimed = claim_next(registry, "w", svc=runtime.services)
    assert claimed is not None
    assert claimed.id == urgent
