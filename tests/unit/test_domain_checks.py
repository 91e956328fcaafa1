"""run_checks: each automatic finding, its severity, and the order findings come in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from probandi.domain.brands import Brand, party_name
from probandi.domain.checks import PriorUse, run_checks
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Severity
from tests.unit.builders import (
    DISTRIBUTOR_NAME,
    DISTRIBUTOR_TAX_ID,
    MONDAY_9AM,
    SELLER_LEGAL_NAME,
    SELLER_TAX_ID,
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
)


def test_a_clean_invoice_from_an_authorized_distributor_only_notes_the_distributor() -> None:
    [finding] = run_checks(a_check_context())
    assert (finding.code, finding.severity) == ("voucher.issuer_authorized", Severity.INFO)
    assert finding.evidence["brands"] == "Gucci"


def test_a_clean_price_capture_of_a_purchasing_agent_finds_nothing() -> None:
    assert run_checks(agent_capture()) == ()


# --- reuse --------------------------------------------------------------------------------


def test_a_file_already_submitted_by_another_seller_is_a_hard_finding() -> None:
    uses = (PriorUse("v-9", "shop-9", "listing-9"),)
    finding = findings_of(same_file_uses=uses)["voucher.reused_exact"]
    assert finding.severity is Severity.HARD
    assert finding.evidence == {
        "other_voucher_id": "v-9",
        "other_seller_id": "shop-9",
        "other_listing_id": "listing-9",
    }


def test_a_file_the_same_seller_submitted_before_is_not_reuse() -> None:
    uses = (PriorUse("v-1", "shop-1", "listing-2"),)
    assert "voucher.reused_exact" not in codes_of(same_file_uses=uses)


def test_reuse_by_several_others_is_one_finding_naming_at_most_five() -> None:
    uses = tuple(PriorUse(f"v-{i}", f"shop-{i + 10}", f"l-{i}") for i in range(8))
    reused = run_checks(a_check_context(same_file_uses=uses))
    [finding] = [f for f in reused if f.code == "voucher.reused_exact"]
    assert finding.evidence["other_voucher_ids"] == "v-0,v-1,v-2,v-3,v-4"
    assert finding.evidence["other_voucher_id"] == "v-0"


# --- dates --------------------------------------------------------------------------------


def test_a_document_dated_two_days_ahead_is_a_hard_finding() -> None:
    finding = findings_of(**declared(issued_on=TODAY + timedelta(days=2)))[
        "voucher.dated_in_future"
    ]
    assert finding.severity is Severity.HARD


def test_a_document_dated_today_or_tomorrow_in_utc_is_not_in_the_future() -> None:
    # The issuer's "today" (e.g. China, UTC+8) can be tomorrow's date in UTC.
    assert "voucher.dated_in_future" not in codes_of(**declared(issued_on=TODAY))
    tomorrow = TODAY + timedelta(days=1)
    assert "voucher.dated_in_future" not in codes_of(**declared(issued_on=tomorrow))


def test_an_invoice_issued_181_days_ago_is_outside_the_validity_window() -> None:
    finding = findings_of(**declared(issued_on=days_ago(181)))["voucher.outside_validity_window"]
    assert finding.severity is Severity.HARD
    assert finding.evidence["oldest_accepted"] == days_ago(180).isoformat()


def test_an_invoice_issued_180_days_ago_is_inside_the_validity_window() -> None:
    assert "voucher.outside_validity_window" not in codes_of(**declared(issued_on=days_ago(180)))


def test_an_old_brand_authorization_is_not_held_to_the_invoice_window() -> None:
    codes = codes_of(
        kind=VoucherKind.BRAND_AUTHORIZATION,
        seller=a_seller(kind=SellerKind.AUTHORIZED_RETAILER),
        **declared(issued_on=days_ago(900), valid_until=TODAY + timedelta(days=365)),
    )
    assert "voucher.outside_validity_window" not in codes


def test_an_authorization_valid_until_yesterday_has_expired() -> None:
    finding = findings_of(**declared(valid_until=TODAY - timedelta(days=1)))[
        "voucher.authorization_expired"
    ]
    assert finding.severity is Severity.HARD


def test_an_authorization_valid_until_today_has_not_expired() -> None:
    assert "voucher.authorization_expired" not in codes_of(**declared(valid_until=TODAY))


def test_a_price_capture_more_than_five_minutes_ahead_is_dated_in_the_future() -> None:
    ahead = MONDAY_9AM + timedelta(minutes=5, seconds=1)
    assert "voucher.dated_in_future" in capture_codes(captured_at=ahead)


def test_a_price_capture_a_few_minutes_ahead_is_tolerated_as_clock_skew() -> None:
    assert capture_codes(captured_at=MONDAY_9AM + timedelta(minutes=5)) == set()


def test_a_price_capture_older_than_thirty_days_is_stale() -> None:
    ctx = agent_capture(captured_at=MONDAY_9AM - timedelta(days=30, seconds=1))
    [finding] = run_checks(ctx)
    assert (finding.code, finding.severity) == ("voucher.price_capture_stale", Severity.WARNING)


def test_a_price_capture_exactly_thirty_days_old_is_not_stale() -> None:
    assert capture_codes(captured_at=MONDAY_9AM - timedelta(days=30)) == set()


# --- parties ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "buyer",
    [
        "上海 某某 有限公司",
        "上海　某某　有限公司",  # ideographic spaces
        "上海某某有限公司。",
        "「上海某某有限公司」",
        " 上海某某有限公司 ",
    ],
)
def test_a_buyer_name_differing_only_in_spaces_punctuation_or_width_is_the_seller(
    buyer: str,
) -> None:
    assert party_name(buyer) == party_name(SELLER_LEGAL_NAME)
    assert "voucher.buyer_not_seller" not in codes_of(**declared(buyer_name=buyer))


@pytest.mark.parametrize(
    "buyer", ["acme trading co ltd", "ＡＣＭＥ Trading Co., Ltd.", "ACME-TRADING (CO.) LTD"]
)
def test_a_latin_buyer_name_is_folded_for_case_width_and_punctuation(buyer: str) -> None:
    seller = a_seller(legal_name="ACME Trading Co., Ltd.")
    assert "voucher.buyer_not_seller" not in codes_of(seller=seller, **declared(buyer_name=buyer))


def test_a_document_sold_to_someone_else_is_a_hard_finding() -> None:
    finding = findings_of(**declared(buyer_name="北京另一家贸易有限公司"))[
        "voucher.buyer_not_seller"
    ]
    assert finding.severity is Severity.HARD
    assert finding.evidence == {
        "buyer_name": "北京另一家贸易有限公司",
        "seller_legal_name": SELLER_LEGAL_NAME,
    }


@pytest.mark.parametrize("buyer", [None, "", " 。 "])
def test_a_document_naming_no_buyer_is_a_warning(buyer: str | None) -> None:
    finding = findings_of(**declared(buyer_name=buyer))["voucher.buyer_missing"]
    assert finding.severity is Severity.WARNING


@pytest.mark.parametrize(
    "declaration_overrides",
    [
        {"issuer": SELLER_LEGAL_NAME, "issuer_tax_id": None},
        {"issuer": "上海 某某 有限公司", "issuer_tax_id": None},
        {"issuer": "上海某某（有限）贸易", "issuer_tax_id": SELLER_TAX_ID.lower()},
    ],
    ids=["same-name", "same-name-spaced", "same-tax-id"],
)
def test_a_document_issued_by_the_seller_to_itself_is_a_hard_finding(
    declaration_overrides: dict[str, Any],
) -> None:
    finding = findings_of(**declared(**declaration_overrides))["voucher.issuer_is_buyer"]
    assert finding.severity is Severity.HARD


def test_a_document_issued_by_its_own_named_buyer_is_self_issued() -> None:
    decl = {"issuer": "北京另一家贸易有限公司", "buyer_name": "北京另一家贸易有限公司"}
    assert {"voucher.issuer_is_buyer", "voucher.buyer_not_seller"} <= codes_of(**declared(**decl))


def test_a_brand_owner_may_issue_its_own_authorization() -> None:
    codes = codes_of(
        kind=VoucherKind.BRAND_AUTHORIZATION,
        seller=a_seller(kind=SellerKind.BRAND_OWNER),
        **declared(issuer=SELLER_LEGAL_NAME, issuer_tax_id=SELLER_TAX_ID),
    )
    assert "voucher.issuer_is_buyer" not in codes


# --- issuer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "tax_id"),
    [
        (DISTRIBUTOR_NAME, None),
        ("Ｓhanghai name on the stamp differs", DISTRIBUTOR_TAX_ID),
        (None, DISTRIBUTOR_TAX_ID.lower()),
        (f"  {DISTRIBUTOR_NAME} ", None),
    ],
)
def test_an_issuer_matching_a_distributor_by_tax_id_or_name_is_authorized(
    issuer: str | None, tax_id: str | None
) -> None:
    findings = findings_of(**declared(issuer=issuer, issuer_tax_id=tax_id))
    assert findings["voucher.issuer_authorized"].severity is Severity.INFO
    assert "voucher.issuer_unknown" not in findings


def test_an_issuer_unknown_to_the_brand_is_a_warning() -> None:
    findings = findings_of(**declared(issuer="深圳某贸易商行", issuer_tax_id="91440300X"))
    assert findings["voucher.issuer_unknown"].severity is Severity.WARNING
    assert findings["voucher.issuer_unknown"].evidence == {
        "issuer": "深圳某贸易商行",
        "issuer_tax_id": "91440300X",
    }
    assert "voucher.issuer_authorized" not in findings


def test_a_brand_without_distributors_leaves_every_issuer_unknown() -> None:
    assert "voucher.issuer_unknown" in codes_of(brands=(a_brand(distributors=()),))


def test_a_distributor_name_differing_only_in_spaces_is_authorized() -> None:
    findings = findings_of(**declared(issuer="上海 奢品供应链 有限公司", issuer_tax_id=None))
    assert "voucher.issuer_authorized" in findings


def test_a_distributor_name_with_a_contradicting_tax_id_is_not_authorized() -> None:
    findings = findings_of(**declared(issuer=DISTRIBUTOR_NAME, issuer_tax_id="91440300FAKE0001"))
    assert "voucher.issuer_authorized" not in findings


# --- brand and quantity -------------------------------------------------------------------


def test_a_document_whose_lines_name_another_brand_is_a_warning() -> None:
    lines = (a_line(brand="Prada", item="Galleria bag"),)
    finding = findings_of(**declared(lines=lines))["voucher.brand_not_named"]
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"brand": "Gucci"}


@pytest.mark.parametrize("line_brand", ["GUCCI", "gucci", "Ｇｕｃｃｉ", "古驰", "Gucci (Italy)"])
def test_a_line_naming_the_brand_or_an_alias_names_it(line_brand: str) -> None:
    assert "voucher.brand_not_named" not in codes_of(**declared(lines=(a_line(brand=line_brand),)))


def test_a_line_of_another_brand_does_not_name_a_short_alias_inside_it() -> None:
    louis_vuitton = Brand(id="lv", name="Louis Vuitton", aliases=("LV",))
    ctx = a_check_context(
        brands=(louis_vuitton,),
        declaration=a_declaration(lines=(a_line(brand="Calvin Klein", quantity=9),)),
    )
    assert "voucher.brand_not_named" in {f.code for f in run_checks(ctx)}


def test_a_document_covering_fewer_units_than_the_stock_is_a_warning() -> None:
    lines = (a_line(quantity=2), a_line(quantity=1), a_line(brand="Prada", quantity=10))
    finding = findings_of(listing=a_held_listing(stock=4), **declared(lines=lines))[
        "voucher.quantity_short"
    ]
    assert finding.severity is Severity.WARNING
    assert (finding.evidence["covered"], finding.evidence["stock"]) == (3, 4)


def test_lines_of_the_brand_are_summed_to_cover_the_stock() -> None:
    lines = (a_line(quantity=2), a_line(brand="古驰", quantity=2))
    codes = codes_of(listing=a_held_listing(stock=4), **declared(lines=lines))
    assert "voucher.quantity_short" not in codes


def test_brand_authorizations_are_not_checked_for_lines() -> None:
    codes = codes_of(
        kind=VoucherKind.BRAND_AUTHORIZATION,
        seller=a_seller(kind=SellerKind.AUTHORIZED_RETAILER),
        **declared(lines=()),
    )
    assert codes.isdisjoint({"voucher.brand_not_named", "voucher.quantity_short"})
