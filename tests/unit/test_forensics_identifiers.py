"""Chinese tax ids and invoice numbers: check digits, shapes, and the issuer findings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.forensics.identifiers import (
    USCC_CHARSET,
    invoice_code_shape_ok,
    invoice_number_shape_ok,
    invoice_reference_shape_ok,
    issuer_findings,
    looks_like_uscc,
    uscc_is_valid,
)
from probandi.domain.vouchers import Declaration, Finding, Severity

REAL_USCC = "91120222079642398Y"  # 天津瑞佳讯贸易有限公司, from a real e-invoice
REAL_ISSUER = "天津瑞佳讯贸易有限公司"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def with_uscc_check(first17: str) -> str:
    """Seventeen characters completed with their GB 32100 check character."""
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARSET[(31 - total % 31) % 31]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_a_real_credit_code_is_valid() -> None:
    assert uscc_is_valid(REAL_USCC)


@pytest.mark.parametrize("position", range(18))
def test_any_changed_character_of_a_real_code_is_invalid(position: int) -> None:
    for replacement in USCC_CHARSET:
        if replacement == REAL_USCC[position]:
            continue
        changed = REAL_USCC[:position] + replacement + REAL_USCC[position + 1 :]
        assert not uscc_is_valid(changed), changed


def test_a_bad_organization_code_check_digit_fails_even_when_the_uscc_check_holds() -> None:
    # Organization code 07964239 has check digit 8; 7 fails GB 11714 alone.
    forged = with_uscc_check("9112022207964239" + "7")
    assert forged != REAL_USCC
    assert not uscc_is_valid(forged)


def test_an_organization_code_check_of_ten_is_written_x() -> None:
    # 00000006 weighs 6 * 2 = 12; 12 % 11 = 1; 11 - 1 = 10 -> X.
    assert uscc_is_valid(with_uscc_check("91110000" + "00000006" + "X"))
    assert not uscc_is_valid(with_uscc_check("91110000" + "00000006" + "0"))


def test_an_organization_code_check_of_eleven_is_written_zero() -> None:
    # 0000000B weighs 11 * 2 = 22; 22 % 11 = 0; 11 - 0 = 11 -> 0.
    assert uscc_is_valid(with_uscc_check("91110000" + "0000000B" + "0"))
    assert not uscc_is_valid(with_uscc_check("91110000" + "0000000B" + "X"))


def test_letters_of_the_usccs_alphabet_are_valued_as_gb_11714_letters() -> None:
    # MA1FL0XX: M=22, A=10, 1, F=15, L=21, 0, X=33, X=33.
    body = "MA1FL0XX"
    total = sum(int(ch, 36) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    assert uscc_is_valid(with_uscc_check("91310000" + body + check))


@pytest.mark.parametrize(
    "text",
    ["", "91120222079642398", "91120222079642398YY", "91120222079642398y", "9112022207964239OY"],
)
def test_wrong_length_case_or_alphabet_is_invalid(text: str) -> None:
    assert not uscc_is_valid(text)


@given(st.text())
def test_validation_never_raises(text: str) -> None:
    assert uscc_is_valid(text) in (True, False)
    assert looks_like_uscc(text) in (True, False)


def test_looks_like_uscc_ignores_the_check_digits() -> None:
    assert looks_like_uscc("91120222079642397Y")
    assert not looks_like_uscc("91120222079642397I")  # I is not in the alphabet


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("0120018003", True),
        ("012001800311", True),
        ("01200180031", False),
        ("01200180031A", False),
        ("", False),
        ("０１２００１８００３", False),
    ],
)
def test_invoice_code_shape(code: str, ok: bool) -> None:
    assert invoice_code_shape_ok(code) is ok


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("33207675", True),
        ("24442000000012345678", True),
        ("3320767", False),
        ("332076750", False),
        ("3320767A", False),
        ("", False),
    ],
)
def test_invoice_number_shape(number: str, ok: bool) -> None:
    assert invoice_number_shape_ok(number) is ok


@pytest.mark.parametrize(
    "declared",
    [
        "33207675",
        "No.33207675",
        "NO 33207675",
        "012001800311-33207675",
        "012001800311 33207675",
        "24442000000012345678",
        "３３２０７６７５",
    ],
)
def test_declared_invoice_references_in_usual_forms_have_an_invoice_shape(declared: str) -> None:
    assert invoice_reference_shape_ok(declared)


@pytest.mark.parametrize("declared", ["INV-00012345", "3320767", "ABC", "", "0120018003113320767"])
def test_other_document_numbers_have_no_invoice_shape(declared: str) -> None:
    assert not invoice_reference_shape_ok(declared)


def test_a_valid_tax_id_and_invoice_number_give_no_finding() -> None:
    decl = Declaration(issuer=REAL_ISSUER, issuer_tax_id=REAL_USCC, document_number="33207675")
    assert issuer_findings(decl, [(REAL_ISSUER, REAL_USCC)], chinese_invoice=True) == []


@pytest.mark.parametrize(
    "tax_id", ["91120222079642397Y", "91120222 0796 4239 7Y", "911202220796423971"]
)
def test_an_eighteen_character_tax_id_failing_the_check_digits_is_a_warning(tax_id: str) -> None:
    [finding] = issuer_findings(Declaration(issuer_tax_id=tax_id), [], chinese_invoice=False)
    assert finding.code == "issuer.tax_id_invalid"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"issuer_tax_id": tax_id}


def test_a_width_folded_lower_case_valid_tax_id_is_accepted() -> None:
    decl = Declaration(issuer_tax_id="９１１２０２２２０７９６４２３９８ｙ")
    assert issuer_findings(decl, [], chinese_invoice=False) == []


@pytest.mark.parametrize("tax_id", ["DE123456789", "12-3456789", "12.345.678/0001-95", None])
def test_tax_ids_of_other_shapes_are_not_judged(tax_id: str | None) -> None:
    assert issuer_findings(Declaration(issuer_tax_id=tax_id), [], chinese_invoice=False) == []


def test_a_chinese_invoice_with_a_non_invoice_number_is_a_warning() -> None:
    decl = Declaration(document_number="INV-00012345")
    [finding] = issuer_findings(decl, [], chinese_invoice=True)
    assert finding.code == "issuer.document_number_shape"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"document_number": "INV-00012345"}


def test_number_shapes_are_not_judged_on_other_documents() -> None:
    decl = Declaration(document_number="INV-00012345")
    assert issuer_findings(decl, [], chinese_invoice=False) == []


def test_a_distributors_name_with_another_tax_id_is_hard() -> None:
    decl = Declaration(issuer="天津 瑞佳讯贸易有限公司", issuer_tax_id=REAL_USCC)
    other = with_uscc_check("91120222" + "00000006" + "X")
    [finding] = issuer_findings(decl, [("天津瑞佳讯贸易有限公司", other)], chinese_invoice=False)
    assert finding.code == "issuer.tax_id_mismatch"
    assert finding.severity is Severity.HARD
    assert finding.evidence == {
        "issuer": "天津 瑞佳讯贸易有限公司",
        "declared_tax_id": REAL_USCC,
        "registered_tax_id": other,
    }


def test_names_compare_folded_for_case_and_width() -> None:
    decl = Declaration(issuer="ＡＣＭＥ  trading Ltd", issuer_tax_id="DE123456789")
    found = issuer_findings(decl, [("Acme Trading Ltd", "DE999999999")], chinese_invoice=False)
    assert codes(found) == ["issuer.tax_id_mismatch"]


def test_tax_ids_compare_without_case_or_separators() -> None:
    decl = Declaration(issuer="Acme Trading Ltd", issuer_tax_id="de 123 456 789")
    assert issuer_findings(decl, [("Acme Trading Ltd", "DE123456789")], chinese_invoice=False) == []


def test_a_distributor_registered_twice_matches_either_tax_id() -> None:
    decl = Declaration(issuer=REAL_ISSUER, issuer_tax_id=REAL_USCC)
    registered = [
        (REAL_ISSUER, with_uscc_check("91120222" + "00000006" + "X")),
        (REAL_ISSUER, REAL_USCC),
    ]
    assert issuer_findings(decl, registered, chinese_invoice=False) == []


@pytest.mark.parametrize(
    ("issuer", "tax_id", "registered"),
    [
        (REAL_ISSUER, None, [(REAL_ISSUER, "DE999999999")]),  # nothing declared to compare
        (REAL_ISSUER, REAL_USCC, [(REAL_ISSUER, None)]),  # no tax id registered
        ("Other Trading Ltd", REAL_USCC, [(REAL_ISSUER, "DE999999999")]),  # another name
        (None, REAL_USCC, [(REAL_ISSUER, "DE999999999")]),
    ],
)
def test_no_mismatch_without_both_tax_ids_and_the_same_name(
    issuer: str | None, tax_id: str | None, registered: list[tuple[str, str | None]]
) -> None:
    decl = Declaration(issuer=issuer, issuer_tax_id=tax_id)
    assert issuer_findings(decl, registered, chinese_invoice=False) == []


def test_evidence_values_are_plain() -> None:
    decl = Declaration(
        issuer=REAL_ISSUER, issuer_tax_id="91120222079642397Y", document_number="INV-1"
    )
    found = issuer_findings(decl, [(REAL_ISSUER, REAL_USCC)], chinese_invoice=True)
    assert codes(found) == [
        "issuer.tax_id_invalid",
        "issuer.document_number_shape",
        "issuer.tax_id_mismatch",
    ]
    for finding in found:
        assert all(isinstance(v, str | int | bool) for v in finding.evidence.values())
