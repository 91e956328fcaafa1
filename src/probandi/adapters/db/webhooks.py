"""Events, webhook endpoints, deliveries and attempts: tables and repository (ADR 0012).

Deliveries are claimed per endpoint, a subject's oldest open delivery first and never the
one after it while it is open. On PostgreSQL the claim skips rows another worker holds
(FOR UPDATE SKIP LOCKED); SQLite's writers are serialized (BEGIN IMMEDIATE)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Index,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import Base, Json, OutboxRow, table_of
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.errors import Conflict
from probandi.domain.events import Event, EventType
from probandi.domain.webhooks import OPEN_STATES, Attempt, Delivery, DeliveryState, Endpoint


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(Json)
    description: Mapped[str] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)


class WebhookSecretRow(Base):
    __tablename__ = "webhook_secrets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(String(32), index=True)
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EventRow(Base):
    __tablename__ = "events"
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    relayed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    endpoint_id: Mapped[str | None] = mapped_column(String(32))


class EventSubjectRow(Base):
    __tablename__ = "event_subjects"
    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)


class EventRelayRow(Base):
    __tablename__ = "event_relay"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    relayed: Mapped[int] = mapped_column(Integer)


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The oldest open delivery of its subject to its endpoint: the only one claimable.
    head: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (
        Index("ix_webhook_deliveries_subject", "endpoint_id", "subject", "id"),
        Index("ix_webhook_deliveries_due", "endpoint_id", "head", "state", "next_attempt_at"),
    )


class WebhookAttemptRow(Base):
    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(Integer)
    endpoint_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(String(600))
    error: Mapped[str | None] = mapped_column(String(500))
    __table_args__ = (
        Index("ix_webhook_attempts_endpoint", "endpoint_id", "id"),
        Index("ix_webhook_attempts_at", "at"),
    )


ENDPOINTS, SECRETS = table_of(WebhookEndpointRow), table_of(WebhookSecretRow)
EVENTS, SUBJECTS = table_of(EventRow), table_of(EventSubjectRow)
RELAY, DELIVERIES = table_of(EventRelayRow), table_of(WebhookDeliveryRow)
ATTEMPTS, OUTBOX = table_of(WebhookAttemptRow), table_of(OutboxRow)
OPEN = [s.value for s in OPEN_STATES]


def _endpoint(r: Any) -> Endpoint:
    return Endpoint(
        id=r.id,
        url=r.url,
        event_types=frozenset(r.event_types),
        description=r.description,
        enabled=r.enabled,
        created_at=r.created_at,
        failing_since=r.failing_since,
        flagged_at=r.flagged_at,
        disabled_reason=r.disabled_reason,
        version=r.version,
    )


def _endpoint_values(e: Endpoint) -> dict[str, Any]:
    return {
        "url": e.url,
        "event_types": sorted(e.event_types),
        "description": e.description,
        "enabled": e.enabled,
        "created_at": e.created_at,
        "failing_since": e.failing_since,
        "flagged_at": e.flagged_at,
        "disabled_reason": e.disabled_reason,
    }


def _event(r: Any) -> Event:
    return Event(
        id=r.id,
        position=r.position,
        type=EventType(r.type),
        subject=r.subject,
        sequence=r.sequence,
        occurred_at=r.occurred_at,
        data=dict(r.data),
        version=r.version,
    )


def _delivery(r: Any) -> Delivery:
    return Delivery(
        id=r.id,
        endpoint_id=r.endpoint_id,
        event_id=r.event_id,
        subject=r.subject,
        created_at=r.created_at,
        next_attempt_at=r.next_attempt_at,
        state=DeliveryState(r.state),
        attempts=r.attempts,
        lease_owner=r.lease_owner,
        lease_until=r.lease_until,
        last_status=r.last_status,
        last_error=r.last_error,
        delivered_at=r.delivered_at,
    )


def _delivery_values(d: Delivery) -> dict[str, Any]:
    return {
        "state": d.state.value,
        "attempts": d.attempts,
        "created_at": d.created_at,
        "next_attempt_at": d.next_attempt_at,
        "lease_owner": d.lease_owner,
        "lease_until": d.lease_until,
        "last_status": d.last_status,
        "last_error": (d.last_error or "")[:500] or None,
        "delivered_at": d.delivered_at,
    }


def _attempt(r: Any) -> Attempt:
    return Attempt(
        delivery_id=r.delivery_id,
        endpoint_id=r.endpoint_id,
        event_id=r.event_id,
        at=r.at,
        status_code=r.status_code,
        latency_ms=r.latency_ms,
        excerpt=r.excerpt,
        error=r.error,
        id=r.id,
    )


def _due(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """A delivery to try now: pending and due, or sending under a lease that expired. Two
    conditions, each answered by the (endpoint, state, next attempt) index on its own."""
    d = DELIVERIES.c
    due = and_(d.state == DeliveryState.PENDING.value, d.next_attempt_at <= now)
    expired = and_(d.state == DeliveryState.SENDING.value, d.lease_until <= now)
    return due, expired


_HEAD = aliased(WebhookDeliveryRow)
_HEAD_OPEN = or_(*(_HEAD.state == s for s in sorted(OPEN)))  # no expanding IN: executemany
# When a subject's head leaves (delivered or dead), its oldest open delivery becomes the
# head, unless one already is (a redelivered message made head meanwhile).
_PROMOTE = (
    update(DELIVERIES)
    .where(
        DELIVERIES.c.id
        == select(func.min(_HEAD.id))
        .where(
            _HEAD.endpoint_id == bindparam("b_endpoint"),
            _HEAD.subject == bindparam("b_subject"),
            _HEAD_OPEN,
        )
        .scalar_subquery(),
        ~exists().where(
            _HEAD.endpoint_id == bindparam("b_endpoint"),
            _HEAD.subject == bindparam("b_subject"),
            _HEAD_OPEN,
            _HEAD.head.is_(True),
        ),
    )
    .values(head=True)
)
_SETTLE = (
    update(DELIVERIES)
    .where(
        DELIVERIES.c.id == bindparam("b_id"),
        DELIVERIES.c.state == DeliveryState.SENDING.value,
        DELIVERIES.c.attempts == bindparam("b_attempts"),
    )
    .values(
        state=bindparam("b_state"),
        next_attempt_at=bindparam("b_next"),
        lease_owner=None,
        lease_until=None,
        last_status=bindparam("b_status"),
        last_error=bindparam("b_error"),
        delivered_at=bindparam("b_delivered"),
    )
)


class SqlWebhookRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # --- endpoints and secrets ----------------------------------------------------------

    def add_endpoint(self, endpoint: Endpoint) -> None:
        core(self.s).execute(
            ENDPOINTS.insert().values(id=endpoint.id, version=0, **_endpoint_values(endpoint))
        )

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        row = core(self.s).execute(select(ENDPOINTS).where(ENDPOINTS.c.id == endpoint_id)).first()
        return _endpoint(row) if row else None

    def endpoints(self, *, enabled_only: bool = False) -> list[Endpoint]:
        stmt = select(ENDPOINTS).order_by(ENDPOINTS.c.created_at, ENDPOINTS.c.id)
        if enabled_only:
            stmt = stmt.where(ENDPOINTS.c.enabled.is_(True))
        return [_endpoint(r) for r in core(self.s).execute(stmt)]

    def save_endpoint(self, endpoint: Endpoint) -> Endpoint:
        """Write if nobody changed it since it was read (else Conflict)."""
        stmt = (
            update(ENDPOINTS)
            .where(ENDPOINTS.c.id == endpoint.id, ENDPOINTS.c.version == endpoint.version)
            .values(version=endpoint.version + 1, **_endpoint_values(endpoint))
        )
        if core(self.s).execute(stmt).rowcount != 1:
            raise Conflict(
                "endpoint %(id)s changed meanwhile; read it again", params={"id": endpoint.id}
            )
        return Endpoint(**{**endpoint.__dict__, "version": endpoint.version + 1})

    def add_secret(self, endpoint_id: str, secret: str, at: datetime) -> None:
        core(self.s).execute(
            SECRETS.insert().values(endpoint_id=endpoint_id, secret=secret, created_at=at)
        )

    def expire_secrets(self, endpoint_id: str, at: datetime) -> None:
        """Every secret in use now stops being used at `at` (a rotation's overlap)."""
        core(self.s).execute(
            update(SECRETS)
            .where(
                SECRETS.c.endpoint_id == endpoint_id,
                or_(SECRETS.c.expires_at.is_(None), SECRETS.c.expires_at > at),
            )
            .values(expires_at=at)
        )

    def secrets(self, endpoint_ids: Collection[str], now: datetime) -> dict[str, list[str]]:
        """The secrets each endpoint signs with now, newest first."""
        stmt = (
            select(SECRETS.c.endpoint_id, SECRETS.c.secret)
            .where(
                SECRETS.c.endpoint_id.in_(list(endpoint_ids)),
                or_(SECRETS.c.expires_at.is_(None), SECRETS.c.expires_at > now),
            )
            .order_by(SECRETS.c.id.desc())
        )
        found: dict[str, list[str]] = {}
        for r in core(self.s).execute(stmt):
            found.setdefault(r.endpoint_id, []).append(r.secret)
        return found

    # --- the relay: outbox to events and deliveries --------------------------------------

    def lock_relay(self) -> bool:
        """Take the relay's lock for this transaction; False when another relay holds it."""
        conn = core(self.s)
        stmt = select(RELAY.c.id).where(RELAY.c.id == 1)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return conn.execute(stmt).first() is not None

    def unrelayed(self, limit: int) -> list[tuple[int, str, dict[str, Any], datetime]]:
        stmt = (
            select(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.payload, OUTBOX.c.created_at)
            .where(OUTBOX.c.delivered_at.is_(None))
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
        return [(r.id, r.topic, dict(r.payload), r.created_at) for r in core(self.s).execute(stmt)]

    def has_unrelayed(self) -> bool:
        stmt = select(OUTBOX.c.id).where(OUTBOX.c.delivered_at.is_(None)).limit(1)
        return core(self.s).execute(stmt).first() is not None

    def mark_relayed(self, outbox_ids: Sequence[int], at: datetime) -> None:
        if outbox_ids:
            conn = core(self.s)
            conn.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(list(outbox_ids))).values(delivered_at=at)
            )
            conn.execute(update(RELAY).where(RELAY.c.id == 1).values(relayed=RELAY.c.relayed + 1))

    def next_sequences(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Reserve `counts[subject]` sequence numbers per subject; returns the first of each."""
        conn = core(self.s)
        subjects = sorted(counts)
        current = {
            r.subject: r.seq
            for r in conn.execute(select(SUBJECTS).where(SUBJECTS.c.subject.in_(subjects)))
        }
        fresh = [{"subject": s, "seq": counts[s]} for s in subjects if s not in current]
        if fresh:
            conn.execute(SUBJECTS.insert(), fresh)
        moved = [{"b_subject": s, "b_seq": current[s] + counts[s]} for s in current]
        if moved:
            conn.execute(
                update(SUBJECTS)
                .where(SUBJECTS.c.subject == bindparam("b_subject"))
                .values(seq=bindparam("b_seq")),
                moved,
            )
        return {s: current.get(s, 0) + 1 for s in subjects}

    def add_events(
        self, events: Sequence[Event], relayed_at: datetime, endpoint_id: str | None = None
    ) -> None:
        if events:
            core(self.s).execute(
                EVENTS.insert(),
                [
                    {
                        "id": e.id,
                        "type": e.type.value,
                        "version": e.version,
                        "subject": e.subject,
                        "sequence": e.sequence,
                        "occurred_at": e.occurred_at,
                        "relayed_at": relayed_at,
                        "data": dict(e.data),
                        "endpoint_id": endpoint_id,
                    }
                    for e in events
                ],
            )

    def _open_subjects(self, pairs: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (endpoint, subject) pairs have an open delivery now."""
        if not pairs:
            return set()
        stmt = select(DELIVERIES.c.endpoint_id, DELIVERIES.c.subject).where(
            DELIVERIES.c.endpoint_id.in_({e for e, _ in pairs}),
            DELIVERIES.c.subject.in_({s for _, s in pairs}),
            DELIVERIES.c.state.in_(OPEN),
        )
        return {(r.endpoint_id, r.subject) for r in core(self.s).execute(stmt)}

    def add_deliveries(self, pairs: Iterable[tuple[str, Event]], at: datetime) -> int:
        pairs = list(pairs)
        busy = self._open_subjects({(endpoint_id, e.subject) for endpoint_id, e in pairs})
        rows = []
        for endpoint_id, e in pairs:
            key = (endpoint_id, e.subject)
            rows.append(
                {
                    "endpoint_id": endpoint_id,
                    "event_id": e.id,
                    "subject": e.subject,
                    "state": DeliveryState.PENDING.value,
                    "attempts": 0,
                    "created_at": at,
                    "next_attempt_at": at,
                    "head": key not in busy,
                }
            )
            busy.add(key)
        if rows:
            core(self.s).execute(DELIVERIES.insert(), rows)
        return len(rows)

    # --- the feed -----------------------------------------------------------------------

    def events_after(self, position: int, limit: int, types: Collection[str] = ()) -> list[Event]:
        stmt = (
            select(EVENTS)
            .where(EVENTS.c.position > position, EVENTS.c.endpoint_id.is_(None))
            .order_by(EVENTS.c.position)
            .limit(limit)
        )
        if types:
            stmt = stmt.where(EVENTS.c.type.in_(list(types)))
        return [_event(r) for r in core(self.s).execute(stmt)]

    def events_by_id(self, event_ids: Collection[str]) -> dict[str, Event]:
        stmt = select(EVENTS).where(EVENTS.c.id.in_(list(event_ids)))
        return {r.id: _event(r) for r in core(self.s).execute(stmt)}

    def events_between(self, since: datetime, until: datetime, limit: int) -> list[Event]:
        stmt = (
            select(EVENTS)
            .where(
                EVENTS.c.occurred_at >= since,
                EVENTS.c.occurred_at < until,
                EVENTS.c.endpoint_id.is_(None),
            )
            .order_by(EVENTS.c.position)
            .limit(limit)
        )
        return [_event(r) for r in core(self.s).execute(stmt)]

    # --- deliveries ---------------------------------------------------------------------

    def due_endpoints(self, now: datetime) -> list[str]:
        """Enabled endpoints with a delivery due now or whose lease expired: an index probe
        per endpoint (there are few), however many deliveries wait or are done."""
        found = []
        for condition in _due(now):
            mine = select(DELIVERIES.c.id).where(
                DELIVERIES.c.endpoint_id == ENDPOINTS.c.id, DELIVERIES.c.head.is_(True), condition
            )
            stmt = select(ENDPOINTS.c.id).where(ENDPOINTS.c.enabled.is_(True), exists(mine))
            found += [r.id for r in core(self.s).execute(stmt)]
        return sorted(set(found))

    def claimable(self, endpoint_id: str, now: datetime, limit: int) -> list[Delivery]:
        """The endpoint's subject heads that are due (or whose lease expired), oldest due
        first, locked. Read along the index, so done deliveries cost nothing."""
        conn = core(self.s)
        heads: list[Delivery] = []
        due, expired = _due(now)
        d = DELIVERIES.c
        for condition, order in ((expired, d.lease_until), (due, d.next_attempt_at)):
            if len(heads) >= limit:
                break
            stmt = (
                select(DELIVERIES)
                .where(
                    DELIVERIES.c.endpoint_id == endpoint_id,
                    DELIVERIES.c.head.is_(True),
                    condition,
                )
                .order_by(order, DELIVERIES.c.id)
                .limit(limit - len(heads))
            )
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True, of=DELIVERIES)
            heads += [_delivery(r) for r in conn.execute(stmt)]
        return heads

    def save_claims(self, claimed: Sequence[Delivery]) -> None:
        if claimed:
            core(self.s).execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == bindparam("b_id"))
                .values(
                    state=bindparam("b_state"),
                    attempts=bindparam("b_attempts"),
                    lease_owner=bindparam("b_owner"),
                    lease_until=bindparam("b_until"),
                ),
                [
                    {
                        "b_id": d.id,
                        "b_state": d.state.value,
                        "b_attempts": d.attempts,
                        "b_owner": d.lease_owner,
                        "b_until": d.lease_until,
                    }
                    for d in claimed
                ],
            )

    def settle(self, settled: Sequence[Delivery]) -> set[int]:
        """Write outcomes of claims still held (same attempt number, still sending); the ids
        written. A claim whose lease another worker took over meanwhile is not written."""
        if not settled:
            return set()
        conn = core(self.s)
        # Which claims still hold (locked on PostgreSQL until the commit; SQLite's writers
        # are serialized), then one executemany for their outcomes.
        held = select(DELIVERIES.c.id, DELIVERIES.c.attempts).where(
            DELIVERIES.c.id.in_([d.id for d in settled]),
            DELIVERIES.c.state == DeliveryState.SENDING.value,
        )
        if conn.dialect.name == "postgresql":
            held = held.with_for_update()
        now_held = {r.id: r.attempts for r in conn.execute(held)}
        kept = {d.id for d in settled if now_held.get(d.id) == d.attempts}
        params = [
            {
                "b_id": d.id,
                "b_attempts": d.attempts,
                "b_state": d.state.value,
                "b_next": d.next_attempt_at,
                "b_status": d.last_status,
                "b_error": (d.last_error or "")[:500] or None,
                "b_delivered": d.delivered_at,
            }
            for d in settled
            if d.id in kept
        ]
        if params:
            conn.execute(_SETTLE, params)
        left = {d.id: d for d in settled if d.id in kept and d.state not in OPEN_STATES}
        if left:  # heads that left: their subjects' next deliveries take their place
            conn.execute(
                update(DELIVERIES).where(DELIVERIES.c.id.in_(list(left))).values(head=False)
            )
            subjects = sorted({(d.endpoint_id, d.subject) for d in left.values()})
            conn.execute(_PROMOTE, [{"b_endpoint": e, "b_subject": s} for e, s in subjects])
        return kept

    def add_attempts(self, attempts: Sequence[Attempt]) -> None:
        if attempts:
            core(self.s).execute(
                ATTEMPTS.insert(),
                [
                    {
                        "delivery_id": a.delivery_id,
                        "endpoint_id": a.endpoint_id,
                        "event_id": a.event_id,
                        "at": a.at,
                        "status_code": a.status_code,
                        "latency_ms": a.latency_ms,
                        "excerpt": a.excerpt[:600],
                        "error": (a.error or "")[:500] or None,
                    }
                    for a in attempts
                ],
            )

    def deliveries(
        self,
        endpoint_id: str,
        *,
        event_ids: Collection[str] | None = None,
        occurred: tuple[datetime, datetime] | None = None,
        state: DeliveryState | None = None,
        limit: int = 1000,
    ) -> list[Delivery]:
        stmt = (
            select(DELIVERIES)
            .where(DELIVERIES.c.endpoint_id == endpoint_id)
            .order_by(DELIVERIES.c.id)
            .limit(limit)
        )
        if event_ids is not None:
            stmt = stmt.where(DELIVERIES.c.event_id.in_(list(event_ids)))
        if occurred is not None:
            stmt = stmt.join(EVENTS, EVENTS.c.id == DELIVERIES.c.event_id).where(
                EVENTS.c.occurred_at >= occurred[0], EVENTS.c.occurred_at < occurred[1]
            )
        if state is not None:
            stmt = stmt.where(DELIVERIES.c.state == state.value)
        return [_delivery(r) for r in core(self.s).execute(stmt)]

    def save_deliveries(self, changed: Sequence[Delivery]) -> None:
        """Write deliveries sent again: each is its subject's head if nothing of the
        subject is open, else it waits its turn (by id: before newer ones)."""
        busy = self._open_subjects({(d.endpoint_id, d.subject) for d in changed})
        for d in changed:
            key = (d.endpoint_id, d.subject)
            values = _delivery_values(d) | {"head": key not in busy}
            busy.add(key)
            core(self.s).execute(update(DELIVERIES).where(DELIVERIES.c.id == d.id).values(**values))

    def attempts(self, endpoint_id: str, *, before: int | None, limit: int) -> list[Attempt]:
        stmt = (
            select(ATTEMPTS)
            .where(ATTEMPTS.c.endpoint_id == endpoint_id)
            .order_by(ATTEMPTS.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            stmt = stmt.where(ATTEMPTS.c.id < before)
        return [_attempt(r) for r in core(self.s).execute(stmt)]

    def stats(self, now: datetime, since: datetime) -> dict[str, dict[str, Any]]:
        """Per endpoint: open deliveries, the oldest one's creation, dead ones, and attempts
        and failed attempts since `since`."""
        conn = core(self.s)
        out: dict[str, dict[str, Any]] = {}
        open_rows = conn.execute(
            select(
                DELIVERIES.c.endpoint_id,
                func.count(),
                func.min(DELIVERIES.c.created_at),
            )
            .where(DELIVERIES.c.state.in_(OPEN))
            .group_by(DELIVERIES.c.endpoint_id)
        )
        for endpoint_id, count, oldest in open_rows:
            out.setdefault(endpoint_id, {})
            out[endpoint_id].update(queued=count, oldest=oldest)
        dead_rows = conn.execute(
            select(DELIVERIES.c.endpoint_id, func.count())
            .where(DELIVERIES.c.state == DeliveryState.DEAD.value)
            .group_by(DELIVERIES.c.endpoint_id)
        )
        for endpoint_id, count in dead_rows:
            out.setdefault(endpoint_id, {})["dead"] = count
        failed = or_(
            ATTEMPTS.c.status_code.is_(None),
            ATTEMPTS.c.status_code < 200,
            ATTEMPTS.c.status_code >= 300,
        )
        attempt_rows = conn.execute(
            select(
                ATTEMPTS.c.endpoint_id,
                func.count(),
                func.count().filter(failed),
            )
            .where(ATTEMPTS.c.at >= since)
            .group_by(ATTEMPTS.c.endpoint_id)
        )
        for endpoint_id, count, failures in attempt_rows:
            out.setdefault(endpoint_id, {}).update(attempts=count, failures=failures)
        return out

    def unrelayed_count(self) -> int:
        stmt = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.delivered_at.is_(None))
        return int(core(self.s).execute(stmt).scalar_one())

    def purge(self, before: datetime) -> int:
        """Delete what is done and older than `before`: relayed outbox messages, delivered
        deliveries, attempts. Events stay for the feed until their own retention."""
        conn = core(self.s)
        removed = conn.execute(
            delete(OUTBOX).where(OUTBOX.c.delivered_at.is_not(None), OUTBOX.c.created_at < before)
        ).rowcount
        removed += conn.execute(
            delete(DELIVERIES).where(
                DELIVERIES.c.state == DeliveryState.DELIVERED.value,
                DELIVERIES.c.delivered_at < before,
            )
        ).rowcount
        removed += conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < before)).rowcount
        return int(removed)

    def purge_events(self, before: datetime) -> int:
        stmt = delete(EVENTS).where(
            EVENTS.c.relayed_at < before,
            ~exists().where(DELIVERIES.c.event_id == EVENTS.c.id, DELIVERIES.c.state.in_(OPEN)),
        )
        return int(core(self.s).execute(stmt).rowcount)
