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


def parse_brand_rows(content_type: str, raw: bytes) -> list[BrandFields]:
    """CSV (name,aliases,gated with | between aliases) or a JSON list of brands."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8", field="body") from exc
    try:
        if "csv" in content_type:
            items: list[Any] = [
                {
                    "name": (r.get("name") or r.get("brand") or "").strip(),
                    "aliases": [a for a in (r.get("aliases") or "").split("|") if a.strip()],
                    "gated": (r.get("gated") or "true").strip().lower() not in ("false", "0", "no"),
                }
                for r in csv.DictReader(io.StringIO(text))
            ]
        else:
            items = json.loads(text)
            if not isinstance(items, list):
                raise InvalidInput("expected a JSON list of brands", field="body")
        return [BrandIn.model_validate(item).to_fields() for item in items]
    except (ValidationError, json.JSONDecodeError, csv.Error) as exc:
        raise InvalidInput(f"bad brand file: {str(exc)[:300]}", field="body") from exc
