"""Brand files (CSV or JSON) as the import endpoint and `probandi brands import` read them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import ValidationError

from probandi.domain.commands import BrandFields
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.api.schemas import BrandIn

# Spellings of a CSV `gated` cell. Anything else (`maybe`, an empty cell) is refused rather
# than read as true: gating a brand by accident holds every listing that names it.
GATED_SPELLINGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_brand_rows(content_type: str, raw: bytes) -> list[BrandFields]:
    """CSV (name,aliases,gated with | between aliases) or a JSON list of brands."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8", field="body") from exc
    if "csv" in content_type:
        return _csv_brands(text)
    return _json_brands(text)


def _csv_brands(text: str) -> list[BrandFields]:
    """Each data row by its line number (the header is line 1); no `gated` column gates all."""
    reader = csv.DictReader(io.StringIO(text))
    brands = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            item: dict[str, Any] = {
                "name": (row.get("name") or row.get("brand") or "").strip(),
                "aliases": [a for a in (row.get("aliases") or "").split("|") if a.strip()],
            }
            if "gated" in row:
                item["gated"] = _gated(row["gated"], where)
            brands.append(_brand(item, where))
    except csv.Error as exc:
        raise InvalidInput(
            "bad CSV at line %(line_num)s: %(exc)s",
            field="body",
            params={"line_num": reader.line_num, "exc": exc},
        ) from exc
    return brands


def _gated(cell: str | None, where: str) -> bool:
    spelled = (cell or "").strip().lower()
    if spelled not in GATED_SPELLINGS:
        shown = repr(cell) if spelled else "empty"
        raise InvalidInput(
            "%(where)s: gated is %(shown)s; write true/false, 1/0 or yes/no",
            field="gated",
            params={"where": where, "shown": shown},
        )
    return GATED_SPELLINGS[spelled]


def _json_brands(text: str) -> list[BrandFields]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "the file is not valid JSON: %(msg)s at line %(lineno)s column %(colno)s",
            field="body",
            params={"msg": exc.msg, "lineno": exc.lineno, "colno": exc.colno},
        ) from exc
    if not isinstance(items, list):
        raise InvalidInput("expected a JSON list of brands", field="body")
    return [_brand(item, f"brand {i}") for i, item in enumerate(items, start=1)]


def _brand(item: Any, where: str) -> BrandFields:
    try:
        return BrandIn.model_validate(item).to_fields()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(
            "%(where)s: %(field)s: %(msg)s",
            field=field,
            params={"where": where, "msg": first["msg"]},
        ) from exc
