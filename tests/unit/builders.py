"""Builders for domain unit tests: `a_thing(**overrides)` with plain, believable defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from probandi.domain.brands import Brand, Distributor, ReferencePrice
from probandi.domain.checks import CheckContext, run_checks
from probandi.domain.listing_gate import GateAction
from probandi.domain.listings import (
    ApprovedTerms,
    EditOutcome,
    Listing,
    ListingContent,
    apply_upsert,
)
from probandi.domain.money import FxTable, Money
from probandi.domain.policy import Policy
from probandi.domain.review import ReviewTask
from probandi.domain.screening import AliasMatcher, BrandMatch
from probandi.domain.sellers import Seller, SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine, Finding

MONDAY_9AM = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TODAY = MONDAY_9AM.date()
PROOF_DUE = MONDAY_9AM + timedelta(days=7)
POLICY = Policy()

SELLER_LEGAL_NAME = "上海某某有限公司"
SELLER_TAX_ID = "91310000MA1AAAAA1A"
DISTRIBUTOR_NAME = "上海奢品供应链有限公司"
DISTRIBUTOR_TAX_ID = "91310000MA1FL0XX7Y"


def money(amount: str | int | Decimal, currency: str = "CNY") -> Money:
    return Money(Decimal(amount), currency)


def a_brand(**overrides: Any) -> Brand:
    brand = Brand(
        id="gucci",
        name="Gucci",
        aliases=("古驰",),
        distributors=(Distributor(DISTRIBUTOR_NAME, DISTRIBUTOR_TAX_ID),),
        reference_prices=(ReferencePrice("*", money(10_000)),),
    )
    return replace(brand, **overrides)


def a_seller(**overrides: Any) -> Seller:
    seller = Seller(
        id="shop-1",
        kind=SellerKind.RESELLER,
        legal_name=SELLER_LEGAL_NAME,
        address="上海市黄浦区南京东路1号",
        tax_id=SELLER_TAX_ID,
    )
    return replace(seller, **overrides)


def listing_content(**overrides: Any) -> ListingContent:
    content = ListingContent(
        title="Gucci Marmont shoulder bag",
        price=money(9_000),
        stock=2,
        description="Bought at the Shanghai IFC store.",
        brand="Gucci",
        category="bags",
        images=("img-front", "img-back"),
    )
    return replace(content, **overrides)


def plain_content(**overrides: Any) -> ListingContent:
    """Content that names no brand at all."""
    return listing_content(
        **{"title": "Plain canvas tote", "brand": None, "price": money(120), **overrides}
    )


def screen(content: ListingContent, brands: tuple[Brand, ...] | None = None) -> list[BrandMatch]:
    matcher = AliasMatcher(list(brands if brands is not None else (a_brand(),)))
    return matcher.screen(content.screened_fields())


def upsert(
    existing: Listing | None,
    content: ListingContent,
    *,
    seller_id: str = "shop-1",
    now: datetime = MONDAY_9AM,
    proof_due_at: datetime = PROOF_DUE,
    brands: tuple[Brand, ...] | None = None,
) -> EditOutcome:
    """apply_upsert with the matches an AliasMatcher of `brands` (default Gucci) finds."""
    return apply_upsert(
        existing,
        listing_id=existing.id if existing else "listing-1",
        seller_id=seller_id,
        content=content,
        matches=screen(content, brands),
        now=now,
        proof_due_at=proof_due_at,
    )


def a_listing(**overrides: Any) -> Listing:
    """A listing as the platform pushed it, screened and gated by the domain."""
    content = overrides.pop("content", None) or listing_content()
    listing = upsert(None, content).listing
    return replace(listing, **overrides)


def a_held_listing(**content_overrides: Any) -> Listing:
    listing = a_listing(content=listing_content(**content_overrides))
    assert listing.matches, "a held listing must name a gated brand"
    return listing


def an_approved_listing(**content_overrides: Any) -> Listing:
    """Held, proof submitted, approved: with the terms a reviewer approved (±20 % price)."""
    listing = a_held_listing(**content_overrides)
    listing, _ = listing.transition(GateAction.SUBMIT_PROOF, at=MONDAY_9AM)
    listing, _ = listing.transition(GateAction.APPROVE, at=MONDAY_9AM)
    terms = ApprovedTerms.of(listing, POLICY.approved_price_band)
    return replace(listing, approved_terms=terms, proof_due_at=None)


def an_fx_table(**rates: str) -> FxTable:
    """EUR pivot; rates are EUR per one unit of the currency."""
    defaults = {"CNY": "0.125", "USD": "0.90", "JPY": "0.0060"}
    return FxTable("EUR", {k: Decimal(v) for k, v in (defaults | rates).items()})


def a_line(**overrides: Any) -> DeclaredLine:
    return replace(
        DeclaredLine(brand="GUCCI", item="Marmont shoulder bag", quantity=2), **overrides
    )


def a_declaration(**overrides: Any) -> Declaration:
    declaration = Declaration(
        issuer=DISTRIBUTOR_NAME,
        issuer_tax_id=DISTRIBUTOR_TAX_ID,
        buyer_name=SELLER_LEGAL_NAME,
        issued_on=TODAY - timedelta(days=30),
        document_number="INV-00012345",
        currency="CNY",
        lines=(a_line(),),
    )
    return replace(declaration, **overrides)


def a_price_capture(**overrides: Any) -> Declaration:
    declaration = Declaration(
        site_url="https://www.gucci.com/it/it/pr/marmont",
        price=Decimal("1000.00"),
        currency="EUR",
        captured_at=MONDAY_9AM - timedelta(days=2),
    )
    return replace(declaration, **overrides)


def a_check_context(**overrides: Any) -> CheckContext:
    """A clean reseller invoice from an authorized distributor: no warnings, no hard findings."""
    ctx = CheckContext(
        kind=VoucherKind.PURCHASE_INVOICE,
        declaration=a_declaration(),
        seller=a_seller(),
        listing=a_held_listing(),
        brands=(a_brand(),),
        now=MONDAY_9AM,
        policy=POLICY,
        fx=an_fx_table(),
    )
    return replace(ctx, **overrides)


def a_review_task(**overrides: Any) -> ReviewTask:
    task = ReviewTask(
        id="task-1",
        listing_id="listing-1",
        seller_id="shop-1",
        created_at=MONDAY_9AM,
        due_at=MONDAY_9AM + timedelta(days=3),
    )
    return replace(task, **overrides)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


# --- running the checks ---------------------------------------------------------------


def findings_of(**overrides: Any) -> dict[str, Finding]:
    return {f.code: f for f in run_checks(a_check_context(**overrides))}


def codes_of(**overrides: Any) -> set[str]:
    return set(findings_of(**overrides))


def declared(**overrides: Any) -> dict[str, Any]:
    return {"declaration": a_declaration(**overrides)}


def agent_capture(**overrides: Any) -> CheckContext:
    """A purchasing agent's price capture; the listing price is in CNY."""
    listing_overrides = overrides.pop("listing", {})
    return a_check_context(
        kind=VoucherKind.PRICE_CAPTURE,
        seller=a_seller(kind=SellerKind.PURCHASING_AGENT),
        declaration=a_price_capture(**overrides),
        listing=a_held_listing(**listing_overrides),
    )


def capture_codes(**overrides: Any) -> set[str]:
    return {f.code for f in run_checks(agent_capture(**overrides))}
