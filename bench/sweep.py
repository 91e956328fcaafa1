"""Catalog sweep speed: rows/s of `local` with 1 and 2 processes and `dask` with 2 workers.

Generates `--rows` listings (default 10,000,000) as Parquet in a temporary directory, from
the real e-commerce titles in ../shared/data mutated as bench/screening_speed.py does
(brand names inserted, some obfuscated; counterfeit slang; prices; 50,000 sellers). The
registry is a fresh SQLite database with 20 gated brands. Measured in the same run:

- the baseline: the same rules screening the first 1,000,000 rows in this process, one
  core, rows already read (`screen_rows` only);
- `run_sweep` end to end (plan, read, validate, screen, approval look-ups, Parquet output)
  with LocalEngine(1), LocalEngine(2) and DaskEngine on a LocalCluster of 2 workers; wall
  time includes starting the pool or cluster and building each worker's engine;
- peak memory: the RSS of this process and all its children, sampled every 0.1 s.

    .venv/bin/python bench/sweep.py [--rows 10000000] [--data DIR] [--part-rows 100000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import SYSTEM
from probandi.domain.brands import ReferencePrice
from probandi.domain.commands import BrandFields, SaveBrand
from probandi.domain.money import Money
from probandi.domain.screening.catalog import load_default_catalog
from probandi.domain.sweep import SweepRow, SweepRules, sweep_rules
from probandi.entrypoints.sweep.engines import DaskEngine, LocalEngine, SweepEngine
from probandi.entrypoints.sweep.partition import screen_rows
from probandi.entrypoints.sweep.plan import plan_sweep
from probandi.entrypoints.sweep.read import read_part
from probandi.entrypoints.sweep.runner import SweepRequest, run_sweep
from probandi.queries.sweep import approved_among
from probandi.services.brands import save_brand
from screening_speed import FILLERS, OBFUSCATIONS, real_titles

PER_FILE = 1_000_000
ROW_GROUP = 100_000
BASELINE_ROWS = 1_000_000
SELLERS = 50_000
GATED = (
    ("Gucci", 12000), ("Louis Vuitton", 15000), ("Chanel", 30000), ("Hermès", 60000),
    ("Prada", 14000), ("Dior", 20000), ("Rolex", 70000), ("Cartier", 40000),
    ("Burberry", 9000), ("Balenciaga", 8000), ("Fendi", 16000), ("Versace", 7000),
    ("Bottega Veneta", 20000), ("Saint Laurent", 15000), ("Givenchy", 12000),
    ("Valentino", 12000), ("Celine", 20000), ("Loewe", 15000), ("Tiffany & Co.", 10000),
    ("Omega", 40000),
)  # fmt: skip
SLANG = ("高仿", "1:1", "A货", "复刻", "原单", "replica", "同款", "原厂", "专柜品质")


def generate(folder: Path, rows: int) -> None:
    """Parquet files of PER_FILE rows, row groups of ROW_GROUP; seeded, so reproducible."""
    base = real_titles()
    names = [a for e in load_default_catalog() for a in e.aliases]
    folder.mkdir(parents=True, exist_ok=True)
    for number, start in enumerate(range(0, rows, PER_FILE)):
        rng = random.Random(number)
        count = min(PER_FILE, rows - start)
        columns: dict[str, list[Any]] = {c: [] for c in ("id", "seller_id", "title", "brand")}
        columns |= {"price": [], "currency": []}
        for i in range(start, start + count):
            title, brand = _title(rng, base, names)
            columns["id"].append(f"L{i:09d}")
            columns["seller_id"].append(f"shop-{int(rng.paretovariate(1.1)) % SELLERS:05d}")
            columns["title"].append(title)
            columns["brand"].append(brand)
            has_price = rng.random() < 0.85
            price = f"{rng.lognormvariate(6.5, 1.4):.2f}" if has_price else None
            columns["price"].append(price)
            columns["currency"].append("CNY" if has_price else None)
        table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
        pq.write_table(table, folder / f"catalog-{number:04d}.parquet", row_group_size=ROW_GROUP)
        print(f"  generated {start + count:,} rows", flush=True)


def _title(rng: random.Random, base: list[str], names: list[str]) -> tuple[str, str | None]:
    title = base[rng.randrange(len(base))]
    brand = None
    roll = rng.random()
    if roll < 0.20:
        brand = rng.choice(names)
        title = f"{brand} {title}"
    elif roll < 0.23:
        brand = rng.choice(names)
        title = f"{rng.choice(OBFUSCATIONS)(brand.lower())} {title}"
    if rng.random() < 0.5:
        title = f"{title} {rng.choice(FILLERS)}"
    if rng.random() < 0.06:
        title = f"{title} {rng.choice(SLANG)}"
    return title, (brand if brand and rng.random() < 0.3 else None)


def registry(folder: Path) -> Runtime:
    runtime = bootstrap(Settings(database_url=f"sqlite:///{folder / 'registry.db'}"), migrate=True)
    for name, price in GATED:
        prices = (ReferencePrice("*", Money(Decimal(price), "CNY")),)
        fields = BrandFields(name, gated=True, reference_prices=prices)
        save_brand(SaveBrand(SYSTEM, fields), svc=runtime.services)
    return runtime


class PeakRss:
    """The largest RSS of process `pid` plus all its children, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            with contextlib.suppress(psutil.Error):
                for proc in [self.process, *self.process.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


def baseline(data: Path, rules: SweepRules, rows: int) -> float:
    """Single-core screening of the same rules, in this process, on rows already read."""
    read: list[SweepRow] = []
    for part in plan_sweep(data, part_rows=ROW_GROUP).parts:
        read += read_part(part).rows
        if len(read) >= rows:
            break
    read = read[:rows]
    engine = ScreeningEngine(rules.catalog)
    gc.freeze()  # as each sweep worker does once its engine is built
    started = time.perf_counter()
    screen_rows(engine, rules, read)
    seconds = time.perf_counter() - started
    del engine, read
    gc.unfreeze()
    gc.collect()
    return rows / seconds


@dataclass(frozen=True)
class Run:
    name: str
    rows: int
    findings: int
    codes: dict[str, int]
    seconds: float
    peak: int
    startup: float  # until the first partition was written: pool or cluster, engines
    part: float  # median seconds a worker spent on one partition
    driver_cpu: float  # CPU seconds of the driver process (in dask: scheduler, nannies)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


ENGINES: dict[str, tuple[str, SweepEngine]] = {
    "local-1": ("local, 1 process", LocalEngine(1)),
    "local-2": ("local, 2 processes", LocalEngine(2)),
    "dask-2": ("dask, LocalCluster of 2 workers", DaskEngine(None, 2)),
}


def child(engine_key: str, data: Path, database: str, out: Path, part_rows: int) -> None:
    """One sweep, end to end, in a process of its own: prints its figures as JSON."""
    runtime = bootstrap(Settings(database_url=database))
    with runtime.services.reader() as uow:
        rules = sweep_rules(uow.brands.list_all())

    def approved(ids: Sequence[str]) -> set[str]:
        with Session(runtime.reader) as session:
            return approved_among(session, ids)

    started = time.perf_counter()
    cpu = time.process_time()
    first: list[float] = []
    request = SweepRequest(data, out, part_rows=part_rows)
    report = run_sweep(
        request,
        rules,
        ENGINES[engine_key][1],
        approved=approved,
        on_part=lambda *_: first.append(time.perf_counter() - started) if not first else None,
    )
    seconds = time.perf_counter() - started
    driver_cpu = time.process_time() - cpu
    runtime.dispose()
    parts = [json.loads(line) for line in (out / "_manifest.jsonl").read_text().splitlines()]
    part = statistics.median(p["seconds"] for p in parts if "part" in p)
    t = report.tally
    figures = {"rows": t.rows, "findings": t.findings, "codes": t.codes, "s": seconds}
    figures |= {"startup": first[0], "part": part, "driver_cpu": driver_cpu}
    print(json.dumps(figures))


def measure(engine_key: str, data: Path, root: Path, database: str, part_rows: int) -> Run:
    out = root / f"{engine_key}.parquet"
    command = [sys.executable, __file__, "--child", engine_key, "--data", str(data)]
    command += ["--database", database, "--out", str(out), "--part-rows", str(part_rows)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    with PeakRss(process.pid) as peak:
        stdout, _ = process.communicate()
    shutil.rmtree(out, ignore_errors=True)
    if process.returncode != 0:
        raise SystemExit(f"{engine_key} failed ({process.returncode})")
    found = json.loads(stdout.strip().splitlines()[-1])
    name = ENGINES[engine_key][0]
    run = Run(
        name,
        found["rows"],
        found["findings"],
        found["codes"],
        found["s"],
        peak.peak,
        found["startup"],
        found["part"],
        found["driver_cpu"],
    )
    print(f"  {name}: {run.rate:,.0f} rows/s", flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, help="keep the generated catalog here, reuse it")
    parser.add_argument("--part-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="medians of this many runs each")
    parser.add_argument("--child", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.database, args.out, args.part_rows)
        return
    root = Path(tempfile.mkdtemp(prefix="probandi-sweep-bench-"))
    data = args.data or root / "catalog"
    try:
        started = time.perf_counter()
        marker = data / f".rows-{args.rows}"
        if not marker.exists():
            shutil.rmtree(data, ignore_errors=True)
            generate(data, args.rows)
            marker.touch()
        print(f"catalog: {args.rows:,} rows in {time.perf_counter() - started:.0f} s ({data})")
        runtime = registry(root)
        with runtime.services.reader() as uow:
            rules = sweep_rules(uow.brands.list_all())
        database = runtime.settings.database_url
        runtime.dispose()
        single = baseline(data, rules, min(BASELINE_ROWS, args.rows))
        print(f"  baseline: {single:,.0f} rows/s", flush=True)
        runs: dict[str, list[Run]] = {key: [] for key in ENGINES}
        for round_ in range(args.rounds):
            # Every other round the other way round: the machine drifts within a run too.
            for key in list(ENGINES) if round_ % 2 == 0 else list(reversed(ENGINES)):
                runs[key].append(measure(key, data, root, database, args.part_rows))
        report(args.rows, single, runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _median(runs: list[Run]) -> Run:
    """The run of median speed; with the highest peak memory of all of them."""
    middle = sorted(runs, key=lambda r: r.rate)[len(runs) // 2]
    return replace(middle, peak=max(r.peak for r in runs))


def report(rows: int, single: float, every: dict[str, list[Run]]) -> None:
    found = {
        (r.rows, r.findings, tuple(sorted(r.codes.items()))) for rs in every.values() for r in rs
    }
    same = len(found) == 1
    runs = [_median(rs) for rs in every.values()]
    rounds = len(next(iter(every.values())))
    codes = dict(sorted(runs[0].codes.items(), key=lambda kv: -kv[1]))
    print(f"\n{rows:,} rows, {runs[0].findings:,} findings {codes}; the same in every run: {same}")
    print(f"single-core screening, in-process baseline: {single:,.0f} rows/s")
    if rounds > 1:
        print(f"medians of {rounds} rounds")
    head = f"{'engine':<34}{'wall s':>8}{'rows/s':>10}{'x baseline':>11}{'peak RSS':>10}"
    print(f"{head}{'startup s':>10}{'part s':>8}{'driver CPU s':>13}")
    for r in runs:
        line = f"{r.name:<34}{r.seconds:>8.1f}{r.rate:>10,.0f}{r.rate / single:>10.2f}x"
        line += f"{r.peak / 2**20:>7,.0f} MB{r.startup:>10.1f}{r.part:>8.2f}{r.driver_cpu:>13.1f}"
        print(line)
    one, two, dask = (r.rate for r in runs)
    peak = max(r.peak for r in runs)
    scaling, versus = two / one, dask / two
    print(f"2-process scaling: {scaling:.2f}x (target >= 1.7x): {_verdict(scaling >= 1.7)}")
    print(
        f"dask / local at 2 workers: {versus:.2f}x (target within 25 %): "
        f"{_verdict(abs(versus - 1) <= 0.25)}"
    )
    print(f"peak memory: {peak / 2**20:,.0f} MB (target < 2 GB): {_verdict(peak < 2 * 2**30)}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


if __name__ == "__main__":
    main()
