"""The gate's BrandScreener port, served by the screening engine over the brand registry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.domain.brands import Brand, fold
from probandi.domain.screening.aliases import BrandMatch
from probandi.domain.screening.catalog import load_default_catalog, merge_registry
from probandi.domain.screening.evidence import TierPolicy, explain
from probandi.domain.screening.model import HELD, CatalogEntry, MatchKind, ScreenItem


@lru_cache(maxsize=1)
def default_catalog() -> tuple[CatalogEntry, ...]:
    return tuple(load_default_catalog())


class EngineScreener:
    """Finds the registry's gated brands, extended by the default catalog's names for them.

    Compatibility mentions ("strap for LV bags") are not brand claims and hold nothing.
    """

    def __init__(self, brands: list[Brand], tiers: TierPolicy = TierPolicy()) -> None:
        self._brands = [b for b in brands if b.gated]
        self._by_name = {b.name: b for b in self._brands}
        self._engine = ScreeningEngine(merge_registry(default_catalog(), self._brands), tiers=tiers)

    def screen(self, fields: dict[str, str | None]) -> list[BrandMatch]:
        named = [(name, text) for name, text in fields.items() if text]
        items = [ScreenItem(name, text, brand_field=name == "brand") for name, text in named]
        out: list[BrandMatch] = []
        for (name, _text), result in zip(named, self._engine.screen_batch(items), strict=True):
            for m in result.matches:
                if m.kind is MatchKind.COMPATIBILITY or m.tier not in HELD:
                    continue  # a possible match is a review signal, never a hold
                brand = self._by_name[m.brand]
                out.append(
                    BrandMatch(
                        brand.id,
                        brand.name,
                        name,
                        m.text,
                        m.start,
                        m.end,
                        m.kind.value,
                        m.tier.value,
                        m.score,
                        explain(m.evidence),
                    )
                )
        return out


def full_catalog(brands: list[Brand]) -> list[CatalogEntry]:
    """The default catalog with the registry's brands added or extended (the registry wins)."""
    registry = merge_registry(default_catalog(), brands)
    taken = {fold(n) for e in registry for n in e.aliases}
    rest = [e for e in default_catalog() if not any(fold(n) in taken for n in e.aliases)]
    return registry + rest


class CatalogEngineCache:
    """One engine over the full catalog per registry version, built on first use."""

    def __init__(self, tiers: TierPolicy = TierPolicy()) -> None:
        self._tiers = tiers
        self._lock = threading.Lock()
        self._built: tuple[int, ScreeningEngine] | None = None

    def get(self, version: int, load: Callable[[], list[Brand]]) -> ScreeningEngine:
        built = self._built
        if built is not None and built[0] == version:
            return built[1]
        with self._lock:
            if self._built is None or self._built[0] != version:
                engine = ScreeningEngine(full_catalog(load()), tiers=self._tiers)
                self._built = (version, engine)
            return self._built[1]
