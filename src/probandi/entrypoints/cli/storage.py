"""`probandi storage sweep`: remove stored files that no row names."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import typer

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.errors import DomainError
from probandi.entrypoints.cli.consoles import cli_console
from probandi.services.orphans import sweep_orphans

storage_app = typer.Typer(help="The voucher file store.", no_args_is_help=True)
console = cli_console(stderr=True)
_DURATION = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """`90m`, `1h`, `2d` -> timedelta."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise typer.BadParameter("a duration is a number and s, m, h or d, e.g. 1h")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@storage_app.command("sweep")
def storage_sweep(
    dry_run: Annotated[bool, typer.Option(help="list the orphans, remove nothing")] = False,
    older_than: Annotated[str, typer.Option(help="minimum age, e.g. 1h, 90m, 2d")] = "1h",
) -> None:
    """Remove blobs no voucher or evidence row names, and temp files of interrupted
    uploads, older than --older-than; one audit entry lists what went."""
    age = parse_duration(older_than)
    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        sweep = sweep_orphans(age, svc=runtime.services, dry_run=dry_run)
    except DomainError as exc:
        console.print(f"[red]error ({exc.code}):[/red] {exc.message}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()
    for sha in sweep.blobs:
        typer.echo(f"blob {sha}")
    for name in sweep.temp_files:
        typer.echo(f"temp {name}")
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"{verb} {len(sweep.blobs)} orphan blob(s) and {len(sweep.temp_files)} temp file(s)"
    )
