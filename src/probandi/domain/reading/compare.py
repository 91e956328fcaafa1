"""The seller's declaration held against the document as read.

`voucher.contradicts_document` is hard only when the field was read with confidence and the
values clearly differ (an id whose check digits hold, a name far from the declared one);
otherwise it is a warning for a person. Evidence names the field, both values and the
reading's confidence, and nothing of any other seller."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from probandi.domain.forensics.identifiers import compact_tax_id, uscc_is_valid
from probandi.domain.reading.model import Extracted, Field
from probandi.domain.reading.normalize import digits_of, folded, name_similarity
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, Finding, Severity, finding

HARD_CONFIDENCE = 0.9  # a field read at least this sure may reject at once
KIND_CONFIDENCE = 0.6
NAME_SAME, NAME_FAR = 0.85, 0.5
DOCUMENT_FAMILY = frozenset(
    {VoucherKind.PURCHASE_INVOICE, VoucherKind.MALL_RECEIPT, VoucherKind.TRANSACTION_RECORD}
)

# Declared field -> the fields of a reading that state it, by preference.
READ_AS: dict[str, tuple[str, ...]] = {
    "document_number": ("number",),
    "issued_on": ("date",),
    "amount": ("amount", "total", "price"),
    "issuer_tax_id": ("seller_tax_id", "grantor_tax_id", "issuer_tax_id"),
    "buyer_name": ("buyer_name", "grantee"),
    "issuer": ("seller_name", "issuer", "grantor"),
    "valid_until": ("valid_until",),
}


def read_value(extracted: Extracted, declared_field: str) -> str | None:
    """The first value read of those that state a declared field (`READ_AS`)."""
    return next((v for f in READ_AS[declared_field] if (v := extracted.value(f))), None)


@dataclass(frozen=True)
class Verdict:
    agrees: bool
    clear: bool  # the difference cannot be a misreading of the same value


def compare(
    declaration: Declaration,
    extracted: Extracted,
    *,
    declared_kind: VoucherKind,
    listing_brands: Sequence[str] = (),
    listing_item: str | None = None,
) -> list[Finding]:
    """Findings on where the document contradicts the declaration, reads as another kind, or
    does not name the listing's brand or item. An unread field yields nothing."""
    found = kind_findings(declared_kind, extracted)
    for name, declared in declared_values(declared_kind, declaration).items():
        if declared:
            found.extend(_field_findings(name, declared, extracted))
    found.extend(listing_findings(extracted, listing_brands, listing_item))
    return found


def declared_values(kind: VoucherKind, declaration: Declaration) -> dict[str, str | None]:
    amounts = [line.amount for line in declaration.lines]
    if kind is VoucherKind.PRICE_CAPTURE:
        amount = f"{declaration.price:.2f}" if declaration.price is not None else None
    elif amounts and all(a is not None for a in amounts):
        amount = f"{sum(a for a in amounts if a is not None):.2f}"
    else:
        amount = None
    dated = declaration.captured_at.date() if declaration.captured_at else declaration.issued_on
    return {
        "document_number": declaration.document_number,
        "issued_on": dated.isoformat() if dated else None,
        "amount": amount,
        "issuer_tax_id": declaration.issuer_tax_id,
        "buyer_name": declaration.buyer_name,
        "issuer": declaration.issuer,
        "valid_until": declaration.valid_until.isoformat() if declaration.valid_until else None,
    }


def _field_findings(name: str, declared: str, extracted: Extracted) -> list[Finding]:
    candidates = [extracted.fields[f] for f in READ_AS[name] if f in extracted.fields]
    if not candidates:
        return []
    verdicts = [(field, JUDGES[name](declared, field, extracted)) for field in candidates]
    if any(v.agrees for _, v in verdicts):
        return []
    field, verdict = verdicts[0]
    hard = verdict.clear and field.confidence >= HARD_CONFIDENCE
    return [
        finding(
            "voucher.contradicts_document",
            Severity.HARD if hard else Severity.WARNING,
            ("the document reads %(field)r where the declaration says %(declared)r (%(value)s)"),
            {
                "field": name,
                "declared": declared,
                "read": field.value,
                "confidence": round(field.confidence, 3),
                "page": field.page,
                "box": ",".join(map(str, field.box)) if field.box else None,
            },
            field=field.value,
            declared=declared,
            value=name.replace("_", " "),
        )
    ]


def _number(declared: str, field: Field, extracted: Extracted) -> Verdict:
    said = digits_of(declared)
    code = extracted.value("code") or ""
    agrees = said == field.value or said == code + field.value
    agrees = agrees or compact_tax_id(declared) == compact_tax_id(field.value)
    return Verdict(agrees, clear=True)


def _same_text(declared: str, field: Field, extracted: Extracted) -> Verdict:
    return Verdict(declared == field.value, clear=True)


def _amount(declared: str, field: Field, extracted: Extracted) -> Verdict:
    try:
        return Verdict(abs(Decimal(declared) - Decimal(field.value)) < Decimal("0.01"), True)
    except InvalidOperation:
        return Verdict(False, False)


def _tax_id(declared: str, field: Field, extracted: Extracted) -> Verdict:
    read = compact_tax_id(field.value)
    return Verdict(compact_tax_id(declared) == read, clear=uscc_is_valid(read))


def _name(declared: str, field: Field, extracted: Extracted) -> Verdict:
    similarity = name_similarity(declared, field.value)
    return Verdict(similarity >= NAME_SAME, clear=similarity < NAME_FAR)


Judge = Callable[[str, Field, Extracted], Verdict]
JUDGES: dict[str, Judge] = {
    "document_number": _number,
    "issued_on": _same_text,
    "amount": _amount,
    "issuer_tax_id": _tax_id,
    "buyer_name": _name,
    "issuer": _name,
    "valid_until": _same_text,
}


def kind_findings(declared: VoucherKind, extracted: Extracted) -> list[Finding]:
    read = extracted.kind_guess
    if read is None or read is declared:
        return []
    if declared is VoucherKind.TRANSACTION_RECORD and read in DOCUMENT_FAMILY:
        return []
    # Between invoice and receipt the same rules apply; across families they do not.
    crosses = not (declared in DOCUMENT_FAMILY and read in DOCUMENT_FAMILY)
    hard = crosses and extracted.kind_confidence >= KIND_CONFIDENCE
    return [
        finding(
            "voucher.kind_mismatch",
            Severity.HARD if hard else Severity.WARNING,
            "the document reads as a %(read)s, not a %(declared)s",
            {
                "declared": declared.value,
                "read": read.value,
                "confidence": round(extracted.kind_confidence, 3),
            },
            read=read.value,
            declared=declared.value,
        )
    ]


def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]+", "", folded(text).casefold())


def listing_findings(
    extracted: Extracted, brands: Sequence[str], item: str | None
) -> list[Finding]:
    """Warnings when a document that has text names neither the listing's brand nor item."""
    text = _squeezed(extracted.text)
    if not text:
        return []
    found: list[Finding] = []
    if brands and not any(_squeezed(b) and _squeezed(b) in text for b in brands):
        found.append(
            Finding(
                "voucher.brand_not_on_document",
                Severity.WARNING,
                "the document does not name the listing's brand",
                {"brand": brands[0]},
            )
        )
    words = [_squeezed(w) for w in re.split(r"[\s,，/]+", item or "")]
    words = [w for w in words if len(w) >= 2]
    if words and not any(w in text for w in words):
        found.append(
            Finding(
                "voucher.item_not_on_document",
                Severity.WARNING,
                "the document does not name the listing's item",
                {"item": item},
            )
        )
    return found
