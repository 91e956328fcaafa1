"""Use cases of the penalty ledger: append an entry, reverse one, keep the shop's standing
in step, and show a seller its ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.errors import Conflict, InvalidInput, NotFound
from probandi.domain.listings import publishability
from probandi.domain.penalties import (
    PENALTY_TEXT,
    PenaltyEntry,
    PenaltyKind,
    Standing,
    live_entries,
    standing,
)
from probandi.domain.sellers import Seller
from probandi.domain.statements import SHOP_CLOSED, redress_text, worded
from probandi.domain.text import quote, say
from probandi.services.access import require_role, visible_seller
from probandi.services.context import Services
from probandi.services.events import issue_statement, record
from probandi.services.ports import UnitOfWork


@dataclass(frozen=True)
class Ledger:
    seller: Seller
    entries: list[PenaltyEntry]
    standing: Standing


def append_penalty(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    *,
    seller_id: str,
    kind: PenaltyKind,
    reason: str,
    decision: str,
    now: datetime,
    listing_id: str | None = None,
    notice_item_id: str | None = None,
    statement_id: str | None = None,
) -> PenaltyEntry:
    """Append one entry citing its decision, then apply what the ledger now adds up to."""
    entry = PenaltyEntry(
        id=uuid.uuid4().hex,
        seller_id=seller_id,
        kind=kind,
        at=now,
        reason=reason,
        decision=decision,
        actor=actor.label,
        listing_id=listing_id,
        notice_item_id=notice_item_id,
        statement_id=statement_id,
    )
    uow.penalties.add(entry)
    record(
        uow,
        actor,
        f"penalty:entry:{kind.value}",
        f"seller:{seller_id}",
        now,
        entry_id=entry.id,
        decision=decision,
        listing_id=listing_id,
        notice_item_id=notice_item_id,
    )
    apply_standing(uow, svc, actor, seller_id, now, cause=entry)
    return entry


def reverse_entry(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    entry: PenaltyEntry,
    *,
    reason: str,
    decision: str,
    now: datetime,
) -> PenaltyEntry:
    """A compensating entry that cancels `entry`; the ledger itself is never edited."""
    if entry.kind is PenaltyKind.REVERSAL:
        raise InvalidInput("a reversal cannot itself be reversed", field="entry_id")
    if entry.id not in {e.id for e in live_entries(uow.penalties.for_seller(entry.seller_id))}:
        raise Conflict("this entry is already reversed", entry_id=entry.id)
    reversal = PenaltyEntry(
        id=uuid.uuid4().hex,
        seller_id=entry.seller_id,
        kind=PenaltyKind.REVERSAL,
        at=now,
        reason=reason,
        decision=decision,
        actor=actor.label,
        listing_id=entry.listing_id,
        notice_item_id=entry.notice_item_id,
        reverses=entry.id,
    )
    uow.penalties.add(reversal)
    record(
        uow,
        actor,
        "penalty:entry:reversed",
        f"seller:{entry.seller_id}",
        now,
        entry_id=reversal.id,
        reverses=entry.id,
        decision=decision,
    )
    apply_standing(uow, svc, actor, entry.seller_id, now, cause=reversal)
    return reversal


def apply_standing(
    uow: UnitOfWork,
    svc: Services,
    actor: Actor,
    seller_id: str,
    now: datetime,
    *,
    cause: PenaltyEntry | None = None,
) -> Standing:
    """Close, restrict or reopen the shop as its ledger now says; audited and published."""
    seller = uow.sellers.get(seller_id)
    if seller is None:
        raise NotFound("no seller %(seller_id)r", seller_id=seller_id)
    st = standing(
        uow.penalties.for_seller(seller_id), svc.policy.penalty_rules(), svc.calendar, now=now
    )
    closed_at = (seller.closed_at or now) if st.closed else None
    restricted = st.restricted_until
    if (closed_at, restricted) == (seller.closed_at, seller.gated_restricted_until):
        return st
    uow.sellers.set_standing(seller_id, closed_at, restricted)
    if closed_at != seller.closed_at:
        tag = "seller:standing:closed" if closed_at else "seller:standing:reopened"
    else:
        tag = "seller:standing:restricted" if restricted else "seller:standing:unrestricted"
    record(
        uow,
        actor,
        tag,
        f"seller:{seller_id}",
        now,
        strikes=st.strikes,
        closed_by=list(st.closed_by),
        restricted_until=restricted.isoformat() if restricted else None,
        cause=cause.id if cause else None,
    )
    payload: dict[str, object] = {
        "seller_id": seller_id,
        "closed": closed_at is not None,
        "restricted_until": restricted.isoformat() if restricted else None,
        "strikes": st.strikes,
        "at": now.isoformat(),
    }
    if closed_at != seller.closed_at:  # closed or reopened: every listing's verdict moves
        after = replace(seller, closed_at=closed_at, gated_restricted_until=restricted)
        payload["listings"] = [
            {"listing_id": listing.id, "publishable": v.publishable, "reasons": list(v.reasons)}
            for listing in uow.listings.of_seller(seller_id)
            for v in (publishability(listing, after),)
        ]
    uow.publish("seller.standing_changed", payload)
    if cause is not None and cause.listing_id and closed_at and not seller.closed_at:
        _closure_statement(uow, actor, seller, cause, st, now, svc)
    return st


def _closure_statement(
    uow: UnitOfWork,
    actor: Actor,
    seller: Seller,
    cause: PenaltyEntry,
    st: Standing,
    now: datetime,
    svc: Services,
) -> None:
    assert cause.listing_id is not None
    closure_level = cause.kind in svc.policy.penalty_rules().closure_kinds
    ground = (
        say("probandi penalty policy: a forged or recycled voucher is closure-level")
        if closure_level
        else say(
            "probandi penalty policy: %(strikes)s counterfeit strikes within %(days)s days",
            strikes=svc.policy.close_at_strikes,
            days=svc.policy.strike_window_days,
        )
    )
    issue_statement(
        uow,
        actor,
        worded(
            id=uuid.uuid4().hex,
            listing_id=cause.listing_id,
            seller_id=seller.id,
            measure=SHOP_CLOSED,
            scope=f"the shop {seller.id} ({seller.legal_name}) and all its listings",
            facts=(
                PENALTY_TEXT[cause.kind],
                quote(cause.reason),
                say("ledger entries: %(entries)s", entries=", ".join(st.closed_by)),
            ),
            ground=ground,
            automated=cause.actor.startswith("admin:system"),
            redress=redress_text(now, svc.policy.appeal_window_days),
            created_at=now,
            decided_by=cause.actor,
        ),
    )


def seller_ledger(seller_id: str, actor: Actor, *, svc: Services) -> Ledger:
    """A seller sees its own ledger; staff see any."""
    visible_seller(actor, seller_id)
    with svc.reader() as uow:
        seller = uow.sellers.get(seller_id)
        if seller is None:
            raise NotFound("no seller %(seller_id)r", seller_id=seller_id)
        entries = uow.penalties.for_seller(seller_id)
    now = svc.clock.now()
    return Ledger(
        seller, entries, standing(entries, svc.policy.penalty_rules(), svc.calendar, now=now)
    )


def reverse_penalty(
    seller_id: str, entry_id: str, reason: str, actor: Actor, *, svc: Services
) -> PenaltyEntry:
    """An admin's correction: a compensating entry (appeals reverse through a reviewer)."""
    require_role(actor, Role.ADMIN)
    if not reason.strip() or len(reason) > 1000:
        raise InvalidInput("reason must be 1-1000 characters", field="reason")
    with svc.uow() as uow:
        now = svc.clock.now()
        entry = uow.penalties.get(entry_id)
        if entry is None or entry.seller_id != seller_id:
            raise NotFound("no ledger entry %(entry_id)r", entry_id=entry_id)
        reversal = reverse_entry(
            uow, svc, actor, entry, reason=reason, decision=f"admin:{actor.id}", now=now
        )
        uow.commit()
    return reversal
