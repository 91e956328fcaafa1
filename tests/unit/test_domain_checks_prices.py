"""run_checks: price findings, accepted kinds, and the order findings come in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.brands import Distributor, ReferencePrice
from probandi.domain.checks import PriorUse, run_checks
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Severity
from tests.unit.builders import (
    SELLER_LEGAL_NAME,
    TODAY,
    a_brand,
    a_check_context,
    a_declaration,
    a_held_listing,
    a_line,
    a_seller,
    agent_capture,
    capture_codes,
    codes_of,
    days_ago,
    declared,
    findings_of,
    money,
)

SEVERITY_ORDER = {Severity.HARD: 0, Severity.WARNING: 1, Severity.INFO: 2}


# --- prices -------------------------------------------------------------------------------


def test_an_agent_listing_priced_below_the_converted_foreign_price_is_a_hard_finding() -> None:
    # 1000 EUR at 0.125 EUR per CNY is 8000 CNY.
    ctx = agent_capture(listing={"price": money("7999.99")})
    [finding] = run_checks(ctx)
    assert (finding.code, finding.severity) == (
        "listing.price_below_foreign_price",
        Severity.HARD,
    )
    assert finding.evidence["foreign_price_converted"] == "8000.00 CNY"
    assert finding.evidence["foreign_price"] == "1000.00 EUR"


def test_an_agent_listing_priced_at_the_converted_foreign_price_is_fine() -> None:
    assert capture_codes(listing={"price": money("8000")}) == set()


def test_a_foreign_price_in_another_non_pivot_currency_is_converted_through_the_pivot() -> None:
    # 150000 JPY * 0.006 EUR = 900 EUR = 7200 CNY.
    ctx = agent_capture(price=Decimal(150_000), currency="JPY", listing={"price": money(7100)})
    [finding] = run_checks(ctx)
    assert finding.evidence["foreign_price_converted"] == "7200.00 CNY"


def test_a_foreign_price_without_an_exchange_rate_is_a_warning_not_a_crash() -> None:
    ctx = agent_capture(currency="GBP")
    [finding] = run_checks(ctx)
    assert (finding.code, finding.severity) == ("fx.rate_missing", Severity.WARNING)
    assert finding.evidence == {"currency": "GBP", "listing_currency": "CNY"}


def test_a_price_far_below_the_brand_reference_is_a_warning() -> None:
    # Reference 10000 CNY; the floor is 30 %: 3000 CNY.
    finding = findings_of(listing=a_held_listing(price=money("2999.99")))[
        "listing.price_far_below_reference"
    ]
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"price": "2999.99 CNY", "reference": "10000 CNY"}


def test_a_price_at_the_reference_floor_is_not_far_below() -> None:
    codes = codes_of(listing=a_held_listing(price=money(3000)))
    assert "listing.price_far_below_reference" not in codes


def test_the_reference_price_is_converted_to_the_listing_currency() -> None:
    # 1000 EUR reference = 8000 CNY; floor 2400 CNY.
    brand = a_brand(reference_prices=(ReferencePrice("*", money(1000, "EUR")),))
    below = codes_of(brands=(brand,), listing=a_held_listing(price=money("2399.99")))
    at_floor = codes_of(brands=(brand,), listing=a_held_listing(price=money(2400)))
    assert "listing.price_far_below_reference" in below
    assert "listing.price_far_below_reference" not in at_floor


def test_the_category_reference_price_wins_over_the_brand_wide_one() -> None:
    brand = a_brand(
        reference_prices=(
            ReferencePrice("*", money(10_000)),
            ReferencePrice("Wallets", money(3_000)),
        )
    )
    listing = a_held_listing(price=money(1_000), category="wallets")
    assert "listing.price_far_below_reference" not in codes_of(brands=(brand,), listing=listing)


# --- kinds and numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seller_kind", "voucher_kind"),
    [
        (SellerKind.RESELLER, VoucherKind.PRICE_CAPTURE),
        (SellerKind.RESELLER, VoucherKind.BRAND_AUTHORIZATION),
        (SellerKind.BRAND_OWNER, VoucherKind.PURCHASE_INVOICE),
        (SellerKind.AUTHORIZED_RETAILER, VoucherKind.MALL_RECEIPT),
    ],
)
def test_a_kind_of_proof_not_expected_from_the_seller_kind_is_a_warning(
    seller_kind: SellerKind, voucher_kind: VoucherKind
) -> None:
    finding = findings_of(kind=voucher_kind, seller=a_seller(kind=seller_kind))[
        "voucher.kind_not_accepted"
    ]
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize("kind", list(VoucherKind))
def test_a_purchasing_agent_may_bring_any_kind_but_an_authorization(kind: VoucherKind) -> None:
    codes = codes_of(kind=kind, seller=a_seller(kind=SellerKind.PURCHASING_AGENT))
    expected = kind is VoucherKind.BRAND_AUTHORIZATION
    assert ("voucher.kind_not_accepted" in codes) is expected


@pytest.mark.parametrize("number", ["---", "／／", "  "])
def test_a_document_number_without_letters_or_digits_is_a_warning(number: str) -> None:
    assert "voucher.document_number_invalid" in codes_of(**declared(document_number=number))


# --- ordering -----------------------------------------------------------------------------


def test_hard_findings_come_first_then_warnings_then_information() -> None:
    ctx = a_check_context(
        same_file_uses=(PriorUse("v-9", "shop-9", "l-9"),),
        declaration=a_declaration(issued_on=days_ago(400), lines=(a_line(quantity=1),)),
        listing=a_held_listing(stock=3),
    )
    findings = run_checks(ctx)
    assert [f.severity for f in findings] == [
        Severity.HARD,
        Severity.HARD,
        Severity.WARNING,
        Severity.INFO,
    ]
    assert [f.code for f in findings][:2] == [
        "voucher.reused_exact",
        "voucher.outside_validity_window",
    ]


FLAWS: dict[str, dict[str, Any]] = {
    "reused": {"same_file_uses": (PriorUse("v-9", "shop-9", "l-9"),)},
    "old": {"issued_on": days_ago(400)},
    "future": {"issued_on": TODAY + timedelta(days=3)},
    "expired": {"valid_until": days_ago(1)},
    "stranger": {"buyer_name": "某人"},
    "no_buyer": {"buyer_name": None},
    "self_issued": {"issuer": SELLER_LEGAL_NAME, "issuer_tax_id": None},
    "unknown_issuer": {"issuer": "某商行", "issuer_tax_id": None},
    "other_brand": {"lines": (a_line(brand="Prada"),)},
    "short": {"lines": (a_line(quantity=1),)},
    "bad_number": {"document_number": "--"},
}


@given(
    st.lists(st.sampled_from(sorted(FLAWS)), unique=True),
    st.sampled_from(list(VoucherKind)),
    st.sampled_from(list(SellerKind)),
)
def test_findings_are_always_ordered_by_severity(
    flaws: list[str], kind: VoucherKind, seller_kind: SellerKind
) -> None:
    ctx_overrides: dict[str, Any] = {}
    decl_overrides: dict[str, Any] = {}
    for flaw in flaws:
        for key, value in FLAWS[flaw].items():
            target = ctx_overrides if key == "same_file_uses" else decl_overrides
            target[key] = value
    ctx = a_check_context(
        kind=kind,
        seller=a_seller(kind=seller_kind),
        declaration=a_declaration(**decl_overrides),
        **ctx_overrides,
    )
    severities = [SEVERITY_ORDER[f.severity] for f in run_checks(ctx)]
    assert severities == sorted(severities)


def test_distributor_tax_ids_are_compared_case_insensitively() -> None:
    brand = a_brand(distributors=(Distributor("Some Distributor", "ab12cd"),))
    assert brand.is_authorized_issuer(None, "AB12CD")
    assert not brand.is_authorized_issuer(None, None)
    assert not brand.is_authorized_issuer("", "")
