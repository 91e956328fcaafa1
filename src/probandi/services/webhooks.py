"""Webhook endpoints (admins), the pull feed (the platform), attempt logs, redelivery,
test events and delivery metrics (ADR 0012)."""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import InvalidInput, NotFound
from probandi.domain.events import Event, EventType, example_event
from probandi.domain.webhooks import (
    MAX_DESCRIPTION_CHARS,
    OPEN_STATES,
    Attempt,
    Endpoint,
    check_addresses,
    check_url,
    event_types_of,
)
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.deliveries import number_events
from probandi.services.events import record
from probandi.services.ports import AddressResolver

MAX_OVERLAP = timedelta(days=7)
MAX_FEED_PAGE = 1000
MAX_REDELIVERY = 10_000


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class EndpointSpec:
    url: str
    event_types: Collection[str]
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class EndpointChange:
    url: str | None = None
    event_types: Collection[str] | None = None
    description: str | None = None
    enabled: bool | None = None


def _checked_url(url: str, resolver: AddressResolver, svc: Services) -> str:
    url = url.strip()
    host = check_url(url)
    check_addresses(host, resolver.resolve(host), svc.policy.webhooks)
    return url


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            "the description is longer than %(MAX_DESCRIPTION_CHARS)s characters",
            field="description",
            params={"MAX_DESCRIPTION_CHARS": MAX_DESCRIPTION_CHARS},
        )
    return text


def register_endpoint(
    spec: EndpointSpec, actor: Actor, resolver: AddressResolver, *, svc: Services
) -> tuple[Endpoint, str]:
    """An admin adds an endpoint; its signing secret is returned this once."""
    require_role(actor, Role.ADMIN)
    event_types = event_types_of(spec.event_types)  # the cheap checks before DNS
    description = _description(spec.description)
    url = _checked_url(spec.url, resolver, svc)
    with svc.uow() as uow:
        now = svc.clock.now()
        endpoint = Endpoint(
            id=uuid.uuid4().hex,
            url=url,
            event_types=event_types,
            description=description,
            enabled=spec.enabled,
            created_at=now,
        )
        secret = new_secret()
        uow.webhooks.add_endpoint(endpoint)
        uow.webhooks.add_secret(endpoint.id, secret, now)
        record(
            uow,
            actor,
            "webhook:endpoint:added",
            f"webhook:{endpoint.id}",
            now,
            url=url,
            event_types=sorted(endpoint.event_types),
            enabled=endpoint.enabled,
        )
        uow.commit()
    return endpoint, secret


def _endpoint(svc: Services, endpoint_id: str) -> Endpoint:
    with svc.reader() as uow:
        endpoint = uow.webhooks.endpoint(endpoint_id)
    if endpoint is None:
        raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
    return endpoint


def update_endpoint(
    endpoint_id: str,
    change: EndpointChange,
    actor: Actor,
    resolver: AddressResolver,
    *,
    svc: Services,
) -> Endpoint:
    """Change the URL, the types, the description; enable or disable. Enabling again
    clears the failing streak and the flag (an admin looked at it)."""
    require_role(actor, Role.ADMIN)
    url = None
    if change.url is not None and change.url.strip() != _endpoint(svc, endpoint_id).url:
        url = _checked_url(change.url, resolver, svc)  # DNS only for a new URL
    with svc.uow() as uow:
        now = svc.clock.now()
        endpoint = uow.webhooks.endpoint(endpoint_id)
        if endpoint is None:
            raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
        updated = replace(
            endpoint,
            url=url or endpoint.url,
            event_types=event_types_of(change.event_types)
            if change.event_types is not None
            else endpoint.event_types,
            description=_description(change.description)
            if change.description is not None
            else endpoint.description,
        )
        if change.enabled is True and not endpoint.enabled:
            updated = replace(
                updated, enabled=True, disabled_reason=None, failing_since=None, flagged_at=None
            )
        elif change.enabled is False and endpoint.enabled:
            updated = replace(updated, enabled=False, disabled_reason="disabled by an admin")
        if updated != endpoint:
            updated = uow.webhooks.save_endpoint(updated)
            record(
                uow,
                actor,
                "webhook:endpoint:changed",
                f"webhook:{endpoint.id}",
                now,
                url=updated.url,
                event_types=sorted(updated.event_types),
                enabled=updated.enabled,
            )
        uow.commit()
    return updated


def rotate_secret(
    endpoint_id: str, overlap: timedelta, actor: Actor, *, svc: Services
) -> tuple[str, datetime]:
    """A new secret, returned this once; the old ones still sign until the overlap ends,
    so receivers can switch without losing a message. Returns the secret and that end."""
    require_role(actor, Role.ADMIN)
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise InvalidInput("the overlap is between 0 and 7 days", field="overlap_seconds")
    with svc.uow() as uow:
        now = svc.clock.now()
        if uow.webhooks.endpoint(endpoint_id) is None:
            raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
        until = now + overlap
        uow.webhooks.expire_secrets(endpoint_id, until)
        secret = new_secret()
        uow.webhooks.add_secret(endpoint_id, secret, now)
        record(
            uow,
            actor,
            "webhook:secret:rotated",
            f"webhook:{endpoint_id}",
            now,
            old_secrets_until=until.isoformat(),
        )
        uow.commit()
    return secret, until


@dataclass(frozen=True)
class EndpointStats:
    queued: int = 0
    oldest_age_seconds: float | None = None
    dead: int = 0
    attempts: int = 0  # in the metrics window
    failures: int = 0


@dataclass(frozen=True)
class EndpointView:
    endpoint: Endpoint
    stats: EndpointStats


METRICS_WINDOW = timedelta(minutes=5)


def _stats(raw: dict[str, object] | None, now: datetime) -> EndpointStats:
    if not raw:
        return EndpointStats()
    oldest = raw.get("oldest")
    return EndpointStats(
        queued=int(raw.get("queued", 0)),  # type: ignore[call-overload]
        oldest_age_seconds=(now - oldest).total_seconds() if isinstance(oldest, datetime) else None,
        dead=int(raw.get("dead", 0)),  # type: ignore[call-overload]
        attempts=int(raw.get("attempts", 0)),  # type: ignore[call-overload]
        failures=int(raw.get("failures", 0)),  # type: ignore[call-overload]
    )


def list_endpoints(actor: Actor, *, svc: Services) -> list[EndpointView]:
    require_role(actor, Role.ADMIN)
    with svc.reader() as uow:
        now = svc.clock.now()
        stats = uow.webhooks.stats(now, now - METRICS_WINDOW)
        return [EndpointView(e, _stats(stats.get(e.id), now)) for e in uow.webhooks.endpoints()]


def get_endpoint(endpoint_id: str, actor: Actor, *, svc: Services) -> EndpointView:
    require_role(actor, Role.ADMIN)
    with svc.reader() as uow:
        now = svc.clock.now()
        endpoint = uow.webhooks.endpoint(endpoint_id)
        if endpoint is None:
            raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
        stats = uow.webhooks.stats(now, now - METRICS_WINDOW)
    return EndpointView(endpoint, _stats(stats.get(endpoint_id), now))


def endpoint_attempts(
    endpoint_id: str, actor: Actor, *, before: int | None, limit: int, svc: Services
) -> list[Attempt]:
    require_role(actor, Role.ADMIN)
    _endpoint(svc, endpoint_id)
    with svc.reader() as uow:
        return uow.webhooks.attempts(endpoint_id, before=before, limit=min(max(limit, 1), 500))


def redeliver(
    endpoint_id: str,
    actor: Actor,
    *,
    event_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    svc: Services,
) -> int:
    """Send one event again, or every event that occurred in [since, until): deliveries
    it had are sent again; events it never had (it was off, or added later) are queued."""
    require_role(actor, Role.ADMIN)
    by_range = since is not None or until is not None
    if (event_id is not None) == by_range or (by_range and (since is None or until is None)):
        raise InvalidInput("name one event_id, or both since and until", field="event_id")
    if since is not None and until is not None and until <= since:
        raise InvalidInput("until comes after since", field="until")
    with svc.uow() as uow:
        now = svc.clock.now()
        endpoint = uow.webhooks.endpoint(endpoint_id)
        if endpoint is None:
            raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
        if event_id is not None:
            events = list(uow.webhooks.events_by_id([event_id]).values())
            if not events:
                raise NotFound("no event %(event_id)r", event_id=event_id)
        else:
            assert since is not None
            assert until is not None
            events = uow.webhooks.events_between(since, until, MAX_REDELIVERY + 1)
            if len(events) > MAX_REDELIVERY:
                raise InvalidInput(
                    "more than %(MAX_REDELIVERY)s events in that range; narrow it",
                    field="since",
                    params={"MAX_REDELIVERY": MAX_REDELIVERY},
                )
        ids = {e.id for e in events}
        had = uow.webhooks.deliveries(endpoint_id, event_ids=ids, limit=MAX_REDELIVERY * 4)
        again = [d.redeliver(now) for d in had if d.state not in OPEN_STATES]
        uow.webhooks.save_deliveries(again)
        have = {d.event_id for d in had}
        fresh = [(endpoint_id, e) for e in events if e.id not in have]
        uow.webhooks.add_deliveries(fresh, now)
        count = len(again) + len(fresh)
        record(
            uow,
            actor,
            "webhook:redelivered",
            f"webhook:{endpoint_id}",
            now,
            event_id=event_id,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            queued=count,
        )
        uow.commit()
    return count


def send_test(endpoint_id: str, actor: Actor, *, svc: Services) -> Event:
    """Queue a `webhook.test` event for this endpoint alone ("send example")."""
    require_role(actor, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        if uow.webhooks.endpoint(endpoint_id) is None:
            raise NotFound("no webhook endpoint %(endpoint_id)r", endpoint_id=endpoint_id)
        (event,) = number_events(uow, [example_event(endpoint_id, now)])
        uow.webhooks.add_events([event], now, endpoint_id=endpoint_id)
        uow.webhooks.add_deliveries([(endpoint_id, event)], now)
        record(uow, actor, "webhook:test", f"webhook:{endpoint_id}", now, event_id=event.id)
        uow.commit()
    return event


@dataclass(frozen=True)
class DeliveryMetrics:
    unrelayed: int  # outbox messages not yet turned into events
    queued: int  # open deliveries, all endpoints
    oldest_age_seconds: float | None
    attempts_per_second: float  # over the last 5 minutes
    failures: int  # failed attempts over the last 5 minutes
    dead: int
    endpoints: dict[str, EndpointStats]


def delivery_metrics(actor: Actor, *, svc: Services) -> DeliveryMetrics:
    require_role(actor, Role.ADMIN, Role.PLATFORM)
    with svc.reader() as uow:
        now = svc.clock.now()
        raw = uow.webhooks.stats(now, now - METRICS_WINDOW)
        unrelayed = uow.webhooks.unrelayed_count()
    per = {endpoint_id: _stats(r, now) for endpoint_id, r in raw.items()}
    ages = [s.oldest_age_seconds for s in per.values() if s.oldest_age_seconds is not None]
    return DeliveryMetrics(
        unrelayed=unrelayed,
        queued=sum(s.queued for s in per.values()),
        oldest_age_seconds=max(ages) if ages else None,
        attempts_per_second=sum(s.attempts for s in per.values()) / METRICS_WINDOW.total_seconds(),
        failures=sum(s.failures for s in per.values()),
        dead=sum(s.dead for s in per.values()),
        endpoints=per,
    )


# --- the pull feed --------------------------------------------------------------------

CURSOR_PREFIX = "v1:"


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError(text)
        position = int(text.removeprefix(CURSOR_PREFIX))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not one this feed gave out", field="after", code="invalid_cursor"
        ) from None
    if position < 0:
        raise InvalidInput("the cursor is not one this feed gave out", field="after")
    return position


@dataclass(frozen=True)
class FeedPage:
    events: list[Event]
    next_cursor: str  # pass as `after` to continue; the same cursor when nothing is new
    has_more: bool


def event_feed(
    actor: Actor,
    *,
    after: str | None,
    limit: int,
    types: Collection[str] = (),
    svc: Services,
) -> FeedPage:
    """Events after the cursor, oldest first: the same events the webhooks carry."""
    require_role(actor, Role.PLATFORM, Role.ADMIN)
    if not 1 <= limit <= MAX_FEED_PAGE:
        raise InvalidInput(
            "limit is between 1 and %(MAX_FEED_PAGE)s",
            field="limit",
            params={"MAX_FEED_PAGE": MAX_FEED_PAGE},
        )
    known = {t.value for t in EventType if t is not EventType.TEST}
    unknown = sorted(set(types) - known)
    if unknown:
        raise InvalidInput(
            "unknown event type(s): %(unknown)s",
            field="types",
            params={"unknown": ", ".join(unknown)},
        )
    position = decode_cursor(after)
    with svc.reader() as uow:
        events = uow.webhooks.events_after(position, limit + 1, types)
    page = events[:limit]
    last = page[-1].position if page else position
    return FeedPage(page, encode_cursor(last), len(events) > limit)
