"""Use cases of the listing gate: sellers and listings as the platform pushes them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.commands import UpsertListing, UpsertSeller
from probandi.domain.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from probandi.domain.listing_gate import GateAction
from probandi.domain.listings import EditOutcome, Listing, apply_upsert, check_id
from probandi.domain.locales import N_
from probandi.domain.review import TaskState
from probandi.domain.sellers import Seller
from probandi.domain.vouchers import VoucherAction, VoucherStatus
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.events import hold_statement, record, record_gate_event
from probandi.services.ports import UnitOfWork


@dataclass(frozen=True)
class ListingResult:
    listing: Listing
    seller: Seller
    created: bool = False
    changed_aspects: tuple[str, ...] = ()


def upsert_seller(cmd: UpsertSeller, *, svc: Services) -> tuple[Seller, bool]:
    """Create or update a seller with its verified legal identity."""
    require_role(cmd.actor, Role.PLATFORM, Role.ADMIN)
    seller = Seller(
        id=check_id(cmd.seller_id, "seller_id"),
        kind=cmd.kind,
        legal_name=cmd.legal_name,
        address=cmd.address,
        tax_id=cmd.tax_id,
        display_name=cmd.display_name,
    )
    with svc.uow() as uow:
        now = svc.clock.now()
        created = uow.sellers.upsert(seller, now=now)
        tag = "seller:registered" if created else "seller:updated"
        record(
            uow,
            cmd.actor,
            tag,
            f"seller:{seller.id}",
            now,
            kind=seller.kind.value,
            legal_name=seller.legal_name,
        )
        uow.commit()
    return seller, created


PUSH_ATTEMPTS = 4


def upsert_listing(cmd: UpsertListing, *, svc: Services) -> ListingResult:
    """Screen the pushed listing and hold, clear or re-gate it.

    A plain push is last-writer-wins: pushes of one listing queue on its row lock and
    each applies over the one before. Only a push with `if_match` can fail because the
    listing changed (PreconditionFailed).
    """
    require_role(cmd.actor, Role.PLATFORM, Role.ADMIN)
    check_id(cmd.listing_id, "listing_id")
    for attempt in range(PUSH_ATTEMPTS):
        try:
            return _upsert_once(cmd, svc)
        except Conflict:
            # Left to race: the first insert of a new id (there is no row to lock yet),
            # and, without row locks (several processes on one SQLite file), an edit. The
            # loser reads the winner's row and applies over it.
            if attempt == PUSH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _upsert_once(cmd: UpsertListing, svc: Services) -> ListingResult:
    # Screening is pure and needs only the registry: done before the write transaction,
    # which it would otherwise lengthen (SQLite has one writer at a time).
    recent = svc.screeners.recent_versioned()
    if recent is None:
        with svc.reader() as reader:
            version = reader.brands.registry_version()
            recent = svc.screeners.get(version, reader.brands.list_all), version
    screener, version = recent
    matches = screener.screen(cmd.content.screened_fields())
    with svc.uow() as uow:
        # The registry as this transaction sees it: a brand gated by another process a
        # moment ago holds this listing too (the cache above may be up to a second old).
        current = uow.brands.registry_version_now()
        if current != version:
            screener = svc.screeners.get(current, uow.brands.list_all)
            matches = screener.screen(cmd.content.screened_fields())
        now = svc.clock.now()
        existing, seller = uow.listings.get_with_seller(
            cmd.listing_id, cmd.seller_id, for_update=True
        )
        if seller is None:
            raise InvalidInput(
                "unknown seller %(seller_id)r; push it first",
                field="seller_id",
                params={"seller_id": cmd.seller_id},
            )
        if cmd.if_match is not None and not cmd.if_match.holds(existing):
            raise PreconditionFailed(
                "listing %(listing_id)r is not at the version in If-Match",
                listing_id=cmd.listing_id,
                current_version=existing.version if existing else None,
            )
        due = svc.calendar.add_working_days(now, svc.policy.proof_deadline_working_days)
        outcome = apply_upsert(
            existing,
            listing_id=cmd.listing_id,
            seller_id=cmd.seller_id,
            content=cmd.content,
            matches=matches,
            now=now,
            proof_due_at=due,
            price_band=svc.policy.approved_price_band,
        )
        if seller.restricted_from_gated(now=now) and any(
            e.action is GateAction.HOLD for e in outcome.events
        ):
            until = seller.gated_restricted_until if seller.closed_at is None else None
            raise Forbidden(
                N_(
                    "seller %(seller_id)r may not list gated brands until %(until)s under its "
                    "penalty ledger"
                )
                if until
                else N_("seller %(seller_id)r may not list gated brands (the shop is closed)"),
                params={"until": until.isoformat() if until else None},
                code="seller_restricted",
                seller_id=seller.id,
            )
        listing = outcome.listing
        if not outcome.unchanged:
            _persist_outcome(uow, cmd.actor, outcome, seller, now, svc.policy.appeal_window_days)
            uow.commit()
            # As stored: a new row starts at version 1, and every save moves it on by one.
            listing = replace(listing, version=1 if outcome.created else listing.version + 1)
    return ListingResult(listing, seller, outcome.created, outcome.changed_aspects)


def _persist_outcome(
    uow: UnitOfWork,
    actor: Actor,
    outcome: EditOutcome,
    seller: Seller,
    now: datetime,
    appeal_days: int,
) -> None:
    listing = outcome.listing
    if outcome.created:
        uow.listings.add(listing)
    else:
        uow.listings.save(listing)
    facts: dict[str, object] = {
        "created": outcome.created,
        "title": listing.content.title,
        "price": str(listing.content.price.amount),
        "currency": listing.content.price.currency,
        "brands": sorted(listing.gated_brand_ids),
    }
    if not outcome.events:
        tag = "listing:created" if outcome.created else "listing:updated"
        record(uow, actor, tag, f"listing:{listing.id}", now, **facts)
    # One audit entry per gate move carries the edit too: the platform pushes all day,
    # and every entry is hashed under the lane's lock.
    for event in outcome.events:
        if event.leaves_review:
            withdraw_pending_proof(uow, actor, listing.id, now)
        if event.action in (GateAction.HOLD, GateAction.REGATE):
            statement = hold_statement(
                listing,
                seller,
                now=now,
                appeal_days=appeal_days,
                changed=outcome.changed_aspects,
            )
            uow.statements.add(statement)
            facts["statement_id"] = statement.id
        record_gate_event(
            uow, actor, listing, seller, event, changed=list(outcome.changed_aspects), **facts
        )


def withdraw_pending_proof(uow: UnitOfWork, actor: Actor, listing_id: str, now: datetime) -> None:
    """The listing left review: cancel its open task and withdraw undecided vouchers."""
    task = uow.tasks.open_for_listing(listing_id)
    if task is not None and task.state in (TaskState.OPEN, TaskState.CLAIMED):
        uow.tasks.save(task.cancel())
        record(uow, actor, "review:task:cancelled", f"task:{task.id}", now, listing_id=listing_id)
    for voucher in uow.vouchers.for_listing(listing_id):
        if voucher.status is VoucherStatus.PENDING_REVIEW:
            uow.vouchers.save(voucher.apply(VoucherAction.WITHDRAW, at=now))
            record(uow, actor, "voucher:withdrawn", f"voucher:{voucher.id}", now)
