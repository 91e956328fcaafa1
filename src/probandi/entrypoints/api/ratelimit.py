"""API rate limits: a token bucket per API key, kept in this server process.

The middleware runs outside the idempotency layer, so a refused request stores no answer
and its retry after `Retry-After` runs normally. Limits are per process: N server processes
allow a key up to N times the rate (docs/security.md)."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from probandi.entrypoints.api import problems

MAX_BUCKETS = 100_000


class TokenBuckets:
    """`rate` tokens a second up to `burst`, one bucket per key; `take` says how long to
    wait (0.0 when a token was taken)."""

    def __init__(self, rate: float, burst: int, now: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._now = rate, float(max(1, burst)), now
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float:
        now = self._now()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
                    self._buckets.clear()  # a flood of made-up keys: start every bucket full
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def presented_key(scope: Scope) -> str | None:
    name: bytes
    value: bytes
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].strip().decode("latin-1")
        if name == b"x-api-key":
            return value.decode("latin-1")
    return None


class RateLimitMiddleware:
    """429 application/problem+json with `Retry-After` once a key's bucket is empty."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None) -> None:
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        raw = presented_key(scope)
        wait = self.buckets.take(hashlib.sha256(raw.encode()).hexdigest()) if raw else 0.0
        if wait <= 0.0:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        response = problems.problem(
            429,
            "rate_limited",
            "too many requests for this API key; retry after %(retry_after)s s",
            params={"retry_after": seconds},
            retry_after=seconds,
        )
        response.headers["Retry-After"] = str(seconds)
        await response(scope, receive, send)


def buckets_for(rate: float, burst: int) -> TokenBuckets | None:
    return TokenBuckets(rate, burst) if rate > 0 else None
