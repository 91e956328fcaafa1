"""API models of the event catalog (one JSON Schema per event type), webhook endpoints,
attempts, redelivery, metrics and the pull feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, model_validator

from probandi.domain.events import Event
from probandi.domain.webhooks import MAX_DESCRIPTION_CHARS, MAX_URL_CHARS, Attempt
from probandi.entrypoints.api.schemas import Strict
from probandi.services.webhooks import (
    DeliveryMetrics,
    EndpointChange,
    EndpointSpec,
    EndpointStats,
    EndpointView,
    FeedPage,
)

EventTypeName = Annotated[str, StringConstraints(min_length=1, max_length=64)]

# --- the catalog ----------------------------------------------------------------------


class PublishabilityChanged(BaseModel):
    listing_id: str
    seller_id: str
    publishable: bool = Field(description="May the platform show the listing now?")
    state: str = Field(description="The listing gate's state (awaiting_proof, approved, ...)")
    reasons: list[str] = Field(description="Why it may not be published; empty when it may")
    notice_holds: dict[str, str] = Field(description="Notice id -> suspended or removed")
    cause: str | None = Field(description="What moved it: gate:<action>, notice:<id>, ...")
    statement_id: str | None = Field(description="The statement of reasons, if one was issued")


class ProofDue(BaseModel):
    listing_id: str
    seller_id: str
    due_at: datetime = Field(description="Proof must be approved by then, or it is removed")
    brands: list[str]
    required_evidence: str | None
    statement_id: str | None


class VoucherDecided(BaseModel):
    voucher_id: str
    listing_id: str
    seller_id: str
    status: str = Field(description="The voucher's status now: approved or rejected")
    decided_by: Literal["automated", "person"]
    statement_id: str | None
    reason_codes: list[str]


class NoticeReceived(BaseModel):
    notice_id: str
    holder_id: str
    listings_suspended: list[str]
    listings_refused: list[str]


class NoticeOutcome(BaseModel):
    notice_id: str
    listing_id: str
    seller_id: str
    outcome: str = Field(description="The notice item's state: upheld, restored, ...")
    final: bool = Field(description="True when the item's outcome is final")
    hold: str | None = Field(description="suspended, removed, or none: the listing is back")
    decision: str | None


class SellerStandingChanged(BaseModel):
    seller_id: str
    closed: bool
    restricted_until: datetime | None
    strikes: int | None
    listing_id: str | None = Field(
        description="For a shop closed or reopened: one event per listing, this listing"
    )
    publishable: bool | None
    reasons: list[str]


class AppealDecided(BaseModel):
    appeal_id: str
    appellant: str
    appealed: str | None
    listing_id: str | None
    state: str
    reason_code: str | None


class TestData(BaseModel):
    endpoint_id: str
    message: str


class _Envelope(BaseModel):
    id: str = Field(description="Unique per event; the webhook-id header carries it")
    version: int = Field(description="The catalog version the data follows")
    occurred_at: datetime
    subject: str = Field(description="listing:<id>, notice:<id>, seller:<id>, ...")
    sequence: int = Field(description="1, 2, 3, ... per subject: order events by it")


class ListingPublishabilityChangedEvent(_Envelope):
    type: Literal["listing.publishability_changed"]
    data: PublishabilityChanged


class ListingProofDueEvent(_Envelope):
    type: Literal["listing.proof_due"]
    data: ProofDue


class VoucherDecidedEvent(_Envelope):
    type: Literal["voucher.decided"]
    data: VoucherDecided


class NoticeReceivedEvent(_Envelope):
    type: Literal["notice.received"]
    data: NoticeReceived


class NoticeOutcomeEvent(_Envelope):
    type: Literal["notice.outcome"]
    data: NoticeOutcome


class SellerStandingChangedEvent(_Envelope):
    type: Literal["seller.standing_changed"]
    data: SellerStandingChanged


class AppealDecidedEvent(_Envelope):
    type: Literal["appeal.decided"]
    data: AppealDecided


class WebhookTestEvent(_Envelope):
    type: Literal["webhook.test"]
    data: TestData


CATALOG_MODELS: dict[str, type[_Envelope]] = {
    "listing.publishability_changed": ListingPublishabilityChangedEvent,
    "listing.proof_due": ListingProofDueEvent,
    "voucher.decided": VoucherDecidedEvent,
    "notice.received": NoticeReceivedEvent,
    "notice.outcome": NoticeOutcomeEvent,
    "seller.standing_changed": SellerStandingChangedEvent,
    "appeal.decided": AppealDecidedEvent,
    "webhook.test": WebhookTestEvent,
}
AnyEvent = Annotated[
    ListingPublishabilityChangedEvent
    | ListingProofDueEvent
    | VoucherDecidedEvent
    | NoticeReceivedEvent
    | NoticeOutcomeEvent
    | SellerStandingChangedEvent
    | AppealDecidedEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(AnyEvent)


def event_out(event: Event) -> Any:
    return EVENT_ADAPTER.validate_python(event.envelope())


class FeedOut(BaseModel):
    events: list[AnyEvent]
    next_cursor: str = Field(description="Pass as `after` to read on; stable across calls")
    has_more: bool

    @classmethod
    def from_page(cls, page: FeedPage) -> FeedOut:
        return cls(
            events=[event_out(e) for e in page.events],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )


# --- endpoints ------------------------------------------------------------------------

Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_CHARS)]
Description = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)]


class EndpointIn(Strict):
    url: Url = Field(description="http(s); private and loopback targets are refused")
    event_types: Annotated[list[EventTypeName], Field(min_length=1, max_length=20)] = Field(
        description="Catalog event types, or ['*'] for all"
    )
    description: Description = ""
    enabled: bool = True

    def to_spec(self) -> EndpointSpec:
        return EndpointSpec(self.url, self.event_types, self.description, self.enabled)


class EndpointPatch(Strict):
    url: Url | None = None
    event_types: Annotated[list[EventTypeName], Field(min_length=1, max_length=20)] | None = None
    description: Description | None = None
    enabled: bool | None = Field(
        default=None, description="Enabling again clears the failing streak and the flag"
    )

    def to_change(self) -> EndpointChange:
        return EndpointChange(self.url, self.event_types, self.description, self.enabled)


class StatsOut(BaseModel):
    queued: int = Field(description="Deliveries not yet delivered or dead-lettered")
    oldest_age_seconds: float | None
    dead: int
    attempts: int = Field(description="Attempts in the last 5 minutes")
    failures: int = Field(description="Failed attempts in the last 5 minutes")

    @classmethod
    def from_stats(cls, s: EndpointStats) -> StatsOut:
        return cls(
            queued=s.queued,
            oldest_age_seconds=s.oldest_age_seconds,
            dead=s.dead,
            attempts=s.attempts,
            failures=s.failures,
        )


class EndpointOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    created_at: datetime
    failing_since: datetime | None
    flagged_at: datetime | None = Field(description="Set when a message was dead-lettered")
    disabled_reason: str | None
    stats: StatsOut

    @classmethod
    def from_view(cls, view: EndpointView) -> EndpointOut:
        e = view.endpoint
        return cls(
            id=e.id,
            url=e.url,
            event_types=sorted(e.event_types),
            description=e.description,
            enabled=e.enabled,
            created_at=e.created_at,
            failing_since=e.failing_since,
            flagged_at=e.flagged_at,
            disabled_reason=e.disabled_reason,
            stats=StatsOut.from_stats(view.stats),
        )


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret: shown this once, keep it safe")


class RotateIn(Strict):
    overlap_seconds: int = Field(
        default=86_400, ge=0, le=7 * 86_400, description="How long the old secret still signs"
    )


class SecretOut(BaseModel):
    secret: str = Field(description="The new signing secret: shown this once")
    old_secrets_valid_until: datetime


class AttemptOut(BaseModel):
    id: int = Field(description="Pass as `before` for the next (older) page")
    delivery_id: int
    event_id: str
    at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str | None

    @classmethod
    def from_domain(cls, a: Attempt) -> AttemptOut:
        return cls(
            id=a.id or 0,
            delivery_id=a.delivery_id,
            event_id=a.event_id,
            at=a.at,
            status_code=a.status_code,
            latency_ms=a.latency_ms,
            response_excerpt=a.excerpt,
            error=a.error,
        )


class RedeliverIn(Strict):
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    since: datetime | None = None
    until: datetime | None = None

    @model_validator(mode="after")
    def _one_way(self) -> RedeliverIn:
        by_event = self.event_id is not None
        by_range = self.since is not None or self.until is not None
        if by_event == by_range or (by_range and (self.since is None or self.until is None)):
            raise ValueError("name one event_id, or both since and until")
        return self


class QueuedOut(BaseModel):
    queued: int


class TestEventOut(BaseModel):
    event_id: str


class MetricsOut(BaseModel):
    unrelayed: int = Field(description="Outbox messages not yet turned into events")
    queued: int = Field(description="Deliveries not yet delivered or dead-lettered")
    oldest_age_seconds: float | None = Field(description="Age of the oldest queued delivery")
    attempts_per_second: float = Field(description="Over the last 5 minutes")
    failures: int = Field(description="Failed attempts over the last 5 minutes")
    dead: int
    endpoints: dict[str, StatsOut]

    @classmethod
    def from_metrics(cls, m: DeliveryMetrics) -> MetricsOut:
        return cls(
            unrelayed=m.unrelayed,
            queued=m.queued,
            oldest_age_seconds=m.oldest_age_seconds,
            attempts_per_second=m.attempts_per_second,
            failures=m.failures,
            dead=m.dead,
            endpoints={k: StatsOut.from_stats(v) for k, v in m.endpoints.items()},
        )
