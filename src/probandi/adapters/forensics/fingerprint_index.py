"""The near-duplicate index the services use: the sharded Hamming index plus a high-water
mark, so it can be brought level with the database at any time (at start, before a lookup)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from probandi.adapters.forensics.near_index import SHARD_SIZE, ShardedHammingIndex


class FingerprintIndex:
    def __init__(self, shard_size: int = SHARD_SIZE) -> None:
        self._index = ShardedHammingIndex(shard_size)
        self._high_water = 0
        self._lock = threading.Lock()
        self.on_search: Callable[[float], None] | None = None  # seconds per lookup (metrics)

    @property
    def high_water(self) -> int:
        return self._high_water

    def __len__(self) -> int:
        return len(self._index)

    def add(self, entries: Sequence[tuple[int, str]]) -> None:
        with self._lock:
            fresh = [(seq, bytes.fromhex(pdq)) for seq, pdq in entries if seq > self._high_water]
            if fresh:
                self._index.add(fresh)
                self._high_water = max(seq for seq, _ in fresh)

    def search(self, pdq: str, radius: int) -> list[tuple[int, int]]:
        return self.search_many([pdq], radius)[0]

    def search_many(self, pdqs: Sequence[str], radius: int) -> list[list[tuple[int, int]]]:
        started = time.perf_counter()
        found = self._index.search_many([bytes.fromhex(pdq) for pdq in pdqs], radius)
        if self.on_search is not None:
            self.on_search(time.perf_counter() - started)
        return found
