"""The screener cache: one matcher per brand-registry version, shared across threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from probandi.adapters.db.repositories import RegistryVersionCache
from probandi.domain.brands import Brand
from probandi.domain.screening import AliasMatcher
from probandi.services.ports import BrandScreener


class AliasScreenerCache:
    """Rebuilds the screener only when the registry version moves.

    `recent()` spares a database look-up per listing push: the version is re-read at most
    once a second, and at once after a registry change in this process.
    """

    def __init__(
        self,
        build: Callable[[list[Brand]], BrandScreener] = AliasMatcher,
        versions: RegistryVersionCache | None = None,
        max_age: float = 1.0,
    ) -> None:
        self._build = build
        self._versions = versions
        self._max_age = max_age
        self._lock = threading.Lock()
        self._version = -1
        self._screener: BrandScreener | None = None
        self._confirmed = (0.0, -1)  # (when, registry generation then)

    def recent(self) -> BrandScreener | None:
        found = self.recent_versioned()
        return found[0] if found else None

    def recent_versioned(self) -> tuple[BrandScreener, int] | None:
        if self._versions is None:
            return None
        when, generation = self._confirmed
        fresh = time.monotonic() - when <= self._max_age
        with self._lock:
            screener, version = self._screener, self._version
        if screener is None or not fresh or generation != self._versions.generation:
            return None
        return screener, version

    def get(self, version: int, load: Callable[[], list[Brand]]) -> BrandScreener:
        generation = self._versions.generation if self._versions else -1
        screener = self._screener
        if screener is None or self._version != version:
            with self._lock:
                if self._screener is None or self._version != version:
                    self._screener = self._build(load())
                    self._version = version
                screener = self._screener
        self._confirmed = (time.monotonic(), generation)
        return screener
