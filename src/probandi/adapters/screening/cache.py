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
        if self._versions is None:
            return None
        when, generation = self._confirmed
        fresh = time.monotonic() - when <= self._max_age
        return self._screener if fresh and generation == self._versions.generation else None

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
