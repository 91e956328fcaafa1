"""The partition function, the same for every engine, and the engine each worker builds once.

A worker gets the rules once (a process pool's initializer, a Dask worker plugin), builds
its screening engine from them, and keeps it for every partition it is given after that.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.domain.screening.model import ScreenItem
from probandi.domain.sweep import Finding, SweepRow, SweepRules, finding_of
from probandi.entrypoints.sweep.output import findings_table
from probandi.entrypoints.sweep.parts import PartResult, PartSpec
from probandi.entrypoints.sweep.read import read_part

BATCH = 20_000  # titles per screen_batch call: bounded memory whatever the partition size

_lock = threading.Lock()
_engines: dict[str, tuple[SweepRules, ScreeningEngine, str]] = {}
_serial = itertools.count(1)


def install_rules(rules: SweepRules) -> None:
    """Build this process's engine for `rules`, unless it has one already."""
    with _lock:
        if rules.fingerprint in _engines:
            return
        engine = ScreeningEngine(rules.catalog, tiers=rules.tiers)
        _engines.clear()  # one registry at a time: an engine is a few hundred MB
        _engines[rules.fingerprint] = (rules, engine, f"{os.getpid()}:{next(_serial)}")
        # The engine is millions of long-lived objects: out of the collector's sight, a
        # partition's full collections no longer walk them (a third of a partition's time).
        gc.freeze()


def installed(fingerprint: str) -> tuple[SweepRules, ScreeningEngine, str]:
    found = _engines.get(fingerprint)
    if found is None:
        raise RuntimeError(f"sweep rules {fingerprint[:12]} are not installed in this worker")
    return found


def screen_parts(specs: Iterable[PartSpec], fingerprint: str) -> list[PartResult]:
    """Read, validate and screen partitions: what `map_partitions` and the pool run."""
    return [screen_part(spec, fingerprint) for spec in specs]


def screen_part(spec: PartSpec, fingerprint: str) -> PartResult:
    rules, engine, worker = installed(fingerprint)
    started = time.perf_counter()
    with _collector_paused():  # rows are tuples and text: no reference cycles to collect
        part = read_part(spec)
        findings = findings_table(screen_rows(engine, rules, part.rows))
    return PartResult(
        spec.index,
        part.seen,
        part.lines,
        findings,
        tuple(part.errors),
        time.perf_counter() - started,
        worker,
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def screen_rows(
    engine: ScreeningEngine, rules: SweepRules, rows: Sequence[SweepRow]
) -> list[Finding]:
    """The gate's screening of each row's title and brand field, as findings."""
    out: list[Finding] = []
    for begin in range(0, len(rows), BATCH):
        batch = rows[begin : begin + BATCH]
        items = [ScreenItem(r.listing_id, r.title, r.price, r.currency) for r in batch]
        declared = [i for i, r in enumerate(batch) if r.brand]
        items += [
            ScreenItem(
                batch[i].listing_id, batch[i].brand or "", batch[i].price, batch[i].currency, True
            )
            for i in declared
        ]
        results = engine.screen_batch(items)
        brands = dict(zip(declared, results[len(batch) :], strict=True))
        for i, row in enumerate(batch):
            found = finding_of(row, results[i], brands.get(i), min_severity=rules.min_severity)
            if found is not None:
                out.append(found)
    return out
