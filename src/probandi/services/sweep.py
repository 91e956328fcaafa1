"""Applying a sweep's findings: the gate holds what it would have held had it been pushed.

Only `gated_brand.no_approved_proof` is acted on, and only through `upsert_listing`, the
platform's own push: the gate screens the listing again on the registry of today, holds it,
writes the statement of reasons and the audit entry, and tells the platform in the outbox
(`listing.gate_changed`), which tells the seller. A listing the registry knows is pushed
again with its stored content (the platform's truth), one it does not know with the
catalog's title, brand, price and currency. Counterfeit signals alone hold nothing: the gate
has no such rule, so a person looks at them.

Running it twice changes nothing more: held listings are `already_held`, and a re-push of
identical content writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from probandi.domain.actors import Actor, Role
from probandi.domain.commands import UpsertListing
from probandi.domain.errors import Forbidden, InvalidInput
from probandi.domain.listing_gate import HELD, GateState
from probandi.domain.listings import Listing, ListingContent, check_id
from probandi.domain.money import Money
from probandi.domain.sellers import Seller
from probandi.domain.sweep import ApplyOutcome, Finding, FindingCode
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.listings import upsert_listing
from probandi.services.ports import BrandScreener

SETTLED = {
    GateState.APPROVED: ApplyOutcome.APPROVED,
    GateState.REMOVED: ApplyOutcome.REMOVED,
    **dict.fromkeys(HELD, ApplyOutcome.ALREADY_HELD),
}


@dataclass(frozen=True)
class ApplySweep:
    actor: Actor
    findings: tuple[Finding, ...]
    dry_run: bool = False


@dataclass(frozen=True)
class Applied:
    """What became of one finding; in a dry run, `held` means it would be held."""

    listing_id: str
    seller_id: str
    outcome: ApplyOutcome
    detail: str = ""


@dataclass(frozen=True)
class _Known:
    screener: BrandScreener
    listings: dict[str, Listing]
    sellers: dict[str, Seller | None]


def apply_sweep(cmd: ApplySweep, *, svc: Services) -> list[Applied]:
    """Hold, through the gate, each swept listing that names a gated brand without proof."""
    require_role(cmd.actor, Role.PLATFORM, Role.ADMIN)
    known = _read([f for f in cmd.findings if _gated(f)], svc)
    return [
        _apply_one(f, known, cmd, svc)
        if _gated(f)
        else Applied(f.listing_id, f.seller_id, ApplyOutcome.SIGNAL_ONLY, ", ".join(f.codes))
        for f in cmd.findings
    ]


def _gated(finding: Finding) -> bool:
    return FindingCode.GATED_NO_PROOF.value in finding.codes


def _read(findings: Sequence[Finding], svc: Services) -> _Known:
    """One read for the batch: the screener, the listings the registry has, their sellers."""
    with svc.reader() as uow:
        screener = svc.screeners.get(uow.brands.registry_version(), uow.brands.list_all)
        listings = uow.listings.get_many({f.listing_id for f in findings})
        wanted = {
            listings[f.listing_id].seller_id if f.listing_id in listings else f.seller_id
            for f in findings
        }
        sellers = {seller_id: uow.sellers.get(seller_id) for seller_id in sorted(wanted)}
    return _Known(screener, listings, sellers)


def _apply_one(finding: Finding, known: _Known, cmd: ApplySweep, svc: Services) -> Applied:
    listing = known.listings.get(finding.listing_id)
    seller_id = listing.seller_id if listing else finding.seller_id

    def done(outcome: ApplyOutcome, detail: str = "") -> Applied:
        return Applied(finding.listing_id, seller_id, outcome, detail)

    if listing is not None and listing.gate.state is not GateState.UNGATED:
        return done(SETTLED[listing.gate.state], listing.gate.state.value)
    seller = known.sellers.get(seller_id)
    if seller is None:
        return done(ApplyOutcome.UNKNOWN_SELLER, "push the seller's verified identity first")
    try:
        content = listing.content if listing else _content(finding)
    except InvalidInput as exc:
        return done(ApplyOutcome.INVALID, exc.message)
    names = sorted({m.brand_name for m in known.screener.screen(content.screened_fields())})
    if not names:
        return done(ApplyOutcome.NOT_GATED, "the gate finds no gated brand in it today")
    if seller.restricted_from_gated(now=svc.clock.now()):
        return done(ApplyOutcome.REFUSED, "the seller may not list gated brands")
    if cmd.dry_run:
        return done(ApplyOutcome.HELD, f"would hold: names {', '.join(names)}")
    try:
        push = UpsertListing(cmd.actor, finding.listing_id, seller_id, content)
        result = upsert_listing(push, svc=svc)
    except Forbidden as exc:
        return done(ApplyOutcome.REFUSED, exc.message)
    except InvalidInput as exc:
        return done(ApplyOutcome.INVALID, exc.message)
    state = result.listing.gate.state
    if state is GateState.AWAITING_PROOF:
        return done(ApplyOutcome.HELD, f"names {', '.join(names)}")
    return done(SETTLED.get(state, ApplyOutcome.NOT_GATED), state.value)


def _content(finding: Finding) -> ListingContent:
    """The catalog's fields as a listing push; stock is not in a catalog, so it is 0."""
    check_id(finding.listing_id, "listing_id")
    if finding.price is None or finding.currency is None:
        raise InvalidInput("the catalog row has no price and currency; the platform must push it")
    return ListingContent(
        title=finding.title,
        price=Money(finding.price, finding.currency),
        stock=0,
        brand=finding.brand_field,
    )
