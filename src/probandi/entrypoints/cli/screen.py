"""`probandi screen`: JSON lines of titles in, JSON lines of matches and signals out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.config import Settings
from probandi.domain.errors import DomainError
from probandi.domain.screening.catalog import load_default_catalog, parse_catalog
from probandi.domain.screening.model import CatalogEntry, ScreenItem
from probandi.entrypoints.cli.consoles import cli_console
from probandi.entrypoints.screen_io import BadLine, parse_line, result_json

BATCH = 5_000
console = cli_console(stderr=True)


def _catalog(path: Path | None) -> list[CatalogEntry]:
    if path is None:
        return load_default_catalog()
    try:
        return parse_catalog(path.read_text(encoding="utf-8"), csv_format=path.suffix == ".csv")
    except (OSError, UnicodeDecodeError, ValueError, DomainError) as exc:
        console.print(f"[red]error:[/red] cannot read brands from {path}: {exc}")
        raise typer.Exit(2) from exc


def _batches(stream: TextIO, errors: list[str]) -> Iterator[list[ScreenItem]]:
    batch: list[ScreenItem] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            batch.append(parse_line(line, number))
        except BadLine as exc:
            errors.append(str(exc))
            console.print(f"[yellow]skipped[/yellow] {exc}")
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def screen(
    input_file: Annotated[Path | None, typer.Argument(help="JSON lines; stdin if omitted")] = None,
    brands: Annotated[
        Path | None,
        typer.Option(help="CSV (brand,aliases) or JSON list; replaces the default catalog"),
    ] = None,
) -> None:
    """Screen titles for brands (also obfuscated ones) and counterfeit signals."""
    tiers = Settings.from_env().policy.screening_tiers()
    engine = ScreeningEngine(_catalog(brands), tiers=tiers)
    errors: list[str] = []
    count = 0
    try:
        stream = (
            sys.stdin if input_file is None else input_file.open(encoding="utf-8", errors="strict")
        )
        with stream:
            for batch in _batches(stream, errors):
                for result in engine.screen_batch(batch):
                    sys.stdout.write(json.dumps(result_json(result), ensure_ascii=False) + "\n")
                count += len(batch)
    except UnicodeDecodeError as exc:
        console.print(f"[red]error:[/red] input is not UTF-8 (byte {exc.start}); stopped")
        raise typer.Exit(2) from exc
    console.print(f"screened {count} title(s); {len(errors)} line(s) skipped")
