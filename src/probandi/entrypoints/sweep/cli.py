"""`probandi sweep INPUT --out OUTPUT` and `probandi sweep apply OUTPUT`.

Heavy modules (pyarrow, dask, the screening engine) are imported inside the commands, so
that every other `probandi` command starts as fast as before.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from probandi.domain.screening.model import Severity
from probandi.entrypoints.cli.consoles import cli_console

if TYPE_CHECKING:
    from probandi.domain.sweep import Finding, SweepRules
    from probandi.entrypoints.sweep.engines import SweepEngine
    from probandi.entrypoints.sweep.parts import PartResult, PartSpec
    from probandi.entrypoints.sweep.plan import Plan
    from probandi.entrypoints.sweep.runner import SweepReport, SweepRequest

console = cli_console(stderr=True)
SHOWN_SKIPPED = 50
TOP = 10


class SweepGroup(TyperGroup):
    """`probandi sweep INPUT ...` is `probandi sweep run INPUT ...`; `apply` is its own."""

    # `ctx` is Typer's vendored click Context, which Typer does not export under a public name.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


sweep_app = typer.Typer(
    cls=SweepGroup,
    no_args_is_help=True,
    subcommand_metavar="INPUT --out OUTPUT ... | apply OUTPUT ...",
    help=(
        "Screen a whole catalog with the gate's rules, locally or on a Dask cluster, then "
        "hold what it found.\n\n"
        "probandi sweep INPUT --out OUTPUT [--engine local|dask] [--scheduler ADDRESS] "
        "[--workers N] [--resume] is short for probandi sweep run INPUT ...; "
        "see probandi sweep run --help.\n\n"
        "probandi sweep apply OUTPUT [--dry-run] holds the findings through the gate."
    ),
)


class EngineName(enum.StrEnum):
    LOCAL = "local"
    DASK = "dask"


@sweep_app.command("run")
def sweep_run(
    input_path: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="CSV, JSON lines or Parquet: a file or a directory"),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="output directory: Parquet parts, or JSON lines if it ends in .jsonl"
        ),
    ],
    engine: Annotated[
        EngineName, typer.Option(help="local: a process pool; dask: a Dask cluster")
    ] = EngineName.LOCAL,
    scheduler: Annotated[
        str | None,
        typer.Option(help="dask scheduler address (tcp://host:8786); default: a LocalCluster"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes (default: one per core)")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="skip the partitions an interrupted sweep wrote")
    ] = False,
    min_severity: Annotated[
        Severity, typer.Option(help="least severity of slang that makes a finding")
    ] = Severity.HIGH,
    part_rows: Annotated[int, typer.Option(min=1, help="Parquet rows per partition")] = 100_000,
    part_mb: Annotated[
        float, typer.Option(min=0.001, help="CSV / JSON lines MB per partition")
    ] = 16.0,
) -> None:
    """Screen INPUT and write one row per listing with a finding to OUTPUT.

    INPUT has the columns id, seller_id and title, and optionally brand, price and currency.
    Stop it at any time: --resume skips the partitions already written.
    """
    from probandi.entrypoints.sweep.engines import DaskEngine, LocalEngine, default_workers
    from probandi.entrypoints.sweep.runner import SweepRequest

    if scheduler and engine is not EngineName.DASK:
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    if scheduler and workers:
        console.print(
            "[yellow]note:[/yellow] --workers is ignored: the cluster has its own workers"
        )
    count = workers or default_workers()
    chosen: SweepEngine = (
        DaskEngine(scheduler, count) if engine is EngineName.DASK else LocalEngine(count)
    )
    request = SweepRequest(input_path, out, resume, part_rows, max(1, int(part_mb * 1024 * 1024)))
    report = _run_with_registry(request, chosen, min_severity)
    _print_skipped(report)
    _print_summary(report)


def _run_with_registry(
    request: SweepRequest, engine: SweepEngine, min_severity: Severity
) -> SweepReport:
    from sqlalchemy.orm import Session

    from probandi.bootstrap import bootstrap
    from probandi.config import Settings
    from probandi.domain.sweep import sweep_rules
    from probandi.entrypoints.sweep.plan import PlanError
    from probandi.entrypoints.sweep.runner import SweepRefused, run_sweep
    from probandi.queries.sweep import approved_among

    runtime = bootstrap(Settings.from_env(), migrate=True)
    try:
        with runtime.services.reader() as uow:
            brands = uow.brands.list_all()
        rules = sweep_rules(brands, min_severity, runtime.settings.policy.screening_tiers())
        _print_rules(rules, sum(b.gated for b in brands), engine)

        def approved(ids: Sequence[str]) -> set[str]:
            with Session(runtime.reader) as session:
                return approved_among(session, ids)

        with _SweepProgress() as progress:
            return run_sweep(
                request,
                rules,
                engine,
                approved=approved,
                on_start=progress.start,
                on_part=progress.part,
            )
    except (PlanError, SweepRefused) as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except (OSError, ValueError) as exc:
        # A partition that cannot be read at all (a corrupt Parquet file, a file gone).
        console.print(
            f"[red]error:[/red] {type(exc).__name__}: {exc}; the partitions written so far "
            f"are kept in {request.out}",
            soft_wrap=True,
        )
        raise typer.Exit(1) from exc
    except KeyboardInterrupt as exc:
        console.print(
            f"[yellow]interrupted[/yellow]: the partitions written so far are kept; "
            f"rerun with --resume to go on into {request.out}"
        )
        raise typer.Exit(130) from exc
    finally:
        runtime.dispose()


def _print_rules(rules: SweepRules, gated: int, engine: SweepEngine) -> None:
    if gated == 0:
        console.print(
            "[yellow]note:[/yellow] the registry has no gated brand: only counterfeit "
            "signals can be found"
        )
    console.print(
        f"screening for {gated} gated brand(s) of the registry and slang of severity "
        f"{rules.min_severity.value}+ (rules {rules.fingerprint[:12]}), engine: {engine.label}",
        soft_wrap=True,
    )


class _SweepProgress:
    """A Rich bar over the input (rows of Parquet, bytes of text) with rows and rows/s."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("sweeping"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} rows"),
            TextColumn("{task.fields[rate]:,.0f} rows/s"),
            TextColumn("{task.fields[findings]:,} findings"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.task = self.bar.add_task("sweep", total=None, rows=0, rate=0.0, findings=0)
        self.rows = 0
        self.findings = 0

    def __enter__(self) -> _SweepProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, plan: Plan, written: set[int]) -> None:
        """Shown from here on: a plan that fails shows no bar at all."""
        done = sum(p.units for p in plan.parts if p.index in written)
        self.bar.reset(self.task, total=plan.units, completed=done)
        self.bar.start()
        if written:
            console.print(
                f"resuming: {len(written)} of {len(plan.parts)} partition(s) already written"
            )

    def part(self, spec: PartSpec, result: PartResult, findings: int) -> None:
        self.rows += result.rows
        self.findings += findings
        elapsed = self.bar.tasks[0].elapsed or 1e-9
        self.bar.update(
            self.task,
            advance=spec.units,
            rows=self.rows,
            rate=self.rows / elapsed,
            findings=self.findings,
        )


def _print_skipped(report: SweepReport) -> None:
    for row in report.skipped[:SHOWN_SKIPPED]:
        console.print(Text.assemble(("skipped ", "yellow"), str(row)), soft_wrap=True)
    more = len(report.skipped) - SHOWN_SKIPPED
    if more > 0:
        console.print(f"... and {more:,} more skipped row(s): see {report.out / '_errors.jsonl'}")


def _print_summary(report: SweepReport) -> None:
    t = report.tally
    rate = report.rows_this_run / report.seconds if report.seconds else 0.0
    console.print(
        f"[green]swept[/green] {t.rows:,} rows ({t.skipped:,} skipped) in {report.seconds:.1f} s "
        f"({rate:,.0f} rows/s, {report.engine}): {t.findings:,} listing(s) with findings, "
        f"written to {report.out}",
        soft_wrap=True,
    )
    if report.resumed:
        console.print(
            f"({report.resumed} of {report.parts} partitions were written by an earlier run)"
        )
    for title, counts in (
        ("findings per code", t.codes.most_common()),
        (f"top {TOP} brands", t.brands.most_common(TOP)),
        (f"top {TOP} sellers", t.sellers.most_common(TOP)),
    ):
        if counts:
            table = Table(title=title, title_justify="left")
            table.add_column(title.split()[-1].rstrip("s"))
            table.add_column("findings", justify="right")
            for name, count in counts:
                table.add_row(name, f"{count:,}")
            console.print(table)


# -- apply -----------------------------------------------------------------------------------
@sweep_app.command("apply")
def sweep_apply(
    output_dir: Annotated[Path, typer.Argument(metavar="OUTPUT", help="a finished sweep's OUTPUT")],
    dry_run: Annotated[bool, typer.Option(help="say what would be done, change nothing")] = False,
    batch: Annotated[int, typer.Option(min=1, max=5_000, help="findings per batch")] = 500,
) -> None:
    """Hold the swept listings that name a gated brand without approved proof.

    Each goes through the gate, as a platform push: a hold, a statement of reasons and a
    notice to the seller. Running it again changes nothing more.
    """
    from probandi.bootstrap import bootstrap
    from probandi.config import Settings
    from probandi.domain.sweep import SWEEP
    from probandi.entrypoints.sweep.output import SUMMARY, part_files
    from probandi.services.sweep import ApplySweep, apply_sweep

    try:
        files = list(part_files(output_dir))
        total = int(json.loads((output_dir / SUMMARY).read_text())["findings"])
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    runtime = bootstrap(Settings.from_env(), migrate=True)
    counts: Counter[str] = Counter()
    progress = Progress(
        TextColumn("dry run" if dry_run else "applying"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} findings"),
        TimeRemainingColumn(),
        console=console,
    )
    try:
        with progress:
            task = progress.add_task("apply", total=total)
            for findings in _batches(files, batch):
                cmd = ApplySweep(SWEEP, tuple(findings), dry_run)
                for done in apply_sweep(cmd, svc=runtime.services):
                    counts[done.outcome.value] += 1
                    line = {**done.__dict__, "outcome": done.outcome.value, "dry_run": dry_run}
                    typer.echo(json.dumps(line, ensure_ascii=False))
                progress.advance(task, len(findings))
    finally:
        runtime.dispose()
    _print_outcomes(counts, dry_run)


def _batches(files: Sequence[Path], size: int) -> Iterator[list[Finding]]:
    from probandi.entrypoints.sweep.output import read_part_findings

    batch: list[Finding] = []
    for path in files:
        for finding in read_part_findings(path):
            batch.append(finding)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def _print_outcomes(counts: Counter[str], dry_run: bool) -> None:
    table = Table(title="sweep apply (dry run: nothing changed)" if dry_run else "sweep apply")
    table.add_column("outcome")
    table.add_column("listings", justify="right")
    for outcome, count in sorted(counts.items()):
        table.add_row(outcome, f"{count:,}")
    console.print(table)
