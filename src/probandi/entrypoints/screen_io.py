"""Screening input and output as JSON lines: shared by `probandi screen` and the sweep."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from probandi.domain.screening.model import ScreenItem, ScreenResult

MAX_TITLE = 2_000


class BadLine(ValueError):
    """An input line that cannot be screened; the message says why."""


def parse_line(line: str, number: int) -> ScreenItem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"line {number}: not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise BadLine(f"line {number}: expected a JSON object")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BadLine(f"line {number}: missing title")
    if len(title) > MAX_TITLE:
        raise BadLine(f"line {number}: title longer than {MAX_TITLE} characters")
    try:
        title.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadLine(f"line {number}: title has a lone surrogate (invalid Unicode)") from exc
    price = data.get("price")
    try:
        amount = None if price is None else Decimal(str(price))
    except InvalidOperation as exc:
        raise BadLine(f"line {number}: price {price!r} is not a number") from exc
    currency = data.get("currency")
    return ScreenItem(
        str(data.get("id", number)), title, amount, currency if isinstance(currency, str) else None
    )


def result_json(result: ScreenResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "matches": [
            {
                "brand": m.brand,
                "text": m.text,
                "start": m.start,
                "end": m.end,
                "kind": m.kind.value,
                "tier": m.tier.value,
                "score": m.score,
                "evidence": list(m.evidence),
            }
            for m in result.matches
        ],
        "signals": [
            {"code": s.code, "severity": s.severity.value, "text": s.text} for s in result.signals
        ],
    }
