"""Writing what happened: an audit entry and, for parties outside, an outbox message."""

from __future__ import annotations

from datetime import datetime

from probandi.domain.actors import Actor
from probandi.domain.audit import AuditEntry
from probandi.domain.listing_gate import GateEvent
from probandi.domain.listings import Listing, publishability
from probandi.domain.sellers import Seller
from probandi.services.ports import UnitOfWork


def record(
    uow: UnitOfWork, actor: Actor, tag: str, subject: str, at: datetime, **data: object
) -> None:
    uow.record(AuditEntry(at=at, actor=actor.label, tag=tag, subject=subject, data=data))


def record_gate_event(
    uow: UnitOfWork,
    actor: Actor,
    listing: Listing,
    seller: Seller,
    event: GateEvent,
    **data: object,
) -> None:
    """Audit the gate move and tell the platform whether the listing may be published."""
    record(
        uow,
        actor,
        f"listing:gate:{event.after.value}",
        f"listing:{listing.id}",
        event.at,
        action=event.action.value,
        before=event.before.value,
        after=event.after.value,
        **data,
    )
    verdict = publishability(listing, seller)
    uow.publish(
        "listing.gate_changed",
        {
            "listing_id": listing.id,
            "seller_id": listing.seller_id,
            "state": event.after.value,
            "publishable": verdict.publishable,
            "reasons": list(verdict.reasons),
            "at": event.at.isoformat(),
        },
    )
