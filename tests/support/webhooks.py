"""Webhook test helpers: register an endpoint over HTTP, wait for deliveries, verify
every request with the `standardwebhooks` verifier, order events per subject."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks import Webhook

from probandi.config import Settings
from probandi.domain.policy import Policy
from probandi.domain.webhooks import WebhookPolicy
from tests.support.receiver import ReceiverProcess


def loopback_settings(database_url: str, tmp_path: Path, **policy: Any) -> Settings:
    """Test settings where webhook targets on 127.0.0.1 are allowed (the receiver's)."""
    webhooks = WebhookPolicy(allow_private_targets=True, **policy)
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        policy=Policy(read_vouchers=False, webhooks=webhooks),
    )


def register(
    admin: Callable[..., httpx.Response], url: str, types: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """POST an endpoint as admin; its JSON, with the secret shown this once."""
    body = {"url": url, "event_types": types or ["*"], "description": "test receiver", **extra}
    r = admin("POST", "/v1/webhooks/endpoints", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def wait_until(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


TOLERANCE = 300  # seconds: Standard Webhooks' window for the timestamp


def verify_at_receipt(secret: str, request: dict[str, Any]) -> Any:
    """What a receiver verifying on arrival finds: the signature over id.timestamp.body, and
    the timestamp within 5 minutes of when the request came in (not of when the test looks,
    which a long run under load can put minutes later). The parsed event."""
    headers = request["headers"]
    stamp = int(headers["webhook-timestamp"])
    if abs(request["start"] - stamp) > TOLERANCE:
        raise ValueError(f"timestamp {stamp} is too far from the receipt at {request['start']}")
    expected = Webhook(secret).sign(
        headers["webhook-id"], datetime.fromtimestamp(stamp, UTC), request["body"]
    )
    if expected not in headers["webhook-signature"].split():
        raise ValueError("no signature matches")
    return json.loads(request["body"])


def verified(receiver: ReceiverProcess, *secrets: str) -> list[dict[str, Any]]:
    """Every request the receiver took, verified with one of `secrets` (the verifier
    raises on a bad signature); each with its parsed event and the answer it got."""
    out = []
    for request in receiver.requests():
        event = None
        for secret in secrets:
            try:
                event = verify_at_receipt(secret, request)
                break
            except Exception:  # try the next secret; none matching fails below
                continue
        assert event is not None, f"no secret verifies {request['headers']}"
        assert event["id"] == request["headers"]["webhook-id"]
        out.append({**request, "event": event})
    return out


def delivered(receiver: ReceiverProcess, *secrets: str) -> list[dict[str, Any]]:
    """Events the receiver accepted (2xx), in the order it accepted them."""
    return [r["event"] for r in verified(receiver, *secrets) if 200 <= r["status"] < 300]


def by_subject(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        grouped[event["subject"]].append(event)
    return grouped


def assert_in_order(events: list[dict[str, Any]], *, contiguous: bool = False) -> None:
    """Per subject, first receipts come in sequence order (and, for an endpoint that takes
    every type from the subject's first event on, with no gap)."""
    for subject, got in by_subject(events).items():
        seen: list[int] = []
        for e in got:
            if e["sequence"] not in seen:
                seen.append(e["sequence"])
        assert seen == sorted(seen), f"{subject} out of order: {seen}"
        if contiguous:
            assert seen == list(range(1, len(seen) + 1)), f"{subject} has a gap: {seen}"
