"""The screener cache: one matcher per brand-registry version, shared across threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

from probandi.domain.brands import Brand
from probandi.domain.screening import AliasMatcher
from probandi.services.ports import BrandScreener


class AliasScreenerCache:
    """Rebuilds the matcher only when the registry version moves."""

    def __init__(self, build: Callable[[list[Brand]], BrandScreener] = AliasMatcher) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._version = -1
        self._screener: BrandScreener | None = None

    def get(self, version: int, load: Callable[[], list[Brand]]) -> BrandScreener:
        screener = self._screener
        if screener is not None and self._version == version:
            return screener
        with self._lock:
            if self._screener is None or self._version != version:
                self._screener = self._build(load())
                self._version = version
            return self._screener
