"""Writing what happened: an audit entry and, for parties outside, an outbox message."""

from __future__ import annotations

import uuid
from datetime import datetime

from probandi.domain.actors import Actor
from probandi.domain.audit import AuditEntry
from probandi.domain.listing_gate import GateEvent
from probandi.domain.listings import Listing, publishability
from probandi.domain.sellers import Seller
from probandi.domain.statements import StatementOfReasons, redress_text
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
    publish_listing(uow, listing, seller, event.at)


def publish_listing(
    uow: UnitOfWork, listing: Listing, seller: Seller, at: datetime, cause: str | None = None
) -> None:
    """Tell the platform whether the listing may be published now, and why not."""
    verdict = publishability(listing, seller)
    uow.publish(
        "listing.gate_changed",
        {
            "listing_id": listing.id,
            "seller_id": listing.seller_id,
            "state": listing.gate.state.value,
            "notice_holds": dict(listing.notice_holds),
            "publishable": verdict.publishable,
            "reasons": list(verdict.reasons),
            "cause": cause,
            "at": at.isoformat(),
        },
    )


def issue_statement(uow: UnitOfWork, actor: Actor, statement: StatementOfReasons) -> None:
    """Every restriction carries a statement of reasons, and its issue is audited."""
    uow.statements.add(statement)
    record(
        uow,
        actor,
        "statement:issued",
        f"statement:{statement.id}",
        statement.created_at,
        listing_id=statement.listing_id,
        measure=statement.measure,
        automated=statement.automated,
    )


def hold_statement(
    listing: Listing,
    seller: Seller,
    *,
    now: datetime,
    appeal_days: int,
    changed: tuple[str, ...] = (),
) -> StatementOfReasons:
    """Why a listing is held: the gated brand it names, and what proof is due when."""
    names = ", ".join(listing.gated_brand_names)
    facts = [f"the listing names the gated brand(s) {names}"]
    if changed:
        facts.append(f"an edit changed what was approved or under review: {', '.join(changed)}")
    due = listing.proof_due_at.isoformat() if listing.proof_due_at else "the deadline"
    return StatementOfReasons(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=seller.id,
        measure="listing held: not publishable until proof is approved",
        scope=f"listing {listing.id} ({listing.content.title})",
        facts=tuple(facts),
        ground="probandi gated-brand policy: " + seller.required_evidence.summary,
        automated=True,
        redress=f"Upload proof by {due}. " + redress_text(now, appeal_days),
        created_at=now,
    )
