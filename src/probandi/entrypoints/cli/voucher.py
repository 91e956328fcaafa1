"""`probandi voucher`: fingerprints and readings of files, and the template clusters in the
database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from probandi.adapters.forensics.inspect import UploadInspector
from probandi.adapters.forensics.reader import ForensicReader
from probandi.adapters.reading.ocr import OcrDocumentReader
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM
from probandi.domain.errors import DomainError
from probandi.domain.forensics.model import RECTIFIED, TRIMMED, PageFingerprint
from probandi.domain.reading.fields import extract
from probandi.domain.reading.model import Reading
from probandi.domain.vouchers import StoredFile
from probandi.entrypoints.cli.consoles import cli_console
from probandi.queries.voucher_clusters import template_clusters
from probandi.services.forensics import rectify_stored, reindex_vouchers
from probandi.services.readings import index_stored_readings

voucher_app = typer.Typer(help="Voucher forensics and reading.", no_args_is_help=True)
console = cli_console(stderr=True)
ANY_PAGE_COUNT = 1_000_000


def _lines(
    path: str, sha256: str, pages: int, prints: tuple[PageFingerprint, ...]
) -> list[dict[str, object]]:
    """One line per page: the full page's PDQ, and the trimmed content's and the rectified
    page's where there is one."""
    lines: dict[int, dict[str, object]] = {}
    for fp in prints:
        line = lines.setdefault(fp.page, {"path": path, "sha256": sha256})
        if fp.variant == TRIMMED:
            line |= {"pdq_trimmed": fp.pdq, "quality_trimmed": fp.quality}
        elif fp.variant == RECTIFIED:
            line |= {"pdq_rectified": fp.pdq, "quality_rectified": fp.quality}
        else:
            line |= {"pdq": fp.pdq, "quality": fp.quality}
        if pages > 1:
            line["page"] = fp.page
    return list(lines.values())


@voucher_app.command("fingerprint")
def fingerprint(
    files: Annotated[list[Path], typer.Argument(help="PDF, JPEG or PNG files")],
) -> None:
    """Print one JSON line per page: {"path", "sha256", "pdq", "quality"}, with "page" for a
    PDF, "pdq_trimmed"/"quality_trimmed" where the page has a margin around its content, and
    "pdq_rectified"/"quality_rectified" where it shows a page on a desk or in a phone's frame."""
    settings = Settings.from_env()
    inspector = UploadInspector(
        settings.max_upload_bytes, settings.max_pixels, settings.max_pdf_pages
    )
    reader = ForensicReader(settings.max_fingerprint_pages)

    def lines(path: Path, data: bytes, stored: StoredFile) -> list[dict[str, object]]:
        prints = reader.fingerprints(data, stored.media_type)
        return _lines(str(path), stored.sha256, stored.pages, prints)

    if _each_file(files, "fingerprinting", inspector, lines, errors_to_stderr=False):
        raise typer.Exit(1)


def _reading_line(path: str, reading: Reading) -> dict[str, object]:
    """The document's kind, page count, fields (value, confidence, box, page) and text."""
    extracted = extract(reading)
    return {
        "path": path,
        "kind_guess": extracted.kind_guess.value if extracted.kind_guess else None,
        "pages": len(reading.pages),
        "fields": {
            name: {
                "value": f.value,
                "confidence": round(f.confidence, 3),
                "box": list(f.box) if f.box else None,
                "page": f.page,
            }
            for name, f in extracted.fields.items()
        },
        "text": reading.text,
        "note": reading.note,
    }


@voucher_app.command("read")
def read(
    files: Annotated[list[Path], typer.Argument(help="PDF, JPEG or PNG files")],
    max_pages: Annotated[int, typer.Option(min=1, help="read only the first N pages of a PDF")] = 5,
) -> None:
    """Read each file (a PDF's text layer, OCR elsewhere) and print one JSON line per file:
    {"path", "kind_guess", "pages", "fields": {name: {"value", "confidence", "box", "page"}},
    "text", "note"}. A file that cannot be read is reported on stderr; the exit code is then 1."""
    settings = Settings.from_env()
    # Any page count: only the first `max_pages` are read, and the line's note says so.
    inspector = UploadInspector(settings.max_upload_bytes, settings.max_pixels, ANY_PAGE_COUNT)
    reader = OcrDocumentReader()

    def lines(path: Path, data: bytes, stored: StoredFile) -> list[dict[str, object]]:
        reading = reader.read(data, stored.media_type, max_pages=max_pages)
        return [_reading_line(str(path), reading)]

    if _each_file(
        files, "reading", inspector, lines, errors_to_stderr=True, bar_off_terminal=False
    ):
        raise typer.Exit(1)


def _each_file(
    files: list[Path],
    doing: str,
    inspector: UploadInspector,
    lines: Callable[[Path, bytes, StoredFile], list[dict[str, object]]],
    *,
    errors_to_stderr: bool,
    bar_off_terminal: bool = True,
) -> int:
    """Inspect each file as an upload would be, print the JSON `lines` of each (or its
    error), with a progress bar on stderr for more than one file; how many failed."""
    failed = 0
    with Progress(
        TextColumn(doing),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=len(files) < 2 or not (bar_off_terminal or console.is_terminal),
    ) as progress:
        task = progress.add_task("files", total=len(files))
        for path in files:
            try:
                data = path.read_bytes()
                stored = inspector.inspect(data, None)
                found = lines(path, data, stored)
            except (OSError, DomainError) as exc:
                failed += 1
                message = exc.message if isinstance(exc, DomainError) else str(exc)
                line = {"path": str(path), "error": message}
                typer.echo(json.dumps(line, ensure_ascii=False), err=errors_to_stderr)
            else:
                for one in found:
                    typer.echo(json.dumps(one, ensure_ascii=False))
            progress.advance(task)
    return failed


@voucher_app.command("clusters")
def clusters(
    min_sellers: Annotated[
        int | None, typer.Option(min=2, help="sellers that make a cluster")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON list (`[]` when none) instead of a table")
    ] = False,
) -> None:
    """List template clusters: one layout shared by unrelated sellers under other issuers."""
    settings = Settings.from_env()
    runtime = bootstrap(settings)
    threshold = min_sellers or settings.policy.template_cluster_sellers
    try:
        with Session(runtime.reader) as session:
            found = template_clusters(session, SYSTEM, min_sellers=threshold)
    finally:
        runtime.dispose()
    if as_json:
        body = [
            {
                "id": c.id,
                "sellers": list(c.sellers),
                "claimed_issuers": list(c.claimed_issuers),
                "listings": list(c.listings),
                "vouchers": [m.voucher_id for m in c.members],
            }
            for c in found
        ]
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    table = Table(title=f"template clusters ({len(found)}; at least {threshold} sellers)")
    for column in ("cluster", "sellers", "claimed issuers", "vouchers"):
        table.add_column(column)
    for c in found:
        table.add_row(c.id, ", ".join(c.sellers), "; ".join(c.claimed_issuers), str(len(c.members)))
    cli_console().print(table)


@voucher_app.command("reindex")
def reindex() -> None:
    """Bring stored vouchers up to the current forensics, so new uploads match them:
    fingerprint those stored before forensics, add the rectified page's hash to those
    fingerprinted before pages were rectified, and index the long ids of those read before
    long ids were indexed. Safe to run again: each step takes only what it has not done."""
    runtime = bootstrap(Settings.from_env(), migrate=True)
    svc = runtime.services
    steps: tuple[tuple[str, Callable[..., int]], ...] = (
        ("fingerprinted", reindex_vouchers),
        ("rectified", rectify_stored),
        ("long ids indexed", index_stored_readings),
    )
    counts = []
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} done"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            for name, step in steps:
                task = progress.add_task(f"vouchers {name}", total=None)
                count = step(svc, on_voucher=lambda _id, t=task: progress.advance(t))
                counts.append(f"{count} voucher(s) {name}")
    finally:
        runtime.dispose()
    console.print("; ".join(counts))
