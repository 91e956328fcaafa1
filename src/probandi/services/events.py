"""Writing what happened: an audit entry and, for parties outside, an outbox message."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from probandi.domain.actors import SYSTEM, Actor
from probandi.domain.audit import AuditEntry
from probandi.domain.listing_gate import GateEvent, GateState
from probandi.domain.listings import Listing, publishability
from probandi.domain.sellers import Seller
from probandi.domain.statements import LISTING_HELD, StatementOfReasons, redress_text, worded
from probandi.domain.text import say
from probandi.domain.vouchers import Voucher
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
    """Audit the gate move and tell the platform whether the listing may be published;
    a move into a state that owes proof also tells it the new deadline."""
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
    statement_id = data.get("statement_id")
    publish_listing(
        uow,
        listing,
        seller,
        event.at,
        cause=f"gate:{event.action.value}",
        statement_id=statement_id if isinstance(statement_id, str) else None,
        proof_due_changed=event.after in PROOF_OWED,
    )


PROOF_OWED = frozenset({GateState.AWAITING_PROOF, GateState.REJECTED})


def publish_listing(
    uow: UnitOfWork,
    listing: Listing,
    seller: Seller,
    at: datetime,
    cause: str | None = None,
    *,
    statement_id: str | None = None,
    proof_due_changed: bool = False,
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
            "statement_id": statement_id,
            "proof_due_at": listing.proof_due_at.isoformat() if listing.proof_due_at else None,
            "proof_due_changed": proof_due_changed,
            "brands": listing.gated_brand_names,
            "required_evidence": verdict.required_evidence,
            "at": at.isoformat(),
        },
    )


def publish_voucher(
    uow: UnitOfWork,
    voucher: Voucher,
    at: datetime,
    *,
    decided_by: Actor | None,
    statement_id: str | None = None,
    reason_codes: Iterable[str] = (),
) -> None:
    """Tell the platform a voucher was decided: approved, rejected or revoked."""
    uow.publish(
        "voucher.decided",
        {
            "voucher_id": voucher.id,
            "listing_id": voucher.listing_id,
            "seller_id": voucher.seller_id,
            "status": voucher.status.value,
            "decided_by": "automated" if decided_by is None or decided_by is SYSTEM else "person",
            "statement_id": statement_id,
            "reason_codes": sorted(set(reason_codes)),
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
    facts = [say("the listing names the gated brand(s) %(brands)s", brands=names)]
    for m in listing.matches:
        if m.tier == "likely":
            facts.append(
                say(
                    "'%(text)s' in the %(field)s is read as %(brand)s (%(kind)s name, "
                    "probability %(score).2f): %(evidence)s",
                    text=m.text,
                    field=m.field,
                    brand=m.brand_name,
                    kind=m.kind,
                    score=m.score,
                    evidence=m.evidence or "its own rarity",
                )
            )
    if changed:
        facts.append(
            say(
                "an edit changed what was approved or under review: %(fields)s",
                fields=", ".join(changed),
            )
        )
    due = (
        say("Upload proof by %(due)s.", due=listing.proof_due_at.isoformat())
        if listing.proof_due_at
        else say("Upload proof by the deadline.")
    )
    return worded(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=seller.id,
        measure=LISTING_HELD,
        scope=f"listing {listing.id} ({listing.content.title})",
        facts=tuple(facts),
        ground=say("probandi gated-brand policy:") + say(seller.required_evidence.summary),
        automated=True,
        redress=due + redress_text(now, appeal_days),
        created_at=now,
    )
