"""apply_upsert: how a platform push moves a listing's gate; and what the seller is told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.errors import InvalidInput
from probandi.domain.listing_gate import Gate, GateAction, GateState
from probandi.domain.listings import Listing, ListingContent, publishability
from probandi.domain.sellers import REQUIRED_EVIDENCE, SellerKind
from tests.unit.builders import (
    MONDAY_9AM,
    PROOF_DUE,
    a_brand,
    a_held_listing,
    a_listing,
    a_seller,
    an_approved_listing,
    listing_content,
    money,
    plain_content,
    upsert,
)

LATER = MONDAY_9AM + timedelta(hours=2)
LATER_DUE = PROOF_DUE + timedelta(days=1)


# --- new listings -----------------------------------------------------------------------


def test_a_new_listing_naming_a_gated_brand_is_held_with_a_proof_deadline() -> None:
    outcome = upsert(None, listing_content())
    listing = outcome.listing
    assert outcome.created
    assert listing.gate == Gate(GateState.AWAITING_PROOF, 1)
    assert listing.held_at == MONDAY_9AM
    assert listing.proof_due_at == PROOF_DUE
    assert listing.gated_brand_ids == {"gucci"}
    assert [(e.action, e.before, e.after) for e in outcome.events] == [
        (GateAction.HOLD, GateState.UNGATED, GateState.AWAITING_PROOF)
    ]


def test_a_new_listing_naming_no_gated_brand_is_ungated_and_publishable() -> None:
    outcome = upsert(None, plain_content())
    assert outcome.created
    assert outcome.events == ()
    assert outcome.listing.gate == Gate(GateState.UNGATED, 0)
    assert outcome.listing.proof_due_at is None
    assert outcome.listing.held_at is None


def test_a_listing_naming_the_brand_only_in_its_title_is_held() -> None:
    outcome = upsert(None, listing_content(brand=None, title="古驰 马蒙 单肩包"))
    assert outcome.listing.gate.state is GateState.AWAITING_PROOF


def test_editing_an_ungated_listing_without_a_brand_keeps_it_ungated() -> None:
    ungated = a_listing(content=plain_content())
    outcome = upsert(ungated, plain_content(stock=40, title="Plain canvas tote, large"), now=LATER)
    assert not outcome.created
    assert outcome.events == ()
    assert outcome.listing.gate.state is GateState.UNGATED
    assert outcome.listing.updated_at == LATER
    assert outcome.listing.created_at == MONDAY_9AM


def test_adding_a_gated_brand_to_an_ungated_listing_holds_it() -> None:
    ungated = a_listing(content=plain_content())
    outcome = upsert(ungated, plain_content(brand="GUCCI"), now=LATER, proof_due_at=LATER_DUE)
    assert outcome.listing.gate.state is GateState.AWAITING_PROOF
    assert outcome.listing.held_at == LATER
    assert outcome.listing.proof_due_at == LATER_DUE
    assert not outcome.created


# --- approved listings --------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        {"stock": 50},
        {"description": "Now with the dust bag and the receipt."},
        {"category": "handbags"},
        {"images": ("img-back", "img-front")},  # reordering shows nothing new
        {"brand": "  GUCCI "},  # folded and trimmed, it is the same brand
        {"title": "GUCCI   Marmont Shoulder Bag"},  # same title after folding and spacing
    ],
)
def test_editing_an_approved_listing_outside_gated_aspects_keeps_it_publishable(
    edit: dict[str, object],
) -> None:
    approved = an_approved_listing()
    outcome = upsert(approved, listing_content(**edit), now=LATER)
    assert outcome.events == ()
    assert outcome.changed_aspects == ()
    assert outcome.listing.gate == approved.gate
    assert outcome.listing.gate.publishable
    assert outcome.listing.approved_terms == approved.approved_terms


def test_editing_stock_of_an_approved_listing_keeps_it_publishable() -> None:
    outcome = upsert(an_approved_listing(), listing_content(stock=999), now=LATER)
    assert outcome.listing.gate.state is GateState.APPROVED
    assert outcome.listing.content.stock == 999


@pytest.mark.parametrize(
    ("edit", "aspects"),
    [
        ({"title": "Gucci Jackie 1961 hobo bag"}, ("title",)),
        ({"brand": "Gucci Italia"}, ("brand",)),
        ({"images": ("img-front", "img-back", "img-new")}, ("images",)),
        ({"images": ("img-front",)}, ("images",)),
        ({"title": "Gucci Dionysus bag", "price": money(20_000)}, ("title", "price")),
    ],
)
def test_changing_a_gated_aspect_of_an_approved_listing_regates_it(
    edit: dict[str, object], aspects: tuple[str, ...]
) -> None:
    approved = an_approved_listing()
    outcome = upsert(approved, listing_content(**edit), now=LATER, proof_due_at=LATER_DUE)
    listing = outcome.listing
    assert outcome.changed_aspects == aspects
    assert listing.gate == Gate(GateState.AWAITING_PROOF, approved.gate.version + 1)
    assert not listing.gate.publishable
    assert listing.approved_terms is None
    assert (listing.held_at, listing.proof_due_at) == (LATER, LATER_DUE)
    assert [(e.action, e.before) for e in outcome.events] == [
        (GateAction.REGATE, GateState.APPROVED)
    ]


def test_naming_a_second_gated_brand_regates_an_approved_listing() -> None:
    brands = (a_brand(), a_brand(id="prada", name="Prada", aliases=(), distributors=()))
    approved = an_approved_listing()
    outcome = upsert(approved, listing_content(brand="Gucci"), brands=brands)
    assert outcome.changed_aspects == ()
    moved = upsert(
        approved, listing_content(description="like Prada", title="Gucci x Prada"), brands=brands
    )
    assert moved.changed_aspects == ("brand", "title")


@pytest.mark.parametrize("amount", ["7200", "7200.00", "9000", "10800", "10800.00", "8000.5"])
def test_a_price_within_the_approved_band_keeps_an_approved_listing(amount: str) -> None:
    outcome = upsert(an_approved_listing(), listing_content(price=money(amount)))
    assert outcome.changed_aspects == ()
    assert outcome.listing.gate.state is GateState.APPROVED


@pytest.mark.parametrize("amount", ["7199.99", "10800.01", "1", "0", "90000"])
def test_a_price_outside_the_approved_band_regates_an_approved_listing(amount: str) -> None:
    outcome = upsert(an_approved_listing(), listing_content(price=money(amount)))
    assert outcome.changed_aspects == ("price",)
    assert outcome.listing.gate.state is GateState.AWAITING_PROOF


@given(st.decimals(min_value=Decimal("0.80"), max_value=Decimal("1.20"), places=4))
def test_any_price_within_twenty_percent_of_the_approved_price_keeps_it_approved(
    factor: Decimal,
) -> None:
    amount = (Decimal(9000) * factor).quantize(Decimal("0.01"))
    outcome = upsert(an_approved_listing(), listing_content(price=money(amount)))
    assert outcome.listing.gate.state is GateState.APPROVED


def test_changing_the_currency_of_an_approved_listing_regates_it_even_at_the_same_amount() -> None:
    outcome = upsert(an_approved_listing(), listing_content(price=money(9000, "HKD")))
    assert outcome.changed_aspects == ("price",)
    assert outcome.listing.gate.state is GateState.AWAITING_PROOF


# --- leaving the gate, removal, ownership --------------------------------------------------


@pytest.mark.parametrize(
    "listing_factory",
    [a_held_listing, an_approved_listing],
    ids=["awaiting_proof", "approved"],
)
def test_removing_the_brand_clears_the_gate_and_its_deadline(
    listing_factory: Callable[[], Listing],
) -> None:
    gated = listing_factory()
    outcome = upsert(gated, plain_content(), now=LATER)
    listing = outcome.listing
    assert listing.gate.state is GateState.UNGATED
    assert listing.gate.publishable
    assert (listing.approved_terms, listing.held_at, listing.proof_due_at) == (None, None, None)
    assert listing.matches == ()
    assert [e.action for e in outcome.events] == [GateAction.CLEAR]


@pytest.mark.parametrize("state", [GateState.IN_REVIEW, GateState.REJECTED])
def test_removing_the_brand_clears_a_listing_in_review_or_rejected(state: GateState) -> None:
    held = a_held_listing()
    listing = replace(held, gate=Gate(state, 2))
    outcome = upsert(listing, plain_content())
    assert outcome.listing.gate == Gate(GateState.UNGATED, 3)


def test_editing_a_rejected_listing_that_still_names_the_brand_leaves_the_gate_alone() -> None:
    listing = replace(a_held_listing(), gate=Gate(GateState.REJECTED, 2))
    outcome = upsert(listing, listing_content(title="Gucci bag, new photos"), now=LATER)
    assert outcome.events == ()
    assert outcome.listing.gate == Gate(GateState.REJECTED, 2)
    assert outcome.listing.proof_due_at == PROOF_DUE


def test_editing_a_gated_aspect_during_review_regates_the_listing() -> None:
    listing = replace(a_held_listing(), gate=Gate(GateState.IN_REVIEW, 2))
    outcome = upsert(listing, listing_content(title="Gucci bag, new photos"), now=LATER)
    assert [e.action for e in outcome.events] == [GateAction.REGATE]
    assert outcome.listing.gate.state is GateState.AWAITING_PROOF
    assert outcome.changed_aspects == ("title",)


def test_editing_stock_during_review_keeps_the_review() -> None:
    held = a_held_listing()
    listing = replace(held, gate=Gate(GateState.IN_REVIEW, 2))
    outcome = upsert(listing, replace(held.content, stock=7), now=LATER)
    assert outcome.events == ()
    assert outcome.listing.gate == Gate(GateState.IN_REVIEW, 2)


@pytest.mark.parametrize("content", [plain_content(), listing_content(title="Gucci Jackie")])
def test_a_removed_listing_stays_removed_whatever_the_edit(content: ListingContent) -> None:
    removed, _ = a_held_listing().transition(GateAction.REMOVE, at=MONDAY_9AM)
    outcome = upsert(removed, content, now=LATER)
    assert outcome.events == ()
    assert outcome.listing.gate == removed.gate
    assert not outcome.listing.gate.publishable


def test_a_listing_cannot_move_to_another_seller() -> None:
    listing = a_held_listing()
    with pytest.raises(InvalidInput) as raised:
        upsert(listing, listing_content(), seller_id="shop-2")
    assert raised.value.details == {"field": "seller_id"}


# --- content validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"stock": -1}, "stock"),
        ({"description": "x" * 20_001}, "description"),
        ({"images": tuple(f"img-{i}" for i in range(31))}, "images"),
    ],
)
def test_listing_content_outside_its_limits_is_refused(edit: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        listing_content(**edit)
    assert raised.value.details["field"] == field


# --- publishability -----------------------------------------------------------------------


def test_an_ungated_listing_is_publishable_with_no_reasons() -> None:
    answer = publishability(a_listing(content=plain_content()), a_seller())
    assert answer.publishable
    assert (answer.reasons, answer.required_evidence, answer.proof_due_at) == ((), None, None)


def test_an_approved_listing_is_publishable_with_no_reasons() -> None:
    answer = publishability(an_approved_listing(), a_seller())
    assert answer.publishable
    assert answer.reasons == ()


@pytest.mark.parametrize(
    ("state", "phrase"),
    [
        (GateState.AWAITING_PROOF, "proof has not been supplied yet"),
        (GateState.IN_REVIEW, "the proof is under review"),
        (GateState.REJECTED, "other proof may be supplied"),
    ],
)
def test_a_held_listing_says_which_brand_and_why_and_until_when(
    state: GateState, phrase: str
) -> None:
    listing = replace(a_held_listing(), gate=Gate(state, 2))
    answer = publishability(listing, a_seller())
    assert not answer.publishable
    [reason] = answer.reasons
    assert reason.startswith("names the gated brand(s) Gucci;")
    assert phrase in reason
    assert answer.proof_due_at == PROOF_DUE


@pytest.mark.parametrize("kind", list(SellerKind))
def test_a_held_listing_asks_for_the_evidence_of_the_seller_kind(kind: SellerKind) -> None:
    answer = publishability(a_held_listing(), a_seller(kind=kind))
    assert answer.required_evidence == REQUIRED_EVIDENCE[kind].summary


def test_each_seller_kind_is_asked_for_different_evidence() -> None:
    summaries = {kind: a_seller(kind=kind).required_evidence.summary for kind in SellerKind}
    assert len(set(summaries.values())) == len(SellerKind)
    assert "price" in summaries[SellerKind.PURCHASING_AGENT]
    assert "authorization" in summaries[SellerKind.BRAND_OWNER]


def test_a_removed_listing_is_not_publishable_and_has_no_deadline() -> None:
    removed, _ = a_held_listing().transition(GateAction.EXPIRE, at=MONDAY_9AM)
    answer = publishability(removed, a_seller())
    assert not answer.publishable
    assert answer.proof_due_at is None
    [reason] = answer.reasons
    assert reason.startswith("removed:")


def test_a_listing_naming_two_gated_brands_names_both_in_sorted_order() -> None:
    brands = (a_brand(), a_brand(id="prada", name="Prada", aliases=(), distributors=()))
    listing = upsert(None, listing_content(title="Prada and Gucci bundle"), brands=brands).listing
    [reason] = publishability(listing, a_seller()).reasons
    assert reason.startswith("names the gated brand(s) Gucci, Prada;")
