"""Request dependencies: the wired services and the authenticated actor."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from probandi.domain.actors import Actor
from probandi.entrypoints import i18n
from probandi.services.context import Services
from probandi.services.keys import authenticate
from probandi.services.preferences import locale_of

CACHE_SECONDS = 1.0


class ActorCache:
    """Caches key lookups briefly, per process: a revoked key stops working within `ttl`
    seconds on every process sharing the database (Settings.auth_cache_seconds)."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Actor, str | None]] = {}

    def cached(self, raw: str) -> tuple[Actor, str | None] | None:
        """(the key's actor, its saved locale) while fresh."""
        hit = self._items.get(hashlib.sha256(raw.encode()).hexdigest())
        return (hit[1], hit[2]) if hit and hit[0] > time.monotonic() else None

    def get(self, raw: str, svc: Services) -> tuple[Actor, str | None] | None:
        digest = hashlib.sha256(raw.encode()).hexdigest()
        now = time.monotonic()
        hit = self._items.get(digest)
        if hit and hit[0] > now:
            return hit[1], hit[2]
        actor = authenticate(raw, svc=svc)
        if actor is None:
            return None
        locale = locale_of(actor, svc=svc)
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[digest] = (now + self.ttl, actor, locale)
        return actor, locale

    def forget(self, raw: str) -> None:
        """After the key's principal changed its settings: read them again next time."""
        self._items.pop(hashlib.sha256(raw.encode()).hexdigest(), None)


async def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def raw_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


async def current_actor(request: Request, svc: Annotated[Services, Depends(services)]) -> Actor:
    """Async so that a cached key costs no thread hand-off; a miss looks it up in a thread."""
    raw = raw_key(request)
    if not raw:
        raise HTTPException(401, "send an API key: 'Authorization: Bearer <key>'")
    cache: ActorCache = request.app.state.actor_cache
    found = cache.cached(raw) or await run_in_threadpool(cache.get, raw, svc)
    if found is None:
        raise HTTPException(401, "unknown or revoked API key")
    actor, setting = found
    if setting is not None:
        i18n.set_locale(setting)  # the caller's own choice beats Accept-Language
    return actor


Svc = Annotated[Services, Depends(services)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
