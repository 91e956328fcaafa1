"""Deadlines on working days: proof overdue removes the listing, review SLA is flagged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from probandi.bootstrap import Runtime
from probandi.domain.actors import Actor, Role
from probandi.domain.commands import (
    BrandFields,
    SaveBrand,
    SubmitVoucher,
    UpsertListing,
    UpsertSeller,
)
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import ListingContent
from probandi.domain.money import Money
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine
from probandi.services.brands import save_brand
from probandi.services.clock import FrozenClock
from probandi.services.deadlines import apply_deadlines
from probandi.services.listings import upsert_listing, upsert_seller
from probandi.services.vouchers import submit_voucher
from tests.support.world import invoice_image

ADMIN = Actor("admin-1", Role.ADMIN)
PLATFORM = Actor("platform-1", Role.PLATFORM)
SELLER = Actor("key-a", Role.SELLER, "shop-a")


def a_held_listing(runtime: Runtime, listing_id: str) -> None:
    svc = runtime.services
    with svc.reader() as uow:
        if uow.brands.get("prada") is None:
            save_brand(SaveBrand(ADMIN, BrandFields(name="Prada", aliases=("普拉达",))), svc=svc)
    upsert_seller(
        UpsertSeller(PLATFORM, "shop-a", SellerKind.RESELLER, "甲贸易有限公司", "上海"), svc=svc
    )
    content = ListingContent(
        title="Prada 尼龙双肩包", price=Money(Decimal("9000"), "CNY"), stock=1, brand="Prada"
    )
    upsert_listing(UpsertListing(PLATFORM, listing_id, "shop-a", content), svc=svc)


def state_of(runtime: Runtime, listing_id: str) -> GateState:
    with runtime.services.reader() as uow:
        listing = uow.listings.get(listing_id)
    assert listing is not None
    return listing.gate.state


def test_proof_is_due_five_working_days_after_the_hold(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")  # Monday 2 Nov 09:00
    with runtime.services.reader() as uow:
        listing = uow.listings.get("L1")
    assert listing is not None
    assert listing.proof_due_at == clock.now() + timedelta(days=7)  # next Monday 09:00


def test_overdue_proof_removes_the_listing_with_a_statement(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    clock.advance(timedelta(days=6))  # Sunday: not yet due
    assert apply_deadlines(svc=runtime.services).removed == 0
    assert state_of(runtime, "L1") is GateState.AWAITING_PROOF
    clock.advance(timedelta(days=1, minutes=1))
    report = apply_deadlines(svc=runtime.services)
    assert report.removed == 1
    assert state_of(runtime, "L1") is GateState.REMOVED
    with runtime.services.reader() as uow:
        statements = uow.statements.for_listing("L1")
    removal = next(st for st in statements if st.measure == "listing removed")
    assert removal.automated is True
    assert apply_deadlines(svc=runtime.services).removed == 0  # applied once


def test_listing_in_review_is_not_removed_but_its_sla_breach_is_flagged(
    runtime: Runtime, clock: FrozenClock
) -> None:
    a_held_listing(runtime, "L1")
    decl = Declaration(
        issuer="上海奢品供应链有限公司",
        buyer_name="甲贸易有限公司",
        issued_on=clock.now().date(),
        lines=(DeclaredLine("PRADA", "backpack", 1),),
    )
    submit_voucher(
        SubmitVoucher(SELLER, "L1", VoucherKind.PURCHASE_INVOICE, decl, "i.png", invoice_image(31)),
        svc=runtime.services,
    )
    clock.advance(timedelta(days=30))
    report = apply_deadlines(svc=runtime.services)
    assert report.removed == 0
    assert report.sla_breached == 1
    assert state_of(runtime, "L1") is GateState.IN_REVIEW
    assert apply_deadlines(svc=runtime.services).sla_breached == 0
