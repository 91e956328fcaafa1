"""The DSA Transparency Database API over HTTPS (httpx): `POST /api/v1/statements` with a
batch of up to 100 records and a bearer token, its answers read as a `BatchOutcome`.

The documented answers: 201 stores the whole batch. A 422 stores nothing and says why, per
record (`errors.statement_N`) or as puids already stored (`errors.existing_puids`). 401/403
mean the token is wrong; 429 and 5xx mean later. The token never reaches a log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from probandi.domain.transparency import BatchOutcome

TIMEOUT_SECONDS = 30.0


class HttpTransparencyDatabase:
    def __init__(self, base_url: str, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._url = base_url.rstrip("/") + "/api/v1/statements"
        self._client = httpx.Client(
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            trust_env=False,
            follow_redirects=False,
        )

    def submit(self, records: Sequence[Mapping[str, object]]) -> BatchOutcome:
        puids = [str(r["puid"]) for r in records]
        try:
            response = self._client.post(self._url, json={"statements": list(records)})
        except httpx.HTTPError as exc:
            return BatchOutcome(transient=f"{type(exc).__name__}: {exc}"[:300])
        if response.status_code == 201:
            return BatchOutcome(accepted=frozenset(puids))
        if response.status_code == 422:
            return _refusal(puids, _json(response))
        return BatchOutcome(transient=f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        self._client.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _refusal(puids: list[str], body: dict[str, Any]) -> BatchOutcome:
    errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
    assert isinstance(errors, dict)
    existing = errors.get("existing_puids")
    if isinstance(existing, list) and existing:
        return BatchOutcome(existing=frozenset(str(p) for p in existing) & frozenset(puids))
    refused: dict[str, dict[str, list[str]]] = {}
    for key, fields in errors.items():
        index = key.removeprefix("statement_")
        if key.startswith("statement_") and index.isdigit() and int(index) < len(puids):
            listed = fields.items() if isinstance(fields, dict) else []
            refused[puids[int(index)]] = {
                str(k): [str(m) for m in v] for k, v in listed if isinstance(v, list)
            }
    if not refused:
        return BatchOutcome(transient=f"HTTP 422 without per-record errors: {str(body)[:200]}")
    return BatchOutcome(refused=refused)
