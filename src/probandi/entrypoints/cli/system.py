"""Running one operator command with the wired services: a domain error exits 2 with its code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import typer
from rich.markup import escape

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.errors import DomainError
from probandi.entrypoints.cli.consoles import cli_console
from probandi.services.context import Services

T = TypeVar("T")
console = cli_console(stderr=True)


def with_services(use: Callable[[Services], T]) -> T:
    """Bootstrap (migrating), run `use`, dispose; a refused use case exits 2."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        return use(runtime.services)
    except DomainError as exc:
        console.print(f"[red]error ({exc.code}):[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    finally:
        runtime.dispose()


def iso_moment(text: str, name: str = "") -> datetime:
    """An option's ISO date-time, which must carry a time zone; else a usage error."""
    where = f"{name}: " if name else ""
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{where}not an ISO date-time: {text!r}") from None
    if at.tzinfo is None:
        raise typer.BadParameter(f"{where}give a time zone (Z or +08:00): {text!r}")
    return at
