"""Findings are de-duplicated: one per code and subject, the gravest kept."""

from __future__ import annotations

from decimal import Decimal

from probandi.domain.checks import ordered
from probandi.domain.forensics.findings import (
    ForensicContext,
    PriorDocumentUse,
    forensic_findings,
)
from probandi.domain.vouchers import Declaration, DeclaredLine, Finding, Severity


def context(*uses: PriorDocumentUse, stock: int = 1) -> ForensicContext:
    decl = Declaration(
        issuer="Shop", document_number="42", lines=(DeclaredLine("Gucci", "bag", 2, Decimal(1)),)
    )
    return ForensicContext(
        seller_id="me", declaration=decl, listing_stock=stock, same_document=uses
    )


def test_a_document_number_used_by_three_other_vouchers_is_one_finding() -> None:
    uses = (
        PriorDocumentUse("v1", "rival", "L1", 1),
        PriorDocumentUse("v2", "rival", "L2", 1, approved=True),
        PriorDocumentUse("v3", "other", "L3", 1),
    )
    found = ordered(forensic_findings(context(*uses)))
    [reused] = [f for f in found if f.code == "voucher.document_number_reused"]
    assert reused.severity is Severity.HARD  # the gravest of the three
    assert reused.evidence["other_voucher_id"] == "v2"  # the approved one leads
    assert reused.evidence["other_voucher_ids"] == "v1,v2,v3"
    assert reused.evidence["other_seller_ids"] == "rival,other"
    assert reused.evidence["other_vouchers"] == 3


def test_the_quantity_ledger_warning_is_kept_beside_another_sellers_use() -> None:
    uses = (PriorDocumentUse("v1", "rival", "L1", 1), PriorDocumentUse("v2", "me", "L2", 2))
    found = ordered(forensic_findings(context(*uses)))
    reused = [f for f in found if f.code == "voucher.document_number_reused"]
    assert len(reused) == 2
    assert {"covered_units" in f.evidence for f in reused} == {True, False}


def test_the_same_finding_twice_is_kept_once() -> None:
    finding = Finding("voucher.issued_in_future", Severity.HARD, "future", {"days": 2})
    assert ordered([finding, finding]) == (finding,)
