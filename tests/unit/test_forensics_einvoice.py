"""VAT e-invoice QR payloads: parsing, verifiability, and comparison with the declaration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.forensics.einvoice import (
    EInvoiceQr,
    is_verifiable,
    parse_einvoice_qr,
    qr_findings,
)
from probandi.domain.vouchers import Declaration, DeclaredLine, Severity

# From a real 增值税电子普通发票 (guanshuicheng/invoice, MIT): 46.62 before tax, 52.70 with it.
REAL = "01,10,012001800311,33207675,46.62,20190508,76939056883466677916,E1BD,"
FULLY_DIGITAL = "01,32,,24442000000012345678,100.00,20240105,,ABCD,"


def real_qr() -> EInvoiceQr:
    qr = parse_einvoice_qr(REAL)
    assert qr is not None
    return qr


def lines(*amounts: str | None) -> tuple[DeclaredLine, ...]:
    return tuple(
        DeclaredLine("GUCCI", "bag", 1, None if a is None else Decimal(a)) for a in amounts
    )


def matching(**overrides: object) -> Declaration:
    declaration = Declaration(
        document_number="33207675", issued_on=date(2019, 5, 8), lines=lines("52.70")
    )
    return replace(declaration, **overrides)  # type: ignore[arg-type]


def test_the_real_payload_is_parsed_field_by_field() -> None:
    assert real_qr() == EInvoiceQr(
        invoice_type="10",
        code="012001800311",
        number="33207675",
        amount=Decimal("46.62"),
        issued_on=date(2019, 5, 8),
        check_code="76939056883466677916",
    )


def test_a_payload_without_the_trailing_comma_or_with_a_newline_is_parsed() -> None:
    assert parse_einvoice_qr(REAL.rstrip(",")) == real_qr()
    assert parse_einvoice_qr(REAL + "\r\n") == real_qr()


def test_a_fully_digital_invoice_has_no_code_and_a_twenty_digit_number() -> None:
    qr = parse_einvoice_qr(FULLY_DIGITAL)
    assert qr is not None
    assert (qr.code, qr.number, qr.check_code) == ("", "24442000000012345678", "")
    assert qr.fully_digital
    assert is_verifiable(qr)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.com/invoice/33207675",
        "01,10,012001800311,33207675,46.62,20190508,76939056883466677916",  # 7 fields
        REAL + "extra,",
        REAL.replace("20190508", "20190230"),  # no such day
        REAL.replace("20190508", "2019-05-08"),
        REAL.replace("33207675", "3320767A"),
        REAL.replace("33207675", ""),
        REAL.replace("46.62", "46,62"),
        REAL.replace("46.62", "NaN"),
        REAL.replace("46.62", "1e5"),
        REAL.replace("012001800311", "01200180031X"),
        REAL.replace("20190508", "٢٠١٩٠٥٠٨"),  # Arabic-Indic digits
        REAL.replace("01,10", "1,10"),
    ],
)
def test_other_texts_are_not_einvoice_payloads(text: str) -> None:
    assert parse_einvoice_qr(text) is None


@given(st.text())
def test_parsing_arbitrary_text_never_raises(text: str) -> None:
    parse_einvoice_qr(text)


@given(
    st.lists(st.text(alphabet="0123456789.-ABCDEF", max_size=24), min_size=8, max_size=9).map(
        ",".join
    )
)
def test_parsing_comma_separated_digits_never_raises(text: str) -> None:
    qr = parse_einvoice_qr(text)
    if qr is not None:
        is_verifiable(qr)
        qr_findings(qr, matching())


def test_an_empty_amount_parses_as_none_and_is_not_verifiable() -> None:
    qr = parse_einvoice_qr(REAL.replace("46.62", ""))
    assert qr is not None
    assert qr.amount is None
    assert not is_verifiable(qr)


def test_the_real_payload_is_verifiable() -> None:
    assert is_verifiable(real_qr())


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "01200180031"},  # 11 digits
        {"number": "3320767"},
        {"number": "24442000000012345678"},  # 20 digits with a code
        {"check_code": "7693905688346667791"},  # 19 digits
        {"check_code": ""},  # an ordinary e-invoice prints its check code
        {"amount": None},
    ],
)
def test_malformed_fields_are_not_verifiable(changes: dict[str, object]) -> None:
    assert not is_verifiable(replace(real_qr(), **changes))  # type: ignore[arg-type]


def test_a_paper_special_invoice_needs_no_check_code() -> None:
    special = replace(real_qr(), invoice_type="01", code="1100182130", check_code="")
    assert is_verifiable(special)


def test_a_fully_digital_invoice_needs_a_twenty_digit_number() -> None:
    qr = parse_einvoice_qr(FULLY_DIGITAL.replace("24442000000012345678", "33207675"))
    assert qr is not None
    assert not is_verifiable(qr)


def test_a_matching_declaration_is_noted_as_verified_for_reviewers() -> None:
    [finding] = qr_findings(real_qr(), matching())
    assert finding.code == "voucher.qr_verified"
    assert finding.severity is Severity.INFO
    assert finding.evidence == {
        "fields": "document_number, issued_on, amount",
        "qr_invoice_code": "012001800311",
        "qr_invoice_number": "33207675",
        "verifiable": True,
    }


@pytest.mark.parametrize(
    "declared",
    [
        "33207675",
        "012001800311-33207675",
        "012001800311 33207675",
        "01200180031133207675",
        "No.33207675",
        "№ 33207675",
        "３３２０７６７５",
    ],
)
def test_usual_forms_of_the_number_match(declared: str) -> None:
    [finding] = qr_findings(real_qr(), matching(document_number=declared))
    assert finding.code == "voucher.qr_verified"


@pytest.mark.parametrize("declared", ["33207676", "012001800311", "0120018003-33207675", "No."])
def test_another_number_is_a_hard_mismatch(declared: str) -> None:
    [finding] = qr_findings(real_qr(), matching(document_number=declared))
    assert finding.code == "voucher.qr_mismatch"
    assert finding.severity is Severity.HARD
    assert finding.evidence == {
        "fields": "document_number",
        "declared_document_number": declared,
        "qr_invoice_code": "012001800311",
        "qr_invoice_number": "33207675",
    }


def test_another_date_is_a_hard_mismatch() -> None:
    [finding] = qr_findings(real_qr(), matching(issued_on=date(2019, 5, 9)))
    assert finding.code == "voucher.qr_mismatch"
    assert finding.evidence == {
        "fields": "issued_on",
        "declared_issued_on": "2019-05-09",
        "qr_issued_on": "2019-05-08",
    }


@pytest.mark.parametrize(
    "amounts",
    [
        ("52.70",),  # with 13% VAT
        ("46.62",),  # before tax
        ("46.61",),  # a cent of rounding
        ("20.00", "26.62"),
        ("54.55",),  # 46.62 * 1.17 + 0.01, the most accepted
    ],
)
def test_totals_between_the_amount_before_tax_and_with_vat_match(amounts: tuple[str]) -> None:
    [finding] = qr_findings(real_qr(), matching(lines=lines(*amounts)))
    assert finding.code == "voucher.qr_verified"


@pytest.mark.parametrize("total", ["46.60", "10.00", "0"])
def test_lines_worth_less_than_the_invoice_are_a_part_of_it_not_a_contradiction(
    total: str,
) -> None:
    [finding] = qr_findings(real_qr(), matching(lines=lines(total)))
    assert finding.code == "voucher.qr_verified"


@pytest.mark.parametrize("total", ["54.56", "520.70"])
def test_a_total_above_what_the_invoice_holds_with_vat_is_a_hard_mismatch(total: str) -> None:
    [finding] = qr_findings(real_qr(), matching(lines=lines(total)))
    assert finding.code == "voucher.qr_mismatch"
    assert finding.evidence == {
        "fields": "amount",
        "declared_total": total,
        "qr_amount_before_tax": "46.62",
        "accepted_total": "at most 54.55",
    }


def test_every_differing_field_is_listed_in_one_finding() -> None:
    declaration = matching(document_number="1", issued_on=date(2020, 1, 1), lines=lines("999"))
    [finding] = qr_findings(real_qr(), declaration)
    assert finding.code == "voucher.qr_mismatch"
    assert finding.evidence["fields"] == "document_number, issued_on, amount"
    assert "issued_on" in finding.message
    assert all(isinstance(v, str | int | bool) for v in finding.evidence.values())


def test_amounts_are_not_compared_when_a_line_has_none() -> None:
    [finding] = qr_findings(real_qr(), matching(lines=lines("1.00", None)))
    assert finding.code == "voucher.qr_verified"
    assert finding.evidence["fields"] == "document_number, issued_on"


def test_amounts_in_another_currency_are_not_compared() -> None:
    [finding] = qr_findings(real_qr(), matching(currency="EUR", lines=lines("6.50")))
    assert finding.evidence["fields"] == "document_number, issued_on"


def test_nothing_declared_to_compare_gives_no_finding() -> None:
    assert qr_findings(real_qr(), Declaration()) == []


def test_a_fully_digital_number_matches_alone() -> None:
    qr = parse_einvoice_qr(FULLY_DIGITAL)
    assert qr is not None
    declaration = Declaration(document_number="24442000000012345678", issued_on=date(2024, 1, 5))
    [finding] = qr_findings(qr, declaration)
    assert finding.code == "voucher.qr_verified"
