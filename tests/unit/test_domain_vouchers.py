"""Vouchers, their declarations and statuses; brands; statements of reasons."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from probandi.domain.brands import Brand, ReferencePrice, brand_price_floor
from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.sellers import VoucherKind
from probandi.domain.statements import facts_from_findings, redress_text
from probandi.domain.text import english
from probandi.domain.vouchers import (
    VOUCHER_TRANSITIONS,
    Declaration,
    DeclaredLine,
    Finding,
    Severity,
    StoredFile,
    Voucher,
    VoucherAction,
    VoucherStatus,
    check_declaration,
    risk_of,
)
from tests.unit.builders import MONDAY_9AM, a_brand, a_declaration, a_price_capture, money


def a_voucher(**overrides: Any) -> Voucher:
    voucher = Voucher(
        id="v-1",
        seller_id="shop-1",
        listing_id="listing-1",
        kind=VoucherKind.PURCHASE_INVOICE,
        file=StoredFile(sha256="ab" * 32, size=1024, media_type="application/pdf"),
        filename="invoice.pdf",
        declaration=a_declaration(),
        created_at=MONDAY_9AM,
    )
    return replace(voucher, **overrides)


def a_finding(severity: Severity, code: str = "x.y") -> Finding:
    return Finding(code, severity, f"{code} message", {})


@pytest.mark.parametrize("action", [a for a in VoucherAction if a is not VoucherAction.REVOKE])
def test_a_pending_voucher_takes_any_decision_and_records_when(action: VoucherAction) -> None:
    decided_at = MONDAY_9AM + timedelta(hours=1)
    decided = a_voucher().apply(action, at=decided_at)
    assert decided.status is VOUCHER_TRANSITIONS[(VoucherStatus.PENDING_REVIEW, action)]
    assert decided.decided_at == decided_at


def test_only_an_approved_voucher_is_revoked_and_it_records_when() -> None:
    approved = a_voucher().apply(VoucherAction.APPROVE, at=MONDAY_9AM)
    revoked = approved.apply(VoucherAction.REVOKE, at=MONDAY_9AM + timedelta(days=30))
    assert revoked.status is VoucherStatus.REJECTED
    assert revoked.decided_at == MONDAY_9AM + timedelta(days=30)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (s, a)
        for s, a in itertools.product(VoucherStatus, VoucherAction)
        if (s, a) not in VOUCHER_TRANSITIONS
    ],
)
def test_a_decided_voucher_cannot_be_decided_again(
    status: VoucherStatus, action: VoucherAction
) -> None:
    with pytest.raises(InvalidTransition):
        a_voucher(status=status).apply(action, at=MONDAY_9AM)


def test_a_voucher_with_a_hard_finding_has_a_hard_failure() -> None:
    assert not a_voucher(findings=(a_finding(Severity.WARNING),)).has_hard_failure
    assert a_voucher(findings=(a_finding(Severity.INFO), a_finding(Severity.HARD))).has_hard_failure


def test_risk_weighs_hard_findings_far_above_warnings() -> None:
    assert risk_of([]) == 0
    assert risk_of([a_finding(Severity.INFO)]) == 0
    assert risk_of([a_finding(Severity.WARNING)] * 9) < risk_of([a_finding(Severity.HARD)])


@pytest.mark.parametrize(
    ("kind", "declaration", "missing"),
    [
        (VoucherKind.PURCHASE_INVOICE, Declaration(), "issuer"),
        (VoucherKind.MALL_RECEIPT, a_declaration(issued_on=None), "issued_on"),
        (VoucherKind.TRANSACTION_RECORD, a_declaration(lines=()), "lines"),
        (VoucherKind.PRICE_CAPTURE, a_price_capture(site_url=None), "site_url"),
        (VoucherKind.PRICE_CAPTURE, a_price_capture(captured_at=None), "captured_at"),
    ],
)
def test_a_declaration_missing_what_its_kind_states_is_refused(
    kind: VoucherKind, declaration: Declaration, missing: str
) -> None:
    with pytest.raises(InvalidInput, match=missing) as raised:
        check_declaration(kind, declaration)
    assert raised.value.details == {"field": missing}


def test_a_brand_authorization_needs_no_lines() -> None:
    check_declaration(VoucherKind.BRAND_AUTHORIZATION, a_declaration(lines=()))


@pytest.mark.parametrize(
    "build",
    [
        lambda: DeclaredLine("Gucci", "bag", 0),
        lambda: DeclaredLine("Gucci", "bag", 1, Decimal("-1")),
        lambda: DeclaredLine("G" * 301, "bag", 1),
        lambda: Declaration(currency="RMB"),
        lambda: Declaration(price=Decimal("-0.01")),
        lambda: Declaration(issuer="x" * 301),
    ],
)
def test_a_declaration_out_of_bounds_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput):
        build()


def test_a_brand_needs_a_name_and_sane_aliases() -> None:
    with pytest.raises(InvalidInput):
        Brand(id="b", name="  ")
    with pytest.raises(InvalidInput):
        Brand(id="b", name="Gucci", aliases=("",))
    with pytest.raises(InvalidInput):
        Brand(id="b", name="Gucci", aliases=tuple(f"a{i}" for i in range(201)))


def test_the_reference_price_of_an_unknown_category_falls_back_to_the_brand_wide_one() -> None:
    brand = a_brand(
        reference_prices=(ReferencePrice("*", money(10_000)), ReferencePrice("Belts", money(3_000)))
    )
    assert brand.reference_price_for("ＢＥＬＴＳ") == money(3_000)
    assert brand.reference_price_for("shoes") == money(10_000)
    assert brand.reference_price_for(None) == money(10_000)
    assert a_brand(reference_prices=()).reference_price_for("belts") is None


def test_the_price_floor_is_a_fraction_of_the_reference_in_cents() -> None:
    assert brand_price_floor(money("999.99"), Decimal("0.30")) == Decimal("300.00")


def test_statement_facts_leave_out_informational_findings() -> None:
    findings = (
        a_finding(Severity.HARD, "voucher.buyer_not_seller"),
        a_finding(Severity.INFO, "voucher.issuer_authorized"),
        a_finding(Severity.WARNING, "voucher.issuer_unknown"),
    )
    assert tuple(english(f) for f in facts_from_findings(findings)) == (
        "[voucher.buyer_not_seller] voucher.buyer_not_seller message",
        "[voucher.issuer_unknown] voucher.issuer_unknown message",
    )


def test_the_redress_text_states_the_last_day_to_complain() -> None:
    wording = redress_text(MONDAY_9AM, 183)
    assert "until 2027-05-04." in english(wording)
    assert wording[0].params == {"until": "2027-05-04"}  # kept as data, rendered when shown
