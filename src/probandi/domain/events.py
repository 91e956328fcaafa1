"""The event catalog: what the marketplace is told, as typed, versioned events.

Use cases write internal messages to the outbox in their own transaction. This module maps
each message, explicitly and purely, to the catalog events a platform receives (webhooks and
the pull feed); a message of no interest outside maps to none. ADR 0012."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CATALOG_VERSION = 1


class EventType(enum.StrEnum):
    PUBLISHABILITY_CHANGED = "listing.publishability_changed"
    PROOF_DUE = "listing.proof_due"
    VOUCHER_DECIDED = "voucher.decided"
    NOTICE_RECEIVED = "notice.received"
    NOTICE_OUTCOME = "notice.outcome"
    SELLER_STANDING_CHANGED = "seller.standing_changed"
    APPEAL_DECIDED = "appeal.decided"
    TEST = "webhook.test"  # "send example": only ever to the endpoint that asked


CATALOG = frozenset(t for t in EventType if t is not EventType.TEST)
PROOF_OWED = frozenset({"awaiting_proof", "rejected"})
FINAL_OUTCOMES = frozenset({"upheld", "restored", "withdrawn", "reversed"})


@dataclass(frozen=True)
class EventDraft:
    """An event before the relay gives it an id, a position and its subject's sequence."""

    type: EventType
    subject: str  # "listing:<id>" for everything about one listing: ordered per subject
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Event:
    """A catalog event as delivered: `sequence` counts the subject's events from 1."""

    id: str
    position: int  # the feed's order (commit order of the relay)
    type: EventType
    subject: str
    sequence: int
    occurred_at: datetime
    data: Mapping[str, Any]
    version: int = CATALOG_VERSION

    def envelope(self) -> dict[str, Any]:
        """The JSON body sent and served: the same bytes for every endpoint and the feed."""
        return {
            "id": self.id,
            "type": self.type.value,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "subject": self.subject,
            "sequence": self.sequence,
            "data": dict(self.data),
        }


def _at(payload: Mapping[str, Any], fallback: datetime) -> datetime:
    text = payload.get("at")
    return datetime.fromisoformat(text) if isinstance(text, str) else fallback


def _gate_changed(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    listing = f"listing:{payload['listing_id']}"
    when = _at(payload, at)
    drafts = [
        EventDraft(
            EventType.PUBLISHABILITY_CHANGED,
            listing,
            when,
            {
                "listing_id": payload["listing_id"],
                "seller_id": payload["seller_id"],
                "publishable": payload["publishable"],
                "state": payload["state"],
                "reasons": list(payload.get("reasons") or ()),
                "notice_holds": dict(payload.get("notice_holds") or {}),
                "cause": payload.get("cause"),
                "statement_id": payload.get("statement_id"),
            },
        )
    ]
    due = payload.get("proof_due_at")
    if payload["state"] in PROOF_OWED and due and payload.get("proof_due_changed"):
        drafts.append(
            EventDraft(
                EventType.PROOF_DUE,
                listing,
                when,
                {
                    "listing_id": payload["listing_id"],
                    "seller_id": payload["seller_id"],
                    "due_at": due,
                    "brands": list(payload.get("brands") or ()),
                    "required_evidence": payload.get("required_evidence"),
                    "statement_id": payload.get("statement_id"),
                },
            )
        )
    return drafts


def _voucher_decided(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    data = {
        k: payload.get(k)
        for k in ("voucher_id", "listing_id", "seller_id", "status", "decided_by", "statement_id")
    }
    data["reason_codes"] = list(payload.get("reason_codes") or ())
    return [
        EventDraft(
            EventType.VOUCHER_DECIDED, f"listing:{payload['listing_id']}", _at(payload, at), data
        )
    ]


def _notice_received(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    data = {
        "notice_id": payload["notice_id"],
        "holder_id": payload["holder_id"],
        "listings_suspended": list(payload.get("suspended") or ()),
        "listings_refused": list(payload.get("refused") or ()),
    }
    return [
        EventDraft(
            EventType.NOTICE_RECEIVED,
            f"notice:{payload['notice_id']}",
            datetime.fromisoformat(payload["received_at"]),
            data,
        )
    ]


def _item_settled(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    data = {
        k: payload.get(k)
        for k in ("notice_id", "listing_id", "seller_id", "outcome", "hold", "decision")
    }
    data["final"] = payload.get("outcome") in FINAL_OUTCOMES
    return [
        EventDraft(
            EventType.NOTICE_OUTCOME, f"listing:{payload['listing_id']}", _at(payload, at), data
        )
    ]


def _seller_standing(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    when = _at(payload, at)
    shared = {
        "seller_id": payload["seller_id"],
        "closed": payload["closed"],
        "restricted_until": payload.get("restricted_until"),
        "strikes": payload.get("strikes"),
    }
    listings: Sequence[Mapping[str, Any]] | None = payload.get("listings")
    if listings is None:  # no closure or reopening: one event about the shop
        return [
            EventDraft(
                EventType.SELLER_STANDING_CHANGED,
                f"seller:{payload['seller_id']}",
                when,
                {**shared, "listing_id": None, "publishable": None, "reasons": []},
            )
        ]
    return [  # a shop closed or reopened: one event per listing, in that listing's order
        EventDraft(
            EventType.SELLER_STANDING_CHANGED,
            f"listing:{item['listing_id']}",
            when,
            {
                **shared,
                "listing_id": item["listing_id"],
                "publishable": item["publishable"],
                "reasons": list(item.get("reasons") or ()),
            },
        )
        for item in listings
    ]


def _appeal_decided(payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    listing_id = payload.get("listing_id")
    subject = f"listing:{listing_id}" if listing_id else f"appeal:{payload['appeal_id']}"
    data = {
        k: payload.get(k)
        for k in ("appeal_id", "appellant", "appealed", "listing_id", "state", "reason_code")
    }
    return [EventDraft(EventType.APPEAL_DECIDED, subject, _at(payload, at), data)]


# Outbox topic -> the catalog events it stands for. A topic missing here is internal.
MAPPING: dict[str, Callable[[Mapping[str, Any], datetime], list[EventDraft]]] = {
    "listing.gate_changed": _gate_changed,
    "voucher.decided": _voucher_decided,
    "notice.received": _notice_received,
    "notice.item_settled": _item_settled,
    "seller.standing_changed": _seller_standing,
    "appeal.decided": _appeal_decided,
}


def events_from_outbox(topic: str, payload: Mapping[str, Any], at: datetime) -> list[EventDraft]:
    """The catalog events one outbox message stands for (none for an internal topic)."""
    mapper = MAPPING.get(topic)
    return mapper(payload, at) if mapper is not None else []


def example_event(endpoint_id: str, at: datetime) -> EventDraft:
    """The example an admin sends to check an endpoint ("send example")."""
    return EventDraft(
        EventType.TEST,
        f"endpoint:{endpoint_id}",
        at,
        {"endpoint_id": endpoint_id, "message": "probandi test event"},
    )


def wanted(event_types: frozenset[str], event_type: EventType) -> bool:
    """An endpoint subscribed to `*` takes every catalog event; test events go by request."""
    if event_type is EventType.TEST:
        return False
    return "*" in event_types or event_type.value in event_types
