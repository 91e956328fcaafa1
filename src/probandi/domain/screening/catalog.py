"""Brand catalogs: the default one shipped with the package, a file, or the registry."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from probandi.domain.brands import Brand, fold
from probandi.domain.errors import InvalidInput
from probandi.domain.screening.model import CatalogEntry

DATA = Path(__file__).parent / "data"
SHORT_MAX = 3  # Latin aliases this short are ambiguous (LV, CC, GG) and need brand context


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("%(field)s must be a list of strings", field=where)
    return tuple(v.strip() for v in value if v.strip())


def is_short(alias: str) -> bool:
    text = fold(alias).replace("&", "").replace(" ", "")
    return len(text) <= SHORT_MAX and text.isascii()


def entry_from_dict(item: Mapping[str, object]) -> CatalogEntry:
    """`{"brand", "aliases", "short", "slang", "common_word"}`; short aliases found if unsorted."""
    brand = item.get("brand")
    if not isinstance(brand, str) or not brand.strip():
        raise InvalidInput("each brand needs a non-empty 'brand'", field="brand")
    aliases = _strings(item.get("aliases"), "aliases")
    long_aliases = tuple(a for a in aliases if not is_short(a))
    shorts = _strings(item.get("short"), "short") + tuple(a for a in aliases if is_short(a))
    return CatalogEntry(
        brand=brand.strip(),
        aliases=tuple(dict.fromkeys((brand.strip(), *long_aliases))),
        short=tuple(dict.fromkeys(shorts)),
        slang=_strings(item.get("slang"), "slang"),
        common_word=bool(item.get("common_word", False)),
    )


def load_default_catalog() -> list[CatalogEntry]:
    """The catalog shipped with probandi (written by the project from public knowledge)."""
    items = json.loads((DATA / "brands.json").read_text(encoding="utf-8"))
    return [entry_from_dict(item) for item in items]


def parse_catalog(text: str, *, csv_format: bool) -> list[CatalogEntry]:
    """A `--brands` file: CSV `brand,aliases` (aliases split by |) or a JSON list."""
    if csv_format:
        rows = csv.DictReader(io.StringIO(text))
        if not rows.fieldnames or "brand" not in rows.fieldnames:
            raise InvalidInput("the CSV needs a header with 'brand' and 'aliases'", field="brands")
        items: list[Mapping[str, object]] = [
            {"brand": r.get("brand") or "", "aliases": (r.get("aliases") or "").split("|")}
            for r in rows
        ]
    else:
        loaded = json.loads(text)
        if not isinstance(loaded, list) or not all(isinstance(i, dict) for i in loaded):
            raise InvalidInput("expected a JSON list of {brand, aliases}", field="brands")
        items = loaded
    return [entry_from_dict(item) for item in items]


def merge_registry(defaults: Sequence[CatalogEntry], brands: Iterable[Brand]) -> list[CatalogEntry]:
    """Registry brands, each extended by the default catalog's entry of the same name."""
    by_name: dict[str, CatalogEntry] = {}
    for entry in defaults:
        for name in entry.aliases:
            by_name.setdefault(fold(name), entry)
    merged = []
    for brand in brands:
        known = next((by_name[fold(n)] for n in brand.all_names if fold(n) in by_name), None)
        extra = entry_from_dict({"brand": brand.name, "aliases": list(brand.aliases)})
        if known is None:
            merged.append(extra)
            continue
        merged.append(
            CatalogEntry(
                brand=brand.name,
                aliases=tuple(dict.fromkeys((*extra.aliases, *known.aliases))),
                short=tuple(dict.fromkeys((*extra.short, *known.short))),
                slang=known.slang,
                common_word=known.common_word,
            )
        )
    return merged
