"""Driving a sweep: plan, resume, run the engine, settle approval in bulk, write, summarize.

The driver alone talks to the database: it loads the registry once (the rules it ships to
the workers) and asks which of a partition's findings have approved proof, one query per
chunk of ids (`approved`). Workers need only the input files, never the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from probandi.domain.sweep import SweepRules, Tally
from probandi.entrypoints.sweep import output
from probandi.entrypoints.sweep.engines import SweepEngine
from probandi.entrypoints.sweep.output import OutputFormat
from probandi.entrypoints.sweep.parts import InputFormat, PartResult, PartSpec
from probandi.entrypoints.sweep.plan import PART_BYTES, PART_ROWS, Plan, plan_sweep

ApprovedLookup = Callable[[Sequence[str]], set[str]]
TOP_SELLERS = 100


class SweepRefused(Exception):
    """The sweep cannot start: OUTPUT is taken, or --resume does not match it."""


@dataclass(frozen=True)
class SweepRequest:
    input: Path
    out: Path
    resume: bool = False
    part_rows: int = PART_ROWS
    part_bytes: int = PART_BYTES


class SkippedRow(NamedTuple):
    file: str
    unit: str  # "line" (CSV, JSON lines) or "row" (Parquet, 1-based)
    number: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} {self.unit} {self.number}: {self.message}"


@dataclass
class SweepReport:
    out: Path
    engine: str
    tally: Tally
    parts: int
    resumed: int  # partitions written by an earlier, interrupted run
    seconds: float = 0.0
    rows_this_run: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    workers: set[str] = field(default_factory=set)  # engines seen: one per worker process


def run_sweep(
    req: SweepRequest,
    rules: SweepRules,
    engine: SweepEngine,
    *,
    approved: ApprovedLookup,
    on_start: Callable[[Plan, set[int]], None] | None = None,
    on_part: Callable[[PartSpec, PartResult, int], None] | None = None,
) -> SweepReport:
    """Sweep `req.input` into `req.out`; partitions already written are skipped on resume."""
    plan = plan_sweep(req.input, part_rows=req.part_rows, part_bytes=req.part_bytes)
    fmt = OutputFormat.of(req.out)
    header = {
        "input": str(req.input.resolve()),
        "plan": plan.key,
        "rules": rules.fingerprint,
        "format": fmt.value,
        "parts": len(plan.parts),
    }
    done = _prepare(req, header)
    report = SweepReport(req.out, engine.label, Tally(), len(plan.parts), len(done))
    for entry in done.values():
        report.tally.add_rows(entry["rows"], len(entry["errors"]))
        output.tally_table(report.tally, output.read_part_table(req.out / entry["file"]))
    if on_start is not None:
        on_start(plan, set(done))
    specs = {p.index: p for p in plan.parts}
    started = time.perf_counter()
    for result in engine.run([p for p in plan.parts if p.index not in done], rules):
        kept = _take(req.out, fmt, result, approved, report)
        done[result.index] = kept[0]
        if on_part is not None:
            on_part(specs[result.index], result, kept[1])
    report.seconds = time.perf_counter() - started
    report.skipped = skipped_rows(plan, done)
    _finish(req.out, report)
    return report


def _take(
    out: Path, fmt: OutputFormat, result: PartResult, approved: ApprovedLookup, report: SweepReport
) -> tuple[dict[str, Any], int]:
    """Settle a partition's approval, write its part, then its manifest line; count it."""
    ids = result.findings.column("listing_id").to_pylist()
    findings = output.settle_table(result.findings, approved(ids) if ids else set())
    path = output.write_part(out, fmt, result.index, findings)
    entry = _entry(result, path.name)
    output.append_entry(out, entry)
    report.tally.add_rows(result.rows, len(result.errors))
    output.tally_table(report.tally, findings)
    report.rows_this_run += result.rows
    report.workers.add(result.worker)
    return entry, findings.num_rows


def _prepare(req: SweepRequest, header: dict[str, Any]) -> dict[int, dict[str, Any]]:
    manifest = req.out / output.MANIFEST
    if req.out.exists() and not req.out.is_dir():
        raise SweepRefused(f"{req.out} is a file; OUTPUT must be a directory (or not exist)")
    if req.resume and manifest.exists():
        before, done = output.read_manifest(req.out)
        for key, why in (
            ("input", "another INPUT"),
            ("plan", "the input files changed since"),
            ("rules", "the brand registry changed since"),
            ("format", "another output format"),
        ):
            if before.get(key) != header[key]:
                raise SweepRefused(f"cannot resume {req.out}: {why}; sweep again into a new OUTPUT")
        output.write_manifest(req.out, before, done)
        return done
    if req.out.exists() and any(req.out.iterdir()):
        raise SweepRefused(
            f"{req.out} already holds a sweep; add --resume to finish it, or choose a new OUTPUT"
        )
    output.write_manifest(req.out, header)
    return {}


def _entry(result: PartResult, name: str) -> dict[str, Any]:
    return {
        "part": result.index,
        "file": name,
        "rows": result.rows,
        "lines": result.lines,
        "errors": [list(e) for e in result.errors],
        "seconds": round(result.seconds, 3),
        "worker": result.worker,
    }


def skipped_rows(plan: Plan, done: dict[int, dict[str, Any]]) -> list[SkippedRow]:
    """Every skipped row with its file-wide line (text) or row (Parquet) number."""
    out: list[SkippedRow] = []
    lines_before = 0
    for spec in plan.parts:
        entry = done[spec.index]
        name = plan.name_of(spec)
        if not spec.text:
            out += [SkippedRow(name, "row", n, m) for n, m in entry["errors"]]
            continue
        if spec.first_of_file:
            lines_before = 1 if spec.fmt is InputFormat.CSV else 0  # the header
        out += [SkippedRow(name, "line", lines_before + n, m) for n, m in entry["errors"]]
        lines_before += entry["lines"]
    return out


def _finish(out: Path, report: SweepReport) -> None:
    with (out / output.ERRORS).open("w", encoding="utf-8") as f:
        for row in report.skipped:
            f.write(json.dumps(row._asdict(), ensure_ascii=False) + "\n")
    t = report.tally
    output.write_json(
        out / output.SUMMARY,
        {
            "rows": t.rows,
            "skipped": t.skipped,
            "findings": t.findings,
            "codes": dict(t.codes.most_common()),
            "brands": dict(t.brands.most_common()),
            "top_sellers": dict(t.sellers.most_common(TOP_SELLERS)),
            "partitions": report.parts,
            "resumed_partitions": report.resumed,
            "engine": report.engine,
            "seconds": round(report.seconds, 3),
        },
    )
