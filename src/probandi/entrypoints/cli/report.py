"""`probandi report`: the transparency report for a period, as JSON, CSV or HTML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM
from probandi.domain.errors import DomainError
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.console.report_view import period_bound, rendered
from probandi.queries.transparency_report import transparency_report

console = cli_console(stderr=True)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


def report(
    start: Annotated[
        str,
        typer.Option(
            "--from", help="start, inclusive: YYYY-MM-DD (UTC midnight) or ISO date-time with zone"
        ),
    ],
    end: Annotated[str, typer.Option("--to", help="end, exclusive: as --from")],
    format: Annotated[Format, typer.Option(help="json, csv or html")] = Format.JSON,
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """The DSA transparency report (Art. 15 and 24) over [from, to): notices, actions,
    proof outcomes, complaints, suspensions, trusted flaggers and automated means. CSV
    follows the harmonised template's layout (Implementing Regulation (EU) 2024/2835)."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        since, until = period_bound(start, "--from"), period_bound(end, "--to")
        svc = runtime.services
        with console.status("computing the report"), Session(runtime.reader) as session:
            result = transparency_report(
                session, SYSTEM, since, until, now=svc.clock.now(), policy=svc.policy
            )
    except DomainError as exc:
        console.print(f"[red]error ({exc.code}):[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()
    text, _ = rendered(result, format.value)
    text += "" if text.endswith("\n") else "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        console.print(f"report written to {out}")
