"""Webhook endpoints and deliveries: states as a transition table, retries, target rules.

A delivery is one event owed to one endpoint. It is delivered at least once and in order
per subject: the next delivery of a subject waits until the one before it is delivered or
dead-lettered (ADR 0012)."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.events import CATALOG
from probandi.domain.jobs import backoff

MAX_URL_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 500
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class WebhookPolicy:
    """How hard probandi tries: the retry window, when an endpoint is disabled, limits."""

    retry_window: timedelta = timedelta(days=3)
    disable_after: timedelta = timedelta(days=5)  # failing this long: disabled, admins told
    backoff_base: timedelta = timedelta(seconds=5)
    backoff_cap: timedelta = timedelta(hours=4)
    timeout_seconds: float = 10.0
    max_response_bytes: int = 64 * 1024
    per_endpoint_concurrency: int = 16
    # Deliveries a worker claims ahead per endpoint, sent as its slots free: one turn's
    # transaction records and claims many (never fewer than the concurrency).
    claim_window: int = 64
    lease: timedelta = timedelta(seconds=60)
    allow_private_targets: bool = False  # admin setting: loopback and private ranges (tests)


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # waiting for its turn or its next attempt
    SENDING = "sending"  # claimed under a lease by a worker
    DELIVERED = "delivered"
    DEAD = "dead"  # the retry window passed: dead-lettered


class DeliveryAction(enum.StrEnum):
    CLAIM = "claim"
    SUCCEED = "succeed"
    FAIL = "fail"  # retry after a backoff
    GIVE_UP = "give_up"  # the retry window passed
    REDELIVER = "redeliver"  # an admin sends it again


DELIVERY_TRANSITIONS: dict[tuple[DeliveryState, DeliveryAction], DeliveryState] = {
    (DeliveryState.PENDING, DeliveryAction.CLAIM): DeliveryState.SENDING,
    (DeliveryState.SENDING, DeliveryAction.CLAIM): DeliveryState.SENDING,  # lease expired
    (DeliveryState.SENDING, DeliveryAction.SUCCEED): DeliveryState.DELIVERED,
    (DeliveryState.SENDING, DeliveryAction.FAIL): DeliveryState.PENDING,
    (DeliveryState.SENDING, DeliveryAction.GIVE_UP): DeliveryState.DEAD,
    (DeliveryState.DELIVERED, DeliveryAction.REDELIVER): DeliveryState.PENDING,
    (DeliveryState.DEAD, DeliveryAction.REDELIVER): DeliveryState.PENDING,
}
OPEN_STATES = frozenset({DeliveryState.PENDING, DeliveryState.SENDING})


@dataclass(frozen=True)
class Attempt:
    """What one try got: a status (None: no answer), its latency and an excerpt."""

    delivery_id: int
    endpoint_id: str
    event_id: str
    at: datetime
    status_code: int | None
    latency_ms: int
    excerpt: str
    error: str | None = None
    id: int | None = None  # given when stored: the attempt log pages by it

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: str
    event_id: str
    subject: str
    created_at: datetime
    next_attempt_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None

    def _move(self, action: DeliveryAction) -> DeliveryState:
        target = DELIVERY_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a delivery that is %(state)s",
                state=self.state.value,
                params={"action": action.value},
            )
        return target

    def claim(self, owner: str, *, now: datetime, lease: timedelta) -> Delivery:
        return replace(
            self,
            state=self._move(DeliveryAction.CLAIM),
            attempts=self.attempts + 1,
            lease_owner=owner,
            lease_until=now + lease,
        )

    def settle(self, attempt: Attempt, policy: WebhookPolicy, *, jitter: float) -> Delivery:
        """Delivered on a 2xx; otherwise back off, or dead-letter once the window passed."""
        base = replace(
            self,
            lease_owner=None,
            lease_until=None,
            last_status=attempt.status_code,
            last_error=attempt.error,
        )
        if attempt.ok:
            return replace(base, state=self._move(DeliveryAction.SUCCEED), delivered_at=attempt.at)
        wait = backoff(
            max(1, self.attempts), base=policy.backoff_base, cap=policy.backoff_cap, jitter=jitter
        )
        retry_at = attempt.at + wait
        if retry_at > self.created_at + policy.retry_window:
            return replace(base, state=self._move(DeliveryAction.GIVE_UP))
        return replace(base, state=self._move(DeliveryAction.FAIL), next_attempt_at=retry_at)

    def redeliver(self, now: datetime) -> Delivery:
        """Send again, with a fresh retry window."""
        return replace(
            self,
            state=self._move(DeliveryAction.REDELIVER),
            created_at=now,
            next_attempt_at=now,
            delivered_at=None,
        )


@dataclass(frozen=True)
class Endpoint:
    """Where a platform takes events: its URL, the types it wants, whether it is on."""

    id: str
    url: str
    event_types: frozenset[str]
    description: str
    enabled: bool
    created_at: datetime
    failing_since: datetime | None = None  # first failure after the last success
    flagged_at: datetime | None = None  # a message was dead-lettered
    disabled_reason: str | None = None
    version: int = 0

    def after_attempt(self, attempt: Attempt, policy: WebhookPolicy) -> Endpoint:
        """A success clears the failing streak; a failure starts it, and one that has lasted
        `disable_after` disables the endpoint."""
        if attempt.ok:
            return replace(self, failing_since=None) if self.failing_since else self
        since = self.failing_since or attempt.at
        if self.enabled and attempt.at - since >= policy.disable_after:
            return replace(
                self,
                failing_since=since,
                enabled=False,
                disabled_reason=f"every delivery failed for {policy.disable_after.days} days",
            )
        return replace(self, failing_since=since) if since != self.failing_since else self


def event_types_of(values: Iterable[str]) -> frozenset[str]:
    """The subscription: catalog types, or `*` for all of them."""
    chosen = frozenset(v.strip() for v in values if v.strip())
    if not chosen:
        raise InvalidInput("choose at least one event type, or *", field="event_types")
    unknown = sorted(chosen - {t.value for t in CATALOG} - {"*"})
    if unknown:
        raise InvalidInput(
            "unknown event type(s): %(types)s",
            field="event_types",
            unknown=unknown,
            params={"types": ", ".join(unknown)},
        )
    return chosen


def check_url(url: str) -> str:
    """The URL's own rules: http(s), a host, no credentials, not too long. Returns the host."""
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(
            "the URL is longer than %(MAX_URL_CHARS)s characters",
            field="url",
            params={"MAX_URL_CHARS": MAX_URL_CHARS},
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(
            "the URL does not parse: %(exc)s", field="url", params={"exc": exc}
        ) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("only http and https URLs are allowed", field="url")
    if not parts.hostname:
        raise InvalidInput("the URL has no host", field="url")
    if parts.username or parts.password:
        raise InvalidInput("the URL may not carry credentials", field="url")
    if port == 0:
        raise InvalidInput("the URL's port is not valid", field="url")
    return parts.hostname


def refused_address(address: str) -> str | None:
    """Why an address may not be a webhook target (SSRF), or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for flag, why in (
        (ip.is_loopback, "loopback"),
        (ip.is_private, "private"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_unspecified, "unspecified"),
    ):
        if flag:
            return why
    return None


def check_addresses(host: str, addresses: Iterable[str], policy: WebhookPolicy) -> None:
    """Refuse a host any of whose addresses is in a refused range, unless the admin setting
    allows private targets."""
    found = list(addresses)
    if not found:
        raise InvalidInput("the host %(host)r does not resolve", field="url", params={"host": host})
    if policy.allow_private_targets:
        return
    for address in found:
        why = refused_address(address)
        if why is not None:
            raise InvalidInput(
                (
                    "the host %(host)r resolves to a %(why)s address (%(address)s); webhook "
                    "targets must be public unless an admin allows private ones"
                ),
                field="url",
                code="webhook_target_refused",
                params={"host": host, "why": why, "address": address},
            )
