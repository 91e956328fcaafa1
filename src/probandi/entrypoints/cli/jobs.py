"""`probandi worker` and `probandi jobs list|show|retry`: the durable job queue."""

from __future__ import annotations

import json
import logging
import logging.config
import signal
from collections.abc import Callable
from types import FrameType
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM
from probandi.domain.errors import DomainError
from probandi.domain.jobs import Job, JobState
from probandi.entrypoints.api.request_log import log_config
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.worker import Worker, built_in_jobs, follow_parent
from probandi.services.jobs import retry_job

jobs_app = typer.Typer(help="The durable job queue.", no_args_is_help=True)
console = cli_console(stderr=True)
JobId = Annotated[str, typer.Argument(help="the job id")]


def worker(
    concurrency: Annotated[int, typer.Option(help="jobs run at once (threads)")] = 1,
    once: Annotated[bool, typer.Option(help="run every due job, then exit")] = False,
) -> None:
    """Run durable jobs (readings, checkpoints, orphan sweeps, ...) and deliver webhooks
    until SIGTERM or Ctrl-C."""
    follow_parent()  # started by `serve`: end with it
    settings = Settings.from_env()
    say: Callable[[str], None] = console.print
    if settings.log_format == "json":  # JSON logs (under `serve` too): every line is JSON
        logging.config.dictConfig(log_config("json"))
        say = logging.getLogger("probandi.worker").info
    runtime = bootstrap(settings, migrate=True)
    registry, schedule = built_in_jobs(runtime)
    w = Worker(
        registry,
        schedule,
        svc=runtime.services,
        concurrency=concurrency,
        poll_seconds=settings.job_poll_seconds,
        webhook_poll_seconds=settings.webhook_poll_seconds if settings.webhooks else None,
    )
    try:
        if once:
            ran = w.run_once()
            say(f"ran {ran} job(s)")
            return

        def stop(signum: int, _frame: FrameType | None) -> None:
            say(f"{signal.Signals(signum).name}: finishing running jobs")
            w.stop(timeout=0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        say(f"worker {w.name}: {concurrency} thread(s), kinds {sorted(registry.names)}")
        w.start()
        w.wait()
        w.stop()
    finally:
        runtime.dispose()


def _row(job: Job) -> list[str]:
    return [
        job.id,
        job.kind,
        job.state.value,
        f"{job.attempts}/{job.max_attempts}",
        job.run_after.isoformat(timespec="seconds"),
        (job.last_error or "")[:60],
    ]


@jobs_app.command("list")
def jobs_list(
    state: Annotated[JobState | None, typer.Option(help="only jobs in this state")] = None,
    kind: Annotated[str | None, typer.Option(help="only jobs of this kind")] = None,
    limit: Annotated[int, typer.Option(help="at most this many (up to 1000)")] = 50,
) -> None:
    """The newest jobs first."""
    runtime = bootstrap(Settings.from_env())
    try:
        with runtime.services.reader() as uow:
            jobs = uow.jobs.recent(state=state, kind=kind, limit=max(1, min(limit, 1000)))
    finally:
        runtime.dispose()
    table = Table("id", "kind", "state", "attempts", "run after", "last error")
    for job in jobs:
        table.add_row(*_row(job))
    cli_console().print(table)


@jobs_app.command("show")
def jobs_show(job_id: JobId) -> None:
    """One job as JSON."""
    runtime = bootstrap(Settings.from_env())
    try:
        with runtime.services.reader() as uow:
            job = uow.jobs.get(job_id)
    finally:
        runtime.dispose()
    if job is None:
        console.print(f"[red]error:[/red] no job {job_id!r}")
        raise typer.Exit(2)
    doc = {
        "id": job.id,
        "kind": job.kind,
        "state": job.state.value,
        "payload": dict(job.payload),
        "priority": job.priority,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_after": job.run_after.isoformat(),
        "lease_owner": job.lease_owner,
        "lease_until": job.lease_until.isoformat() if job.lease_until else None,
        "last_error": job.last_error,
        "dedupe_key": job.dedupe_key,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
    typer.echo(json.dumps(doc, indent=2))


@jobs_app.command("retry")
def jobs_retry(job_id: JobId) -> None:
    """Put a failed or dead job back in the queue with fresh attempts (audited)."""
    runtime = bootstrap(Settings.from_env())
    try:
        job = retry_job(job_id, SYSTEM, svc=runtime.services)
    except DomainError as exc:
        console.print(f"[red]error ({exc.code}):[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()
    console.print(f"job {job.id} ({job.kind}) is queued again")
