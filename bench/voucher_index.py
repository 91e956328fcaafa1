"""Voucher image index: exact PDQ lookups at radius 31 in 100k, 1M and 10M stored hashes.

Stored fingerprints are random 32-byte hashes plus `--planted` near-duplicates, each 1 to 31
bits away from one of the query hashes. The index is filled through its public `add` in
batches of 100,000 (key = row number). Per size and per `--threads` setting it prints:
recall of the planted hashes at radius 31 (must be 1.0); p50/p99 per lookup over
`--lookups` lookups; process RSS (VmRSS) and its growth while the index was built; and the
memory-bandwidth floor measured in the same run: a plain `arr.sum()` over a uint64 view of
the same number of bytes, timed between the lookups so both see the same neighbours; the
median gives bytes / GB/s. It also times the pure-numpy chunked scan (`numpy_search`) on
the first `--numpy-lookups` queries and checks it returns exactly what the index returns.

    .venv/bin/python bench/voucher_index.py [--sizes 100000,1000000,10000000] [--lookups 200]

Targets: p99 <= 1.5x the floor, and under 40 ms at 10M. The load average is printed: the
figures mean little while something else is using the cores.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray

from probandi.adapters.forensics.near_index import (
    HASH_BITS,
    HASH_BYTES,
    SHARD_SIZE,
    ShardedHammingIndex,
    numpy_search,
)

RADIUS = 31
BATCH = 100_000


@dataclass(frozen=True)
class Workload:
    """Stored hashes, query hashes, and where each planted near-duplicate went."""

    hashes: NDArray[np.uint8]
    queries: list[bytes]
    planted: list[tuple[int, int, int]]  # (query number, row, distance)


def workload(n: int, lookups: int, planted: int, seed: int) -> Workload:
    rng = np.random.default_rng(seed)
    hashes = np.frombuffer(bytearray(rng.bytes(n * HASH_BYTES)), dtype=np.uint8)
    hashes = hashes.reshape(n, HASH_BYTES)
    queries = [rng.bytes(HASH_BYTES) for _ in range(lookups)]
    rows = rng.choice(n, size=min(planted, n, lookups), replace=False)
    placed = []
    for number, row in enumerate(rows.tolist()):
        distance = 1 + number % RADIUS if number else RADIUS  # always one at exactly 31
        bits = rng.choice(HASH_BITS, size=distance, replace=False)
        near = np.unpackbits(np.frombuffer(queries[number], dtype=np.uint8))
        near[bits] ^= 1
        hashes[row] = np.packbits(near)
        placed.append((number, row, distance))
    return Workload(hashes, queries, placed)


def built(
    hashes: NDArray[np.uint8], threads: int, shard_size: int
) -> tuple[ShardedHammingIndex, float]:
    index = ShardedHammingIndex(shard_size, threads=threads)
    started = time.perf_counter()
    for first in range(0, len(hashes), BATCH):
        block = hashes[first : first + BATCH]
        index.add([(first + i, code.tobytes()) for i, code in enumerate(block)])
    return index, time.perf_counter() - started


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def recall(index: ShardedHammingIndex, work: Workload) -> float:
    found = 0
    for number, row, distance in work.planted:
        found += (row, distance) in index.search(work.queries[number], RADIUS)
    return found / len(work.planted)


def interleaved(
    lookup: Callable[[bytes], object], floor: Callable[[], object], queries: list[bytes]
) -> tuple[list[float], list[float]]:
    """Seconds per lookup and per floor read, alternating, after a short warm-up."""
    for query in queries[:5]:
        lookup(query)
        floor()
    lookups, floors = [], []
    for query in queries:
        started = time.perf_counter()
        lookup(query)
        lookups.append(time.perf_counter() - started)
        started = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - started)
    return lookups, floors


def percentile(seconds: list[float], q: float) -> float:
    return float(np.percentile(seconds, q)) * 1000


def numpy_check(index: ShardedHammingIndex, work: Workload, count: int) -> tuple[float, bool]:
    times, same = [], True
    for query in work.queries[:count]:
        started = time.perf_counter()
        expected = numpy_search(work.hashes, query, RADIUS)
        times.append(time.perf_counter() - started)
        same = same and index.search(query, RADIUS) == expected
    return statistics.median(times) * 1000, same


@dataclass(frozen=True)
class Figures:
    """One index build and its lookups, with the floor timed between them (seconds)."""

    n: int
    threads: int
    build: float
    rss_mb: float
    grown_mb: float
    recall: float
    lookups: list[float]
    floors: list[float]


def measured(work: Workload, threads: int, shard_size: int) -> tuple[ShardedHammingIndex, Figures]:
    gc.collect()
    before = rss_mb()
    index, build = built(work.hashes, threads, shard_size)
    after = rss_mb()
    lookup = partial(index.search, radius=RADIUS)
    lookups, floors = interleaved(lookup, work.hashes.view(np.uint64).sum, work.queries)
    n = len(work.hashes)
    figures = Figures(
        n, threads, build, after, after - before, recall(index, work), lookups, floors
    )
    return index, figures


def report(f: Figures) -> float:
    """Print one run's figures; returns the floor (ms) for further ratios."""
    floor_ms = statistics.median(f.floors) * 1000
    p50, p99 = percentile(f.lookups, 50), percentile(f.lookups, 99)
    megabytes = f.n * HASH_BYTES / 1e6
    print(
        f"  threads={f.threads}: built in {f.build:.1f} s,"
        f" RSS {f.rss_mb:,.0f} MB (+{f.grown_mb:,.0f} while building)"
    )
    print(f"    recall of planted near-duplicates at radius {RADIUS}: {f.recall}")
    print(f"    lookup p50 {p50:.3f} ms  p99 {p99:.3f} ms  (max {max(f.lookups) * 1000:.3f})")
    print(
        f"    floor: sum of {megabytes:,.0f} MB {floor_ms:.3f} ms"
        f" ({megabytes / floor_ms:.1f} GB/s);"
        f" its own p99 is {percentile(f.floors, 99) / floor_ms:.2f}x its median"
    )
    print(f"    p50 / floor {p50 / floor_ms:.2f}x   p99 / floor {p99 / floor_ms:.2f}x")
    print(f"    target p99 <= 1.5x floor: {'met' if p99 <= 1.5 * floor_ms else 'MISSED'}")
    if f.n >= 10_000_000:
        print(f"    target p99 < 40 ms at 10M: {'met' if p99 < 40 else 'MISSED'}")
    return floor_ms


# An upload queries each page's hashes as it is and turned 90, 180 and 270 degrees: the full
# page and its trimmed content before issue 16 (8 hashes), and the rectified page too after
# it (12), for a photo or screenshot. Before, one lookup per hash; now one pass for all.
BEFORE_QUERIES, AFTER_QUERIES = 8, 12


def per_upload(index: ShardedHammingIndex, uploads: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    batches = [[rng.bytes(HASH_BYTES) for _ in range(AFTER_QUERIES)] for _ in range(uploads)]
    one_by_one, together = [], []
    for batch in batches[:3]:  # warm-up
        index.search_many(batch, RADIUS)
    for batch in batches:  # interleaved, so both see the same neighbours
        started = time.perf_counter()
        for query in batch[:BEFORE_QUERIES]:
            index.search(query, RADIUS)
        one_by_one.append(time.perf_counter() - started)
        started = time.perf_counter()
        index.search_many(batch, RADIUS)
        together.append(time.perf_counter() - started)
    before = percentile(one_by_one, 50), percentile(one_by_one, 99)
    after = percentile(together, 50), percentile(together, 99)
    print(
        f"    per upload ({uploads} uploads): before, {BEFORE_QUERIES} hashes one lookup each: "
        f"p50 {before[0]:.1f} ms p99 {before[1]:.1f} ms; now, {AFTER_QUERIES} hashes in one "
        f"pass: p50 {after[0]:.1f} ms p99 {after[1]:.1f} ms; p99 ratio {after[1] / before[1]:.2f}x"
        " (target <= 1.2x)"
    )


def run_size(n: int, args: argparse.Namespace) -> None:
    work = workload(n, args.lookups, args.planted, seed=n)
    print(
        f"\n{n:,} stored hashes ({n * HASH_BYTES / 1e6:,.0f} MB, shards of {args.shard_size:,}),"
        f" load {os.getloadavg()[0]:.2f}"
    )
    for threads in args.threads:
        index, figures = measured(work, threads, args.shard_size)
        floor_ms = report(figures)
        if args.uploads:
            per_upload(index, args.uploads, seed=n + threads)
        if threads == args.threads[0] and args.numpy_lookups:
            numpy_ms, same = numpy_check(index, work, args.numpy_lookups)
            print(
                f"    numpy chunked scan p50 {numpy_ms:.3f} ms ({numpy_ms / floor_ms:.2f}x floor),"
                f" same results as the index: {same}"
            )
        del index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--planted", type=int, default=100)
    parser.add_argument("--threads", default="1,2", help="scan threads per lookup, to compare")
    parser.add_argument("--numpy-lookups", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=50, help="uploads' lookups timed")
    parser.add_argument("--shard-size", type=int, default=SHARD_SIZE)
    args = parser.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    print(f"{os.cpu_count()} cores; exact scan, radius {RADIUS}, {args.lookups} lookups per size")
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(n, args)


if __name__ == "__main__":
    main()
