"""Moving events out: the relay (outbox to catalog events and deliveries), claims of due
deliveries and their outcomes. The dispatcher (entrypoints/dispatcher.py) drives these."""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.actors import SYSTEM
from probandi.domain.events import Event, EventDraft, events_from_outbox, wanted
from probandi.domain.webhooks import Attempt, Delivery, DeliveryState, WebhookPolicy
from probandi.services.context import Services
from probandi.services.events import record
from probandi.services.ports import UnitOfWork

log = logging.getLogger("probandi.webhooks")
RELAY_BATCH = 500


def number_events(uow: UnitOfWork, drafts: Sequence[EventDraft]) -> list[Event]:
    """Give drafts their ids and their subjects' next sequence numbers, in order."""
    firsts = uow.webhooks.next_sequences(Counter(d.subject for d in drafts))
    events = []
    for draft in drafts:
        seq = firsts[draft.subject]
        firsts[draft.subject] = seq + 1
        events.append(
            Event(
                id=f"evt_{uuid.uuid4().hex}",
                position=0,  # the database gives it on insert
                type=draft.type,
                subject=draft.subject,
                sequence=seq,
                occurred_at=draft.occurred_at,
                data=draft.data,
            )
        )
    return events


def relay_outbox(*, svc: Services, batch: int = RELAY_BATCH) -> int:
    """Turn the oldest outbox messages into catalog events and one delivery per endpoint
    that wants each, in one transaction; how many messages it took.

    One relay runs at a time (the relay row's lock), so the feed's positions and each
    subject's sequence numbers follow the order the messages were committed in."""
    with svc.reader() as peek:
        if not peek.webhooks.has_unrelayed():
            return 0
    with svc.uow() as uow:
        if not uow.webhooks.lock_relay():
            return 0  # another worker is relaying right now
        messages = uow.webhooks.unrelayed(batch)
        if not messages:
            return 0
        now = svc.clock.now()
        drafts = [d for _, topic, body, at in messages for d in events_from_outbox(topic, body, at)]
        events = number_events(uow, drafts) if drafts else []
        uow.webhooks.add_events(events, now)
        endpoints = uow.webhooks.endpoints(enabled_only=True)
        pairs = [(ep.id, e) for e in events for ep in endpoints if wanted(ep.event_types, e.type)]
        uow.webhooks.add_deliveries(pairs, now)
        uow.webhooks.mark_relayed([m[0] for m in messages], now)
        uow.commit()
    return len(messages)


def purge_deliveries(keep: timedelta, *, svc: Services) -> int:
    """Delete what is older than `keep` and done: relayed outbox rows, delivered messages,
    attempts, and events no open delivery needs (the feed reaches back `keep`)."""
    with svc.uow() as uow:
        before = svc.clock.now() - keep
        removed = uow.webhooks.purge(before) + uow.webhooks.purge_events(before)
        uow.commit()
    return removed


@dataclass(frozen=True)
class Claim:
    """A delivery claimed by this worker, with what to send and the secrets to sign with."""

    delivery: Delivery
    event: Event
    url: str
    secrets: tuple[str, ...]


def due_endpoints(*, svc: Services) -> list[str]:
    with svc.reader() as peek:
        now = svc.clock.now()
        return peek.webhooks.due_endpoints(now)


def claim(
    endpoint_id: str, owner: str, limit: int, policy: WebhookPolicy, *, svc: Services
) -> list[Claim]:
    """Claim up to `limit` of the endpoint's due subject heads under `owner`'s lease."""
    return exchange([], {endpoint_id: limit}, owner, policy, svc=svc)[1]


def settle(
    outcomes: Sequence[tuple[Claim, Attempt]], policy: WebhookPolicy, *, svc: Services
) -> int:
    """Record attempts and move deliveries (see `exchange`); how many were delivered."""
    return exchange(outcomes, {}, "", policy, svc=svc)[0]


def exchange(
    outcomes: Sequence[tuple[Claim, Attempt]],
    wants: Mapping[str, int],
    owner: str,
    policy: WebhookPolicy,
    *,
    svc: Services,
    free: Mapping[str, int] | None = None,
) -> tuple[int, list[Claim]]:
    """One transaction per dispatcher turn: record the outcomes of finished tries, then
    claim up to `wants[endpoint]` due subject heads per endpoint under `owner`'s lease.
    With `free` (what the caller can still take per endpoint it holds claims of), the
    wants are every endpoint with due deliveries, up to its free room or the claim window.

    An outcome moves its delivery: delivered, retried later, or dead-lettered. An endpoint
    dead-lettering a message is flagged; one failing for `disable_after` is disabled; both
    are audited for admins. A delivered head lets its subject's next event be claimed in
    the same transaction. Returns how many were delivered, and the claims."""
    if not outcomes and not wants and free is None:
        return 0, []
    with svc.uow() as uow:
        delivered = _settle(uow, outcomes, policy) if outcomes else 0
        now = svc.clock.now()
        if free is not None:
            due = set(uow.webhooks.due_endpoints(now))
            room = max(policy.claim_window, policy.per_endpoint_concurrency)
            wants = {e: free.get(e, room) for e in due}
        wants = {e: n for e, n in wants.items() if n > 0}
        claims = [c for e, n in wants.items() for c in _claim(uow, e, owner, n, policy, now)]
        uow.commit()
    return delivered, claims


def _claim(
    uow: UnitOfWork, endpoint_id: str, owner: str, limit: int, policy: WebhookPolicy, now: datetime
) -> list[Claim]:
    endpoint = uow.webhooks.endpoint(endpoint_id)
    if endpoint is None or not endpoint.enabled:
        return []
    heads = uow.webhooks.claimable(endpoint_id, now, limit)
    if not heads:
        return []
    claimed = [d.claim(owner, now=now, lease=policy.lease) for d in heads]
    uow.webhooks.save_claims(claimed)
    events = uow.webhooks.events_by_id({d.event_id for d in claimed})
    secrets = tuple(uow.webhooks.secrets([endpoint_id], now).get(endpoint_id, ()))
    return [Claim(d, events[d.event_id], endpoint.url, secrets) for d in claimed]


def _settle(
    uow: UnitOfWork, outcomes: Sequence[tuple[Claim, Attempt]], policy: WebhookPolicy
) -> int:
    settled = [c.delivery.settle(a, policy, jitter=random.random() * 0.3) for c, a in outcomes]
    kept = uow.webhooks.settle(settled)
    uow.webhooks.add_attempts([a for _, a in outcomes])
    by_endpoint: dict[str, list[tuple[Delivery, Attempt]]] = {}
    for (_, attempt), moved in zip(outcomes, settled, strict=True):
        if moved.id in kept:
            by_endpoint.setdefault(moved.endpoint_id, []).append((moved, attempt))
    for endpoint_id, results in by_endpoint.items():
        _follow_endpoint(uow, endpoint_id, results, policy)
    return sum(1 for d in settled if d.id in kept and d.state is DeliveryState.DELIVERED)


def _follow_endpoint(
    uow: UnitOfWork,
    endpoint_id: str,
    results: Sequence[tuple[Delivery, Attempt]],
    policy: WebhookPolicy,
) -> None:
    endpoint = uow.webhooks.endpoint(endpoint_id)
    if endpoint is None:
        return
    was = endpoint
    for _, attempt in sorted(results, key=lambda r: r[1].at):
        endpoint = endpoint.after_attempt(attempt, policy)
    dead = [d for d, _ in results if d.state is DeliveryState.DEAD]
    if dead and endpoint.flagged_at is None:
        endpoint = replace(endpoint, flagged_at=results[-1][1].at)
    if endpoint == was:
        return
    uow.webhooks.save_endpoint(endpoint)
    at = results[-1][1].at
    if dead and was.flagged_at is None:
        log.warning(
            "webhook endpoint %s flagged: %d message(s) dead-lettered", endpoint.id, len(dead)
        )
        record(
            uow,
            SYSTEM,
            "webhook:endpoint:flagged",
            f"webhook:{endpoint.id}",
            at,
            dead=[d.event_id for d in dead],
        )
    if was.enabled and not endpoint.enabled:
        log.warning("webhook endpoint %s disabled: %s", endpoint.id, endpoint.disabled_reason)
        record(
            uow,
            SYSTEM,
            "webhook:endpoint:disabled",
            f"webhook:{endpoint.id}",
            at,
            reason=endpoint.disabled_reason,
            failing_since=_iso(endpoint.failing_since),
        )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
