"""Forensic findings for one voucher: reuse, the document-number ledger, templates, QR,
metadata and issuer checks. Pure: the service gathers every fact first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from probandi.domain.forensics.einvoice import EInvoiceQr, qr_findings
from probandi.domain.forensics.identifiers import issuer_findings
from probandi.domain.forensics.metadata import DocumentMetadata, metadata_findings
from probandi.domain.forensics.model import NearMatch, Relation
from probandi.domain.locales import N_
from probandi.domain.vouchers import (
    Declaration,
    Finding,
    Severity,
    Voucher,
    VoucherStatus,
    plain_finding,
)

MAX_NAMED = 5  # other vouchers named in one finding
REUSE_CODES = frozenset(
    {"voucher.reused_exact", "voucher.reused_near", "voucher.document_number_reused"}
)


# Hard, these say the document is someone else's: a copy (perhaps doctored) of another
# seller's voucher.
COPY_CODES = REUSE_CODES | {"voucher.altered_copy"}
# Hard findings that mean the document is forged or someone else's: closure-level when
# offered as proof against a notice.
FORGERY_CODES = COPY_CODES | {"voucher.qr_mismatch"}


def is_forged(voucher: Voucher) -> bool:
    return any(f.code in FORGERY_CODES and f.severity is Severity.HARD for f in voucher.findings)


def is_copy(voucher: Voucher) -> bool:
    """Rejected because it was another seller's document: it never counts against the
    original's owner, who may go on using its own invoice."""
    return voucher.status is VoucherStatus.REJECTED and any(
        f.code in COPY_CODES and f.severity is Severity.HARD for f in voucher.findings
    )


@dataclass(frozen=True)
class PriorDocumentUse:
    """Another voucher that declared the same issuer and document number."""

    voucher_id: str
    seller_id: str
    listing_id: str
    units: int  # the listing stock it was submitted to cover
    covering: bool = True  # pending or approved: its units count against the document
    approved: bool = False  # a person accepted it as that seller's document
    copy: bool = False  # itself rejected as another seller's document


@dataclass(frozen=True)
class ForensicContext:
    seller_id: str
    declaration: Declaration
    listing_stock: int
    qr: EInvoiceQr | None = None
    metadata: DocumentMetadata | None = None
    matches: tuple[NearMatch, ...] = ()
    same_document: tuple[PriorDocumentUse, ...] = ()
    distributors: tuple[tuple[str, str | None], ...] = ()
    cluster_sellers: int = 3  # sellers (this one included) that make a template a cluster
    chinese_invoice: bool = False


_finding = plain_finding


def reused_near(ctx: ForensicContext) -> list[Finding]:
    recycled = [
        m
        for m in ctx.matches
        if m.verdict.relation is Relation.RECYCLED and m.other.seller_id != ctx.seller_id
    ]
    seen: set[str] = set()
    found: list[Finding] = []
    for m in recycled:
        if m.other.voucher_id in seen or len(found) >= MAX_NAMED:
            continue
        seen.add(m.other.voucher_id)
        found.append(
            _finding(
                "voucher.reused_near",
                Severity.HARD,
                "the same document was already submitted as proof by another seller: %(why)s",
                params={"why": m.verdict.reason},
                other_voucher_id=m.other.voucher_id,
                other_seller_id=m.other.seller_id,
                other_listing_id=m.other.listing_id,
                distance=m.distance,
                page=m.page,
                other_page=m.other_page,
                differing_share=None if m.diff is None else round(m.diff.differing_share, 4),
            )
        )
    return found


def document_number_reused(ctx: ForensicContext) -> list[Finding]:
    # Declarations alone are cheap to make: only a document a person already accepted as
    # another seller's rejects at once; one merely claimed by someone else goes to review.
    others = [u for u in ctx.same_document if u.seller_id != ctx.seller_id and not u.copy]
    found = [
        _finding(
            "voucher.document_number_reused",
            Severity.HARD if u.approved else Severity.WARNING,
            N_("a document with this issuer and number was approved as another seller's proof")
            if u.approved
            else N_("a document with this issuer and number was declared by another seller"),
            other_voucher_id=u.voucher_id,
            other_seller_id=u.seller_id,
            other_listing_id=u.listing_id,
            document_number=ctx.declaration.document_number,
        )
        for u in others[:MAX_NAMED]
    ]
    listed = sum(line.quantity for line in ctx.declaration.lines)
    own = [u for u in ctx.same_document if u.seller_id == ctx.seller_id and u.covering]
    covered = sum(u.units for u in own) + ctx.listing_stock
    if own and listed and covered > listed:
        found.append(
            _finding(
                "voucher.document_number_reused",
                Severity.WARNING,
                (
                    "this document lists %(listed_units)s units but now covers "
                    "%(covered_units)s across %(listings)s listings"
                ),
                listed_units=listed,
                covered_units=covered,
                listings=len(own) + 1,
            )
        )
    return found


TEMPLATE_CLUSTER = "voucher.template_cluster"


def cluster_matches(matches: Iterable[NearMatch], seller_id: str) -> list[NearMatch]:
    """Other sellers' vouchers on the same layout under other claimed issuers (never a
    legitimate national template): the members of a suspected forgery template."""
    return [
        m
        for m in matches
        if m.verdict.relation is Relation.SAME_TEMPLATE
        and not m.verdict.legitimate
        and m.other.seller_id != seller_id
    ]


def template_cluster(ctx: ForensicContext) -> list[Finding]:
    shared = cluster_matches(ctx.matches, ctx.seller_id)
    sellers = {m.other.seller_id for m in shared}
    if len(sellers) + 1 < ctx.cluster_sellers:
        return []
    return [
        _finding(
            TEMPLATE_CLUSTER,
            Severity.WARNING,
            (
                "this document's layout is shared with vouchers of %(count_sellers)s "
                "other sellers under other claimed issuers: a suspected forgery template"
            ),
            sellers=len(sellers) + 1,
            other_voucher_ids=",".join(sorted({m.other.voucher_id for m in shared})[:20]),
            params={"count_sellers": len(sellers)},
        )
    ]


def cluster_member_finding(sellers: int, others: list[str], *, found_by: str) -> Finding:
    """The cluster finding for a voucher that was there first: the cluster formed or grew
    when `found_by` arrived."""
    return _finding(
        TEMPLATE_CLUSTER,
        Severity.WARNING,
        (
            "this document's layout is shared with vouchers of %(value)s other "
            "sellers under other claimed issuers, found when a later voucher matched "
            "it: a suspected forgery template"
        ),
        sellers=sellers,
        other_voucher_ids=",".join(others[:20]),
        found_by=found_by,
        retroactive=True,
        params={"value": sellers - 1},
    )


def altered_copy(ctx: ForensicContext) -> list[Finding]:
    """Another seller's document, the same image but for a few fields: for a person to look
    at side by side (an honest same-shop receipt can come this close)."""
    close = [
        m
        for m in ctx.matches
        if m.verdict.relation is Relation.SAME_TEMPLATE
        and m.other.seller_id != ctx.seller_id
        and m.diff is not None
        and m.diff.barely_different
    ]
    return [
        _finding(
            "voucher.altered_copy",
            Severity.WARNING,
            (
                "the image is another seller's document with %(count_regions)s region(s) "
                "changed: compare them side by side"
            ),
            other_voucher_id=m.other.voucher_id,
            other_seller_id=m.other.seller_id,
            other_listing_id=m.other.listing_id,
            differing_share=round(m.diff.differing_share, 4),
            params={"count_regions": len(m.diff.regions)},
        )
        for m in close[:MAX_NAMED]
        if m.diff is not None
    ]


@dataclass(frozen=True)
class IdCopy:
    """An earlier voucher of another seller whose long ids (code, number, check code, cipher
    area, tax ids, bank account) are mostly on this document as read."""

    voucher_id: str
    seller_id: str
    listing_id: str
    share: float  # of the earlier voucher's id pieces found here
    altered: bool  # this document's number or QR code differs from the earlier one's


def copies_by_ids(copies: list[IdCopy], hard_share: float) -> list[Finding]:
    """The page carries another seller's document, whether cropped, photographed or
    stitched (`voucher.reused_near`), or with its number, date or QR code replaced
    (`voucher.altered_copy`). Same-template documents share labels, never these values.
    Hard from `hard_share` of the other's ids on; below it a warning for a person."""
    found = []
    for c in copies[:MAX_NAMED]:
        severity = Severity.HARD if c.share >= hard_share else Severity.WARNING
        evidence = {
            "other_voucher_id": c.voucher_id,
            "other_seller_id": c.seller_id,
            "other_listing_id": c.listing_id,
            "id_share": round(c.share, 3),
            "via": "long_ids",
        }
        if c.altered:
            found.append(
                _finding(
                    "voucher.altered_copy",
                    severity,
                    (
                        "%(share)s% of the long ids of another seller's document (its codes, "
                        "check code, cipher area, tax ids) are on this one, under another number "
                        "or QR code: a doctored copy"
                    ),
                    **evidence,
                    params={"share": round(c.share * 100)},
                )
            )
        else:
            found.append(
                _finding(
                    "voucher.reused_near",
                    severity,
                    (
                        "the same document was already submitted as proof by another seller: "
                        "%(share)s% of its long ids (codes, check code, cipher area, tax ids) "
                        "are on this page"
                    ),
                    **evidence,
                    params={"share": round(c.share * 100)},
                )
            )
    return found


def retyped_copy(other: Voucher, retyped: list[str]) -> Finding:
    """The page as read is `other`'s, but for a few lines of digits: a doctored copy."""
    return _finding(
        "voucher.altered_copy",
        Severity.HARD,
        (
            "the text of another seller's document is on this one line for line, but "
            "for %(count_retyped)s line(s) of digits typed over (its number, date or "
            "an amount): a doctored copy"
        ),
        other_voucher_id=other.id,
        other_seller_id=other.seller_id,
        other_listing_id=other.listing_id,
        retyped=" | ".join(retyped),
        via="text",
        params={"count_retyped": len(retyped)},
    )


def same_sale_copy(other: Voucher, share: float) -> Finding:
    """The page as read carries most of `other`'s numbers (date, amounts, ids): the same
    sale, photographed or copied, whatever number was declared."""
    return _finding(
        "voucher.reused_near",
        Severity.HARD,
        (
            "the same document was already submitted as proof by another seller: the "
            "page matches it, and %(share)s% of its numbers (date, amounts, ids) are "
            "on this one"
        ),
        other_voucher_id=other.id,
        other_seller_id=other.seller_id,
        other_listing_id=other.listing_id,
        number_share=round(share, 3),
        via="numbers",
        params={"share": round(share * 100)},
    )


def forensic_findings(ctx: ForensicContext) -> list[Finding]:
    found = reused_near(ctx) + document_number_reused(ctx) + template_cluster(ctx)
    found += altered_copy(ctx)
    if ctx.qr is not None:
        found += qr_findings(ctx.qr, ctx.declaration)
    if ctx.metadata is not None:
        found += metadata_findings(ctx.metadata, ctx.declaration.issued_on)
    found += issuer_findings(ctx.declaration, ctx.distributors, chinese_invoice=ctx.chinese_invoice)
    return found
