"""The second stage's decision table, and the rules that keep a copy from hurting the
original's owner."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from probandi.domain.forensics.einvoice import parse_einvoice_qr
from probandi.domain.forensics.findings import (
    ForensicContext,
    PriorDocumentUse,
    document_number_reused,
    is_copy,
)
from probandi.domain.forensics.model import (
    ImageDiff,
    PageFingerprint,
    Relation,
    VoucherSide,
    document_key,
    relate,
)
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import (
    Declaration,
    DeclaredLine,
    Finding,
    Severity,
    StoredFile,
    Voucher,
    VoucherStatus,
)

QR_A = parse_einvoice_qr("01,10,012001800311,33207675,46.62,20190508,76939056883466677916,E1BD,")
QR_B = parse_einvoice_qr("01,10,012001800311,33207676,46.62,20190508,76939056883466677917,E1BD,")
SAME = ImageDiff(aligned=True, differing_share=0.002)
OTHER = ImageDiff(aligned=True, differing_share=0.09)


def side(seller: str, number: str = "1", issuer: str = "Shop", qr: object = None) -> VoucherSide:
    decl = Declaration(issuer=issuer, document_number=number, issued_on=date(2026, 1, 5))
    return VoucherSide(f"v-{seller}", seller, f"L-{seller}", decl, qr)  # type: ignore[arg-type]


def test_the_same_qr_invoice_is_recycled_whatever_the_images_say() -> None:
    verdict = relate(side("a", qr=QR_A), side("b", number="9", qr=QR_A), OTHER)
    assert verdict.relation is Relation.RECYCLED


def test_two_verifiable_e_invoices_share_a_legitimate_template() -> None:
    verdict = relate(side("a", qr=QR_A), side("b", qr=QR_B), SAME)
    assert verdict.relation is Relation.SAME_TEMPLATE
    assert verdict.legitimate


def test_images_that_differ_nowhere_are_recycled_even_under_other_declarations() -> None:
    verdict = relate(side("a", number="A1"), side("b", number="B2", issuer="Other"), SAME)
    assert verdict.relation is Relation.RECYCLED


@pytest.mark.parametrize("diff", [OTHER, None, ImageDiff(aligned=False, differing_share=1.0)])
def test_other_content_under_other_shops_is_a_suspect_template(diff: ImageDiff | None) -> None:
    verdict = relate(side("a", number="A1"), side("b", number="B2", issuer="Other"), diff)
    assert verdict.relation is Relation.SAME_TEMPLATE
    assert not verdict.legitimate


def test_a_retailers_own_layout_under_its_own_name_is_legitimate() -> None:
    verdict = relate(side("a", number="A1"), side("b", number="B2"), OTHER)
    assert verdict.relation is Relation.SAME_TEMPLATE
    assert verdict.legitimate


def test_an_unread_qr_next_to_a_national_e_invoice_is_the_national_layout() -> None:
    verdict = relate(side("a", number="A1", qr=QR_A), side("b", number="B2", issuer="X"), OTHER)
    assert verdict.legitimate


def test_the_same_declared_document_is_recycled() -> None:
    verdict = relate(side("a", number="No. 42"), side("b", number="42"), None)
    assert verdict.relation is Relation.SAME_TEMPLATE  # "No42" and "42" are not one key
    verdict = relate(side("a", number="N-42"), side("b", number="n42"), None)
    assert verdict.relation is Relation.RECYCLED


def test_a_qr_code_names_the_document_however_the_number_is_written() -> None:
    short = Declaration(issuer="X", document_number="33207675")
    long = Declaration(issuer="Y", document_number="012001800311-33207675")
    assert document_key(short, QR_A) == document_key(long, QR_A)


def voucher(status: VoucherStatus, *codes: str) -> Voucher:
    findings = tuple(Finding(c, Severity.HARD, "m", {}) for c in codes)
    stored = StoredFile("0" * 64, 10, "image/png")
    return Voucher(
        "v",
        "s",
        "L",
        VoucherKind.PURCHASE_INVOICE,
        stored,
        "f",
        Declaration(),
        datetime(2026, 1, 1, tzinfo=UTC),
        status,
        findings,
    )


def test_a_copy_is_a_voucher_rejected_for_being_another_sellers_document() -> None:
    assert is_copy(voucher(VoucherStatus.REJECTED, "voucher.reused_near"))
    assert not is_copy(voucher(VoucherStatus.REJECTED, "voucher.outside_validity_window"))
    assert not is_copy(voucher(VoucherStatus.APPROVED, "voucher.reused_near"))


def context(*uses: PriorDocumentUse, stock: int = 1) -> ForensicContext:
    decl = Declaration(
        issuer="Shop", document_number="42", lines=(DeclaredLine("Gucci", "bag", 2, Decimal(1)),)
    )
    return ForensicContext(
        seller_id="me", declaration=decl, listing_stock=stock, same_document=uses
    )


def test_only_an_approved_document_of_another_seller_rejects_at_once() -> None:
    claimed = PriorDocumentUse("v1", "rival", "L1", 1)
    approved = replace(claimed, approved=True)
    copy = replace(claimed, copy=True)
    assert [f.severity for f in document_number_reused(context(claimed))] == [Severity.WARNING]
    assert [f.severity for f in document_number_reused(context(approved))] == [Severity.HARD]
    assert document_number_reused(context(copy)) == []


def test_one_document_covering_more_units_than_it_lists_is_a_warning() -> None:
    mine = PriorDocumentUse("v1", "me", "L1", 2)
    [finding] = document_number_reused(context(mine, stock=1))
    assert finding.severity is Severity.WARNING
    assert finding.evidence["covered_units"] == 3


def test_a_fingerprint_is_64_hex_characters_with_a_quality_in_range() -> None:
    with pytest.raises(ValueError, match="hex"):
        PageFingerprint(0, "xyz", 100)
    with pytest.raises(ValueError, match="quality"):
        PageFingerprint(0, "0" * 64, 101)
    assert not PageFingerprint(0, "0" * 64, 49).matchable(50)


@pytest.mark.parametrize(
    ("diff", "altered"),
    [
        (ImageDiff(True, 0.03, areas=7, area_share=0.2), True),  # few cells: a field or two
        (ImageDiff(True, 0.065, areas=1, area_share=0.017), True),  # a sparse page's number
        (ImageDiff(True, 0.09, areas=3, area_share=0.05), True),  # number, date and QR code
        (ImageDiff(True, 0.078, areas=5, area_share=0.048), False),  # another sale's fields
        (ImageDiff(True, 0.09, areas=2, area_share=0.2), False),  # a block of the page
        (ImageDiff(True, 0.005, areas=1, area_share=0.01), False),  # the same image
        (ImageDiff(False, 1.0), False),
    ],
)
def test_an_image_is_barely_different_when_few_cells_or_few_small_areas_changed(
    diff: ImageDiff, altered: bool
) -> None:
    assert diff.barely_different is altered
