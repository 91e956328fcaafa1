"""Automatic voucher checks: pure functions from facts to findings.

Hard findings reject at once with a statement of reasons; everything else goes to a person.
Documents alone never approve.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.brands import Brand, brand_price_floor, fold, party_name
from probandi.domain.listings import Listing
from probandi.domain.money import FxTable, Money
from probandi.domain.policy import Policy
from probandi.domain.screening import AliasMatcher
from probandi.domain.sellers import Seller, SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration, Finding, Severity, plain_finding

DOCUMENT_KINDS = frozenset(
    {VoucherKind.PURCHASE_INVOICE, VoucherKind.MALL_RECEIPT, VoucherKind.TRANSACTION_RECORD}
)


@dataclass(frozen=True)
class PriorUse:
    """The same file already submitted, by whom and as which voucher."""

    voucher_id: str
    seller_id: str
    listing_id: str


@dataclass(frozen=True)
class CheckContext:
    """Everything the checks may look at; gathered by the service, never fetched here."""

    kind: VoucherKind
    declaration: Declaration
    seller: Seller
    listing: Listing
    brands: tuple[Brand, ...]  # the gated brands the listing names
    now: datetime
    policy: Policy
    fx: FxTable
    same_file_uses: tuple[PriorUse, ...] = ()


_finding = plain_finding


def check_reuse(ctx: CheckContext) -> list[Finding]:
    others = [u for u in ctx.same_file_uses if u.seller_id != ctx.seller.id]
    return [
        _finding(
            "voucher.reused_exact",
            Severity.HARD,
            "this exact file was already submitted as proof by another seller",
            other_voucher_id=use.voucher_id,
            other_seller_id=use.seller_id,
            other_listing_id=use.listing_id,
        )
        for use in others[:5]
    ]


def check_kind(ctx: CheckContext) -> list[Finding]:
    accepted = ctx.seller.required_evidence.any_of
    if ctx.kind in accepted:
        return []
    return [
        _finding(
            "voucher.kind_not_accepted",
            Severity.WARNING,
            "a %(kind)s is not the proof expected from a %(seller_kind)s",
            accepted=", ".join(k.value for k in accepted),
            params={"kind": ctx.kind.value, "seller_kind": ctx.seller.kind.value},
        )
    ]


def check_dates(ctx: CheckContext) -> list[Finding]:
    decl, today = ctx.declaration, ctx.now.date()
    found: list[Finding] = []
    # A day of slack: "today" in the issuer's time zone may be tomorrow in UTC.
    if decl.issued_on is not None and decl.issued_on > today + timedelta(days=1):
        found.append(
            _finding(
                "voucher.dated_in_future",
                Severity.HARD,
                "the document is dated in the future",
                issued_on=decl.issued_on,
                today=today,
            )
        )
    oldest = today - timedelta(days=ctx.policy.invoice_validity_days)
    if ctx.kind in DOCUMENT_KINDS and decl.issued_on is not None and decl.issued_on < oldest:
        found.append(
            _finding(
                "voucher.outside_validity_window",
                Severity.HARD,
                "the document was issued more than %(invoice_validity_days)s days ago",
                issued_on=decl.issued_on,
                oldest_accepted=oldest,
                params={"invoice_validity_days": ctx.policy.invoice_validity_days},
            )
        )
    if decl.valid_until is not None and decl.valid_until < today:
        found.append(
            _finding(
                "voucher.authorization_expired",
                Severity.HARD,
                "the authorization has expired",
                valid_until=decl.valid_until,
            )
        )
    if decl.captured_at is not None:
        if decl.captured_at > ctx.now + timedelta(minutes=5):
            found.append(
                _finding(
                    "voucher.dated_in_future",
                    Severity.HARD,
                    "the price capture is dated in the future",
                    captured_at=decl.captured_at,
                )
            )
        elif decl.captured_at < ctx.now - timedelta(days=ctx.policy.price_capture_validity_days):
            found.append(
                _finding(
                    "voucher.price_capture_stale",
                    Severity.WARNING,
                    "the price capture is older than %(price_capture_validity_days)s days",
                    captured_at=decl.captured_at,
                    params={"price_capture_validity_days": ctx.policy.price_capture_validity_days},
                )
            )
    return found


def check_parties(ctx: CheckContext) -> list[Finding]:
    if ctx.kind is VoucherKind.PRICE_CAPTURE:
        return []
    decl, seller = ctx.declaration, ctx.seller
    found: list[Finding] = []
    buyer, issuer = party_name(decl.buyer_name), party_name(decl.issuer)
    if not buyer:
        found.append(
            _finding(
                "voucher.buyer_missing",
                Severity.WARNING,
                "the document names no buyer; check it was sold to this shop",
            )
        )
    elif buyer != party_name(seller.legal_name):
        found.append(
            _finding(
                "voucher.buyer_not_seller",
                Severity.HARD,
                "the buyer on the document is not the seller's verified legal name",
                buyer_name=decl.buyer_name,
                seller_legal_name=seller.legal_name,
            )
        )
    self_issued_ok = seller.kind is SellerKind.BRAND_OWNER
    same_tax = bool(decl.issuer_tax_id and seller.tax_id) and fold(
        decl.issuer_tax_id or ""
    ) == fold(seller.tax_id or "")
    if (
        not self_issued_ok
        and issuer
        and (issuer in (buyer, party_name(seller.legal_name)) or same_tax)
    ):
        found.append(
            _finding(
                "voucher.issuer_is_buyer",
                Severity.HARD,
                "the document is issued by the buyer itself (self-issued)",
                issuer=decl.issuer,
            )
        )
    return found


def check_issuer(ctx: CheckContext) -> list[Finding]:
    if ctx.kind is VoucherKind.PRICE_CAPTURE or not ctx.brands:
        return []
    decl = ctx.declaration
    authorized = [
        b.name for b in ctx.brands if b.is_authorized_issuer(decl.issuer, decl.issuer_tax_id)
    ]
    if authorized:
        return [
            _finding(
                "voucher.issuer_authorized",
                Severity.INFO,
                "the issuer is an authorized distributor of the brand",
                issuer=decl.issuer,
                brands=", ".join(authorized),
            )
        ]
    return [
        _finding(
            "voucher.issuer_unknown",
            Severity.WARNING,
            "the issuer is not among the brand's authorized distributors",
            issuer=decl.issuer,
            issuer_tax_id=decl.issuer_tax_id,
        )
    ]


def _line_names_brand(line_brand: str, brand: Brand) -> bool:
    """Whole names only: the alias LV must not be found inside "Calvin Klein"."""
    gated_copy = replace(brand, gated=True)
    return bool(AliasMatcher([gated_copy]).screen({"line": line_brand}))


def check_brand_and_quantity(ctx: CheckContext) -> list[Finding]:
    if ctx.kind in (VoucherKind.PRICE_CAPTURE, VoucherKind.BRAND_AUTHORIZATION) or not ctx.brands:
        return []
    found: list[Finding] = []
    for brand in ctx.brands:
        lines = [ln for ln in ctx.declaration.lines if _line_names_brand(ln.brand, brand)]
        if not lines:
            found.append(
                _finding(
                    "voucher.brand_not_named",
                    Severity.WARNING,
                    "no line of the document names %(brand)s",
                    brand=brand.name,
                )
            )
            continue
        quantity = sum(ln.quantity for ln in lines)
        if quantity < ctx.listing.content.stock:
            found.append(
                _finding(
                    "voucher.quantity_short",
                    Severity.WARNING,
                    (
                        "the document covers %(covered)s unit(s) of %(name)s; the listing offers "
                        "%(stock)s"
                    ),
                    covered=quantity,
                    stock=ctx.listing.content.stock,
                    params={"name": brand.name},
                )
            )
    return found


def check_foreign_price(ctx: CheckContext) -> list[Finding]:
    decl = ctx.declaration
    if ctx.kind is not VoucherKind.PRICE_CAPTURE or decl.price is None or decl.currency is None:
        return []
    listing_price = ctx.listing.content.price
    foreign = ctx.fx.convert(Money(decl.price, decl.currency), listing_price.currency)
    if foreign is None:
        return [
            _finding(
                "fx.rate_missing",
                Severity.WARNING,
                "no exchange rate to compare the foreign price with the listing price",
                currency=decl.currency,
                listing_currency=listing_price.currency,
            )
        ]
    if listing_price.amount < foreign.amount:
        return [
            _finding(
                "listing.price_below_foreign_price",
                Severity.HARD,
                "a purchasing agent's listing price is below the brand's own foreign price "
                "after currency conversion",
                listing_price=f"{listing_price.amount} {listing_price.currency}",
                foreign_price=f"{decl.price} {decl.currency}",
                foreign_price_converted=f"{foreign.amount} {foreign.currency}",
            )
        ]
    return []


def check_reference_price(ctx: CheckContext) -> list[Finding]:
    found: list[Finding] = []
    price = ctx.listing.content.price
    for brand in ctx.brands:
        reference = brand.reference_price_for(ctx.listing.content.category)
        converted = ctx.fx.convert(reference, price.currency) if reference else None
        if converted is None:
            continue
        floor = brand_price_floor(converted, ctx.policy.reference_price_floor)
        if price.amount < floor:
            found.append(
                _finding(
                    "listing.price_far_below_reference",
                    Severity.WARNING,
                    ("the price is below %(reference_price_floor)s% of %(name)s's reference price"),
                    price=f"{price.amount} {price.currency}",
                    reference=f"{converted.amount} {converted.currency}",
                    params={
                        "reference_price_floor": round(ctx.policy.reference_price_floor * 100),
                        "name": brand.name,
                    },
                )
            )
    return found


def check_document_number(ctx: CheckContext) -> list[Finding]:
    number = ctx.declaration.document_number
    if ctx.kind in DOCUMENT_KINDS and number is not None and not re.search(r"[0-9A-Za-z]", number):
        return [
            _finding(
                "voucher.document_number_invalid",
                Severity.WARNING,
                "the document number has no letters or digits",
            )
        ]
    return []


CHECKS: tuple[Callable[[CheckContext], list[Finding]], ...] = (
    check_reuse,
    check_kind,
    check_dates,
    check_parties,
    check_issuer,
    check_brand_and_quantity,
    check_foreign_price,
    check_reference_price,
    check_document_number,
)


SEVERITY_ORDER = {Severity.HARD: 0, Severity.WARNING: 1, Severity.INFO: 2}


MAX_OTHERS_NAMED = 5
OTHER = "other_"


def _subject(finding: Finding) -> tuple[str, object]:
    """What a finding is about: other sellers' vouchers (one finding names them all), or
    its own evidence (the same evidence twice is one finding)."""
    if any(key.startswith(OTHER) for key in finding.evidence):
        return finding.code, OTHER
    return finding.code, tuple(sorted(finding.evidence.items(), key=lambda kv: kv[0]))


def _merged(group: list[Finding]) -> Finding:
    """The gravest of findings about other vouchers, naming every one of them."""
    first = min(group, key=lambda f: SEVERITY_ORDER[f.severity])
    if len(group) == 1 or _subject(first)[1] != OTHER:
        return first
    others = list(dict.fromkeys(str(f.evidence.get("other_voucher_id")) for f in group))
    sellers = list(dict.fromkeys(str(f.evidence.get("other_seller_id")) for f in group))
    evidence = dict(first.evidence)
    evidence["other_voucher_ids"] = ",".join(others[:MAX_OTHERS_NAMED])
    evidence["other_seller_ids"] = ",".join(sellers[:MAX_OTHERS_NAMED])
    evidence["other_vouchers"] = len(others)
    return replace(first, evidence=evidence)


def distinct(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    """One finding per code and subject, in first-seen order: a seller never sees the same
    finding twice (the evidence naming other sellers is redacted for it)."""
    groups: dict[tuple[str, object], list[Finding]] = {}
    for found in findings:
        groups.setdefault(_subject(found), []).append(found)
    return [_merged(group) for group in groups.values()]


def ordered(findings: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Distinct findings, hard first, then warnings, then information; stable within each."""
    return tuple(sorted(distinct(findings), key=lambda f: SEVERITY_ORDER[f.severity]))


def run_checks(ctx: CheckContext) -> tuple[Finding, ...]:
    """Every check, in a fixed order; hard findings first in the result."""
    return ordered([f for check in CHECKS for f in check(ctx)])
