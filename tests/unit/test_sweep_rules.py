"""The sweep's pure rules: row validation, finding codes, approval, the rules fingerprint."""

from __future__ import annotations

from decimal import Decimal

import pytest

from probandi.domain.brands import Brand
from probandi.domain.screening.model import MatchKind, ScreenResult, Severity, Signal, TitleMatch
from probandi.domain.sweep import (
    BadRow,
    FindingCode,
    SweepRow,
    Tally,
    finding_of,
    settle,
    sweep_row,
    sweep_rules,
)
from tests.support.catalogs import registry_brands

ROW = SweepRow("L1", "shop-a", "Gucci 手提包 高仿", None, Decimal("99"), "CNY")
GUCCI = TitleMatch("Gucci", "Gucci", 0, 5, MatchKind.NAME)
FAKE = Signal("slang.counterfeit", Severity.HIGH, "高仿")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("L1", "s", "bag", None, "abc"), "price 'abc' is not a number"),
        (("L1", "s", "bag", None, "NaN"), "price 'NaN' is not a number"),
        (("L1", "s", "bag", None, -3), "price -3 is negative"),
        (("L1", "s", "bag", None, True), "price True is not a number"),
        (("L1", "s", None), "missing title"),
        (("L1", "s", "   "), "missing title"),
        (("L1", "s", 42), "missing title"),
        (("L1", "s", "x" * 2001), "title longer than 2000 characters"),
        ((None, "s", "bag"), "missing id"),
        (("L1", "", "bag"), "missing seller_id"),
        (("L1", "s", "bag", None, "10", "yuan"), "currency 'yuan' is not an ISO 4217 code"),
        (("L1", "s", "bag", ["Gucci"]), "brand must be text"),
        ((1.5, "s", "bag"), "id must be text"),
    ],
)
def test_a_malformed_row_is_refused_with_the_reason(
    values: tuple[object, ...], message: str
) -> None:
    with pytest.raises(BadRow) as raised:
        sweep_row(*values)
    assert str(raised.value) == message


def test_numbers_and_blanks_are_read_as_a_platform_would_send_them() -> None:
    row = sweep_row(1001, 7, "Gucci bag", "", 99.9, "cny")
    assert row == SweepRow("1001", "7", "Gucci bag", None, Decimal("99.9"), "CNY")
    assert sweep_row("L1", "s", "bag", None, "", "").price is None


def test_a_gated_brand_named_is_a_finding_but_a_compatibility_mention_is_not() -> None:
    found = finding_of(ROW, ScreenResult("L1", (GUCCI,)), None)
    assert found is not None
    assert found.codes == (FindingCode.GATED_NO_PROOF,)
    assert found.brands == ("Gucci",)
    strap = GUCCI._replace(kind=MatchKind.COMPATIBILITY)
    assert finding_of(ROW, ScreenResult("L1", (strap,)), None) is None


def test_slang_below_the_minimum_severity_is_kept_as_a_signal_but_makes_no_finding() -> None:
    mild = Signal("slang.counterfeit", Severity.MEDIUM, "同款")
    assert finding_of(ROW, ScreenResult("L1", (), (mild,)), None) is None
    found = finding_of(ROW, ScreenResult("L1", (), (mild,)), None, min_severity=Severity.MEDIUM)
    assert found is not None
    assert found.codes == (FindingCode.SLANG,)
    both = finding_of(ROW, ScreenResult("L1", (GUCCI,), (mild, FAKE)), None)
    assert both is not None
    assert both.codes == (FindingCode.GATED_NO_PROOF, FindingCode.SLANG)
    assert [s.text for s in both.signals] == ["同款", "高仿"]


def test_the_brand_field_counts_and_a_price_signal_is_reported_once() -> None:
    price = Signal("price.far_below_reference", Severity.HIGH, "99 CNY < 30% of Gucci's ...")
    title = ScreenResult("L1", (), (price,))
    declared = ScreenResult("L1", (GUCCI,), (price,))
    found = finding_of(ROW, title, declared)
    assert found is not None
    assert found.codes == (FindingCode.GATED_NO_PROOF, FindingCode.PRICE)
    assert [(m.field, m.brand) for m in found.matches] == [("brand", "Gucci")]
    assert [(s.field, s.code) for s in found.signals] == [("title", "price.far_below_reference")]


def test_approved_proof_clears_the_gated_code_but_not_counterfeit_signals() -> None:
    gated = finding_of(ROW, ScreenResult("L1", (GUCCI,)), None)
    assert gated is not None
    assert settle(gated, approved=False) == gated
    assert settle(gated, approved=True) is None
    faked = finding_of(ROW, ScreenResult("L1", (GUCCI,), (FAKE,)), None)
    assert faked is not None
    settled = settle(faked, approved=True)
    assert settled is not None
    assert (settled.codes, settled.approved) == ((FindingCode.SLANG,), True)


def test_the_rules_cover_gated_brands_only_with_their_reference_prices() -> None:
    rules = sweep_rules(registry_brands())
    by_name = {e.brand: e for e in rules.catalog}
    assert set(by_name) == {"Gucci", "Chanel", "Louis Vuitton"}  # Prada is not gated
    assert (by_name["Gucci"].reference_price, by_name["Gucci"].reference_currency) == (
        Decimal("12000"),
        "CNY",
    )
    assert "古驰" in by_name["Gucci"].aliases


def test_the_rules_fingerprint_moves_with_the_registry_and_the_severity_only() -> None:
    same = sweep_rules(registry_brands()).fingerprint
    assert sweep_rules(registry_brands()).fingerprint == same
    more = [*registry_brands(), Brand(id="dior", name="Dior")]
    assert sweep_rules(more).fingerprint != same
    assert sweep_rules(registry_brands(), Severity.MEDIUM).fingerprint != same


def test_the_tally_counts_codes_brands_and_sellers() -> None:
    tally = Tally()
    tally.add_rows(10, 1)
    gated = finding_of(ROW, ScreenResult("L1", (GUCCI,), (FAKE,)), None)
    slang = finding_of(ROW._replace(seller_id="shop-b"), ScreenResult("L2", (), (FAKE,)), None)
    assert gated is not None
    assert slang is not None
    tally.add([gated, slang])
    assert (tally.rows, tally.skipped, tally.findings) == (10, 1, 2)
    assert tally.codes == {FindingCode.GATED_NO_PROOF: 1, FindingCode.SLANG: 2}
    assert tally.brands == {"Gucci": 1, "(no gated brand)": 1}
    assert tally.sellers == {"shop-a": 1, "shop-b": 1}
