"""The job worker: threads that claim and run durable jobs, and the built-in job kinds."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from probandi.adapters.security.checkpoints import DirectoryArchive, Ed25519CheckpointKey
from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.jobs import Job, Schedule
from probandi.services.checkpoints import write_checkpoint
from probandi.services.context import Services
from probandi.services.jobs import JobKind, JobRegistry, purge_jobs, run_next, schedule_due
from probandi.services.orphans import sweep_orphans
from probandi.services.reading_queue import READ_JOB
from probandi.services.readings import ReadingLimits, read_voucher

log = logging.getLogger("probandi.worker")
CHECKPOINT, ORPHAN_SWEEP, PURGE = "audit.checkpoint", "storage.sweep", "jobs.purge"
KEEP_DONE_JOBS = timedelta(days=7)
SCHEDULE_CHECK_SECONDS = 30.0


def built_in_jobs(runtime: Runtime) -> tuple[JobRegistry, list[Schedule]]:
    """The job kinds every worker runs, and the schedules `serve` and `worker` keep."""
    settings, svc = runtime.settings, runtime.services

    def checkpoint(_job: Job) -> None:
        write_checkpoint(
            svc=svc,
            signer=Ed25519CheckpointKey.load_or_create(settings.checkpoint_key),
            archive=DirectoryArchive(settings.checkpoint_dir),
        )

    def sweep(_job: Job) -> None:
        sweep_orphans(timedelta(seconds=settings.orphan_min_age_seconds), svc=svc)

    def purge(_job: Job) -> None:
        purge_jobs(KEEP_DONE_JOBS, svc=svc)

    limits = ReadingLimits(settings.reading_max_pages, settings.reading_seconds_limit)

    def read(job: Job) -> None:
        last = job.attempts >= job.max_attempts
        read_voucher(str(job.payload["voucher_id"]), limits, last_attempt=last, svc=svc)

    registry = JobRegistry(
        [
            JobKind(CHECKPOINT, checkpoint),
            JobKind(ORPHAN_SWEEP, sweep),
            JobKind(PURGE, purge),
            JobKind(READ_JOB, read, lease=timedelta(seconds=settings.reading_lease_seconds)),
        ]
    )
    return registry, schedules(settings)


def schedules(settings: Settings) -> list[Schedule]:
    """Periodic jobs; an interval of 0 turns one off."""
    periods = (
        (CHECKPOINT, settings.checkpoint_interval_seconds),
        (ORPHAN_SWEEP, settings.orphan_sweep_interval_seconds),
        (PURGE, 86400.0),
    )
    return [Schedule(kind, timedelta(seconds=s)) for kind, s in periods if s > 0]


class Worker:
    """`concurrency` threads, each claiming one job at a time; stop() lets running jobs end."""

    def __init__(
        self,
        registry: JobRegistry,
        schedule: Sequence[Schedule],
        *,
        svc: Services,
        concurrency: int = 1,
        poll_seconds: float = 1.0,
        name: str | None = None,
    ) -> None:
        self.registry, self.schedule, self.svc = registry, list(schedule), svc
        self.concurrency = max(1, concurrency)
        self.poll_seconds = poll_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._next_schedule = 0.0

    def run_once(self) -> int:
        """Schedule what is due, then run jobs until none is due; how many ran."""
        schedule_due(self.schedule, svc=self.svc)
        ran = 0
        while not self._stop.is_set():
            if run_next(self.registry, f"{self.name}/once", svc=self.svc) is None:
                return ran
            ran += 1
        return ran

    def start(self) -> None:
        for i in range(self.concurrency):
            thread = threading.Thread(
                target=self._loop, args=(i,), name=f"probandi-worker-{i}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        """Claim nothing more; wait up to `timeout` for running jobs to finish."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = [t for t in self._threads if t.is_alive()]

    def wait(self) -> None:
        """Block until stop() was called (from a signal handler or another thread)."""
        while not self._stop.wait(0.5):
            pass

    def _loop(self, index: int) -> None:
        owner = f"{self.name}/{index}"
        while not self._stop.is_set():
            job = None
            try:
                if index == 0 and time.monotonic() >= self._next_schedule:
                    schedule_due(self.schedule, svc=self.svc)
                    self._next_schedule = time.monotonic() + SCHEDULE_CHECK_SECONDS
                job = run_next(self.registry, owner, svc=self.svc)
            except Exception:  # the worker outlives a database hiccup
                log.exception("worker %s: claiming or finishing a job failed", owner)
            if job is None:
                self._stop.wait(self.poll_seconds)


def start_worker(runtime: Runtime) -> Worker:
    """The job worker `serve` runs beside the API (PROBANDI_JOB_WORKERS threads)."""
    registry, schedule = built_in_jobs(runtime)
    settings = runtime.settings
    worker = Worker(
        registry,
        schedule,
        svc=runtime.services,
        concurrency=settings.job_workers,
        poll_seconds=settings.job_poll_seconds,
    )
    worker.start()
    return worker
