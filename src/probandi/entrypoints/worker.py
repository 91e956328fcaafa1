"""The job worker: threads that claim and run durable jobs, and the built-in job kinds;
and the `probandi worker` child process `serve` keeps beside the API (ADR 0010)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from probandi.adapters.security.checkpoints import DirectoryArchive, Ed25519CheckpointKey
from probandi.adapters.transparency.http import HttpTransparencyDatabase
from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.jobs import Job, Schedule
from probandi.entrypoints.dispatcher import Dispatcher
from probandi.services.checkpoints import write_checkpoint
from probandi.services.context import Services
from probandi.services.deliveries import purge_deliveries
from probandi.services.jobs import JobKind, JobRegistry, purge_jobs, run_next, schedule_due
from probandi.services.orphans import sweep_orphans
from probandi.services.reading_queue import READ_JOB
from probandi.services.readings import ReadingLimits, read_voucher
from probandi.services.transparency import submit_pending

log = logging.getLogger("probandi.worker")
CHECKPOINT, ORPHAN_SWEEP, PURGE = "audit.checkpoint", "storage.sweep", "jobs.purge"
DSA_SUBMIT = "dsa.submit"
KEEP_DONE_JOBS = timedelta(days=7)
KEEP_EVENTS = timedelta(days=30)  # the feed reaches back this far (docs/webhooks.md)
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
        purge_deliveries(KEEP_EVENTS, svc=svc)

    limits = ReadingLimits(settings.reading_max_pages, settings.reading_seconds_limit)

    def read(job: Job) -> None:
        last = job.attempts >= job.max_attempts
        read_voucher(str(job.payload["voucher_id"]), limits, last_attempt=last, svc=svc)

    def dsa_submit(_job: Job) -> None:
        if settings.dsa_url and settings.dsa_token:
            database = HttpTransparencyDatabase(settings.dsa_url, settings.dsa_token)
            try:
                submit_pending(database, svc=svc, batch=settings.dsa_batch)
            finally:
                database.close()

    registry = JobRegistry(
        [
            JobKind(CHECKPOINT, checkpoint),
            JobKind(ORPHAN_SWEEP, sweep),
            JobKind(PURGE, purge),
            JobKind(READ_JOB, read, lease=timedelta(seconds=settings.reading_lease_seconds)),
            JobKind(DSA_SUBMIT, dsa_submit),
        ]
    )
    return registry, schedules(settings)


def schedules(settings: Settings) -> list[Schedule]:
    """Periodic jobs; an interval of 0 turns one off."""
    periods = (
        (CHECKPOINT, settings.checkpoint_interval_seconds),
        (ORPHAN_SWEEP, settings.orphan_sweep_interval_seconds),
        (PURGE, 86400.0),
        (DSA_SUBMIT, settings.dsa_submit_seconds if settings.dsa_url else 0.0),
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
        webhook_poll_seconds: float | None = None,
    ) -> None:
        self.registry, self.schedule, self.svc = registry, list(schedule), svc
        self.concurrency = max(1, concurrency)
        self.poll_seconds = poll_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        # The webhook dispatcher runs beside the job threads (None: not in this worker).
        self.dispatcher = (
            Dispatcher(svc, owner=f"{self.name}/webhooks", poll_seconds=webhook_poll_seconds)
            if webhook_poll_seconds is not None
            else None
        )
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
        if self.dispatcher is not None:
            self.dispatcher.start()
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
        if self.dispatcher is not None:
            self.dispatcher.stop(max(0.0, deadline - time.monotonic()))
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


PARENT_ENV = "PROBANDI_WORKER_PARENT"  # set for a worker `serve` started: the parent's pid
RESTART_MIN_SECONDS, RESTART_MAX_SECONDS = 1.0, 60.0
_PR_SET_PDEATHSIG = 1


class WorkerProcess:
    """`probandi worker` as a child of this process: the jobs' memory (OCR models and pages)
    and CPU stay out of the API's process. A child that dies is started again, with backoff;
    one whose parent dies is sent SIGTERM by the kernel (Linux), so none is left behind."""

    def __init__(self, concurrency: int, *, grace_seconds: float = 30.0) -> None:
        self.concurrency = concurrency
        self.grace_seconds = grace_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    def start(self) -> None:
        # The kernel's parent-death signal follows the thread that started the child, so
        # one long-lived thread starts it and every restart.
        self._thread = threading.Thread(target=self._supervise, name="probandi-jobs", daemon=True)
        self._thread.start()
        self._started.wait(10)

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM the child (it finishes its running jobs), SIGKILL after the grace time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.grace_seconds + 5 if timeout is None else timeout)

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "probandi", "worker", "--concurrency"]
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [*command, str(self.concurrency)], env=env, stdin=subprocess.DEVNULL
        )

    def _supervise(self) -> None:
        backoff = RESTART_MIN_SECONDS
        while not self._stop.is_set():
            began = time.monotonic()
            process = self._spawn()
            self._started.set()
            log.info("job worker process %d started", process.pid)
            while process.poll() is None and not self._stop.wait(0.5):
                pass
            if self._stop.is_set():
                self._end(process)
                return
            if time.monotonic() - began > RESTART_MAX_SECONDS:
                backoff = RESTART_MIN_SECONDS  # it ran a good while: a fresh failure
            log.warning(
                "job worker process %d exited with %s; starting another in %.0f s",
                process.pid,
                process.returncode,
                backoff,
            )
            self._stop.wait(backoff)
            backoff = min(backoff * 2, RESTART_MAX_SECONDS)

    def _end(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.grace_seconds)
            except subprocess.TimeoutExpired:
                log.warning("job worker process %d did not stop: killed", process.pid)
                process.kill()
                process.wait()


def follow_parent() -> None:
    """In a worker `serve` started: end with the parent. The kernel sends SIGTERM when the
    parent dies; a parent already gone before that was set means exit now."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return
    name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(name), "prctl", None) if name else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):
        raise SystemExit(0)


def start_worker(runtime: Runtime) -> Worker | WorkerProcess | None:
    """The job worker `serve` runs beside the API: PROBANDI_JOB_WORKERS threads in a child
    process (PROBANDI_JOB_PROCESS=0: in this process), or none when that is 0."""
    settings = runtime.settings
    if settings.job_workers <= 0:
        return None
    if settings.job_process:
        child = WorkerProcess(settings.job_workers)
        child.start()
        return child
    registry, schedule = built_in_jobs(runtime)
    worker = Worker(
        registry,
        schedule,
        svc=runtime.services,
        concurrency=settings.job_workers,
        poll_seconds=settings.job_poll_seconds,
        webhook_poll_seconds=settings.webhook_poll_seconds if settings.webhooks else None,
    )
    worker.start()
    return worker
