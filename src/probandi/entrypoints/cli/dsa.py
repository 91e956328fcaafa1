"""`probandi dsa`: statements of reasons for the DSA Transparency Database, as the system
admin. `export` writes one JSON record per line, for a manual upload (issue 19)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from probandi.domain.actors import SYSTEM
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.cli.system import iso_moment, with_services
from probandi.services.context import Services
from probandi.services.transparency import (
    check_period,
    export_records,
    resend_refused,
    submission_counts,
)

dsa_app = typer.Typer(
    help="Statements of reasons for the EU DSA Transparency Database.", no_args_is_help=True
)
console = cli_console(stderr=True)


@dsa_app.command("export")
def export(
    since: Annotated[str, typer.Option(help="start, inclusive (ISO date-time with zone)")],
    until: Annotated[str, typer.Option(help="end, exclusive (ISO date-time with zone)")],
    out: Annotated[
        Path | None, typer.Option(help="write the JSON lines here instead of stdout")
    ] = None,
) -> None:
    """Every restriction's record issued in the period, one JSON object per line, in the
    Transparency Database's statement schema. No personal data is in any record."""
    start, end = iso_moment(since, "--since"), iso_moment(until, "--until")

    def run(svc: Services) -> int:
        check_period(start, end)
        target = out.open("w", encoding="utf-8") if out else sys.stdout
        written = 0
        try:
            with Progress(
                TextColumn("exporting"),
                TextColumn("{task.completed} records"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("export", total=None)
                for record in export_records(start, end, SYSTEM, svc=svc):
                    target.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
                    progress.advance(task)
        finally:
            if out:
                target.close()
        return written

    written = with_services(run)
    console.print(f"exported {written} record(s)")


@dsa_app.command("status")
def status() -> None:
    """Statements waiting for the Transparency Database (unsent, pending a retry, refused,
    accepted, skipped), and the refused ones with the database's errors, as JSON."""

    def run(svc: Services) -> dict[str, object]:
        counts = submission_counts(SYSTEM, svc=svc)
        with svc.reader() as uow:
            refused = uow.transparency.refused(100)
        return {"counts": counts, "refused": [{"puid": p, "errors": e} for p, e in refused]}

    typer.echo(json.dumps(with_services(run), ensure_ascii=False))


@dsa_app.command("resend")
def resend(
    puid: Annotated[
        list[str] | None, typer.Option(help="a refused record's puid (repeat); none: all")
    ] = None,
) -> None:
    """Queue refused records again, once the cause is fixed; the workers send them."""
    count = with_services(lambda svc: resend_refused(puid or None, SYSTEM, svc=svc))
    console.print(f"{count} refused record(s) queued again")
