"""Where partitions run: a local process pool or a Dask cluster, with one partition function.

Both engines run `screen_parts` on each partition, keep at most two partitions per worker in
flight (memory stays bounded whatever the input size) and yield results as they finish.
Each worker builds its screening engine once, before its first partition.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from probandi.domain.sweep import SweepRules
from probandi.entrypoints.sweep.partition import install_rules, screen_part, screen_parts
from probandi.entrypoints.sweep.parts import PartResult, PartSpec

IN_FLIGHT_PER_WORKER = 2
PRE_SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"


class SweepEngine(Protocol):
    @property
    def label(self) -> str: ...

    def run(self, parts: Sequence[PartSpec], rules: SweepRules) -> Iterator[PartResult]:
        """Results in the order they finish."""
        ...


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class InlineEngine:
    """Partitions screened in this process, one after another: for tests and debugging."""

    label: str = "inline"

    def run(self, parts: Sequence[PartSpec], rules: SweepRules) -> Iterator[PartResult]:
        install_rules(rules)
        for spec in parts:
            yield screen_part(spec, rules.fingerprint)


@dataclass(frozen=True)
class LocalEngine:
    """A pool of `workers` processes (spawned: no inherited threads or connections)."""

    workers: int

    @property
    def label(self) -> str:
        return f"local, {self.workers} process(es)"

    def run(self, parts: Sequence[PartSpec], rules: SweepRules) -> Iterator[PartResult]:
        if not parts:
            return
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=install_rules, initargs=(rules,)
        )
        try:
            pending = iter(parts)
            window = IN_FLIGHT_PER_WORKER * self.workers
            running: set[Future[list[PartResult]]] = set()
            while True:
                for spec in itertools.islice(pending, window - len(running)):
                    running.add(pool.submit(screen_parts, [spec], rules.fingerprint))
                if not running:
                    break
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class DaskEngine:
    """A dask.distributed cluster at `scheduler`, or a LocalCluster of `workers` processes.

    The partitions are a Dask bag, one spec per partition, screened with `map_partitions`.
    """

    scheduler: str | None
    workers: int

    @property
    def label(self) -> str:
        where = self.scheduler or f"a LocalCluster of {self.workers} worker process(es)"
        return f"dask, {where}"

    def run(self, parts: Sequence[PartSpec], rules: SweepRules) -> Iterator[PartResult]:
        import dask.bag as db
        from distributed import as_completed

        from probandi.entrypoints.sweep.plugin import RulesPlugin

        if not parts:
            return
        client, cluster = self._connect()
        try:
            name = f"probandi-sweep-{rules.fingerprint[:16]}"
            plugin = RulesPlugin(rules, ignore_interrupts=cluster is not None)
            client.register_plugin(plugin, name=name)
            bag = db.from_sequence(list(parts), npartitions=len(parts))  # type: ignore[no-untyped-call]
            pending = iter(bag.map_partitions(screen_parts, rules.fingerprint).to_delayed())
            slots = sum(client.nthreads().values())
            first = [
                client.compute(d)
                for d in itertools.islice(pending, IN_FLIGHT_PER_WORKER * max(1, slots))
            ]
            running = as_completed(first)  # type: ignore[no-untyped-call]
            for future in running:
                results: list[PartResult] = future.result()
                future.release()
                following = next(pending, None)
                if following is not None:
                    running.add(client.compute(following))  # type: ignore[no-untyped-call]
                yield from results
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _connect(self) -> tuple[Any, Any]:
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            return Client(self.scheduler), None  # type: ignore[no-untyped-call]
        # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which fixes
        # glibc's thresholds: every large buffer a partition frees goes back to the system
        # and faults in again, 10 to 25 % of a partition's time (bench/README.md). A sweep
        # keeps its memory bounded by itself; None unsets the variable (dask's own rule).
        with dask.config.set({f"{PRE_SPAWN_ENVIRON}.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        return Client(cluster), cluster  # type: ignore[no-untyped-call]
