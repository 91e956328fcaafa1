"""Explicit mapping between rows and domain objects; nothing is shared between them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from probandi.adapters.db.rows import BrandRow, ReviewTaskRow, VoucherRow
from probandi.domain.brands import Brand, Distributor, ReferencePrice
from probandi.domain.forensics.einvoice import parse_einvoice_qr
from probandi.domain.forensics.model import document_key
from probandi.domain.listing_gate import Gate, GateState
from probandi.domain.listings import ApprovedTerms, Listing, ListingContent
from probandi.domain.money import Money
from probandi.domain.review import Decision, ReviewTask, TaskKind, TaskState
from probandi.domain.screening import BrandMatch
from probandi.domain.sellers import Seller, SellerKind, VoucherKind
from probandi.domain.statements import Terms
from probandi.domain.text import Phrase, Wording
from probandi.domain.vouchers import (
    Declaration,
    DeclaredLine,
    Finding,
    Severity,
    StoredFile,
    Voucher,
    VoucherStatus,
)


def brand_to_domain(row: BrandRow, holders: frozenset[str]) -> Brand:
    return Brand(
        id=row.id,
        name=row.name,
        aliases=tuple(row.aliases),
        gated=row.gated,
        reference_prices=tuple(
            ReferencePrice(r["scope"], Money(Decimal(r["amount"]), r["currency"]))
            for r in row.reference_prices
        ),
        distributors=tuple(Distributor(d["name"] or "", d.get("tax_id")) for d in row.distributors),
        rights_holder_ids=holders,
    )


def brand_to_row(brand: Brand, row: BrandRow) -> None:
    row.name, row.gated, row.aliases = brand.name, brand.gated, list(brand.aliases)
    row.reference_prices = [
        {"scope": r.scope, "amount": str(r.price.amount), "currency": r.price.currency}
        for r in brand.reference_prices
    ]
    row.distributors = [{"name": d.name, "tax_id": d.tax_id} for d in brand.distributors]


class SellerFields(Protocol):
    """A seller row as the ORM or a Core select returns it."""

    id: str
    kind: str
    legal_name: str
    address: str
    tax_id: str | None
    display_name: str | None
    closed_at: datetime | None
    gated_restricted_until: datetime | None


def seller_to_domain(row: SellerFields) -> Seller:
    return Seller(
        row.id,
        SellerKind(row.kind),
        row.legal_name,
        row.address,
        row.tax_id,
        row.display_name,
        closed_at=row.closed_at,
        gated_restricted_until=row.gated_restricted_until,
    )


class PrefixedSellerFields(Protocol):
    """A seller's columns labelled s_* beside another table's in one select."""

    s_id: str
    s_kind: str
    s_legal_name: str
    s_address: str
    s_tax_id: str | None
    s_display_name: str | None
    s_closed_at: datetime | None
    s_gated_restricted_until: datetime | None


def prefixed_seller_to_domain(row: PrefixedSellerFields) -> Seller:
    return Seller(
        row.s_id,
        SellerKind(row.s_kind),
        row.s_legal_name,
        row.s_address,
        row.s_tax_id,
        row.s_display_name,
        closed_at=row.s_closed_at,
        gated_restricted_until=row.s_gated_restricted_until,
    )


def _terms_to_json(terms: ApprovedTerms | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    return {
        "brand": terms.brand,
        "title": terms.title,
        "images": sorted(terms.images),
        "brand_ids": sorted(terms.brand_ids),
        "currency": terms.currency,
        "price_low": str(terms.price_low),
        "price_high": str(terms.price_high),
    }


def _terms_from_json(data: dict[str, Any] | None) -> ApprovedTerms | None:
    if data is None:
        return None
    return ApprovedTerms(
        brand=data["brand"],
        title=data["title"],
        images=frozenset(data["images"]),
        brand_ids=frozenset(data["brand_ids"]),
        currency=data["currency"],
        price_low=Decimal(data["price_low"]),
        price_high=Decimal(data["price_high"]),
    )


class ListingFields(Protocol):
    """A listing row as the ORM or a Core select returns it."""

    id: str
    seller_id: str
    title: str
    description: str
    brand: str | None
    category: str | None
    price: Decimal
    currency: str
    stock: int
    images: list[str]
    gate_state: str
    gate_version: int
    matches: list[dict[str, Any]]
    approved_terms: dict[str, Any] | None
    held_at: datetime | None
    proof_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    notice_holds: dict[str, str] | None
    version: int


def listing_to_domain(row: ListingFields) -> Listing:
    content = ListingContent(
        title=row.title,
        price=Money(Decimal(row.price), row.currency),
        stock=row.stock,
        description=row.description,
        brand=row.brand,
        category=row.category,
        images=tuple(row.images),
    )
    return Listing(
        id=row.id,
        seller_id=row.seller_id,
        content=content,
        created_at=row.created_at,
        updated_at=row.updated_at,
        gate=Gate(GateState(row.gate_state), row.gate_version),
        matches=tuple(BrandMatch(**m) for m in row.matches),
        approved_terms=_terms_from_json(row.approved_terms),
        held_at=row.held_at,
        proof_due_at=row.proof_due_at,
        notice_holds=tuple(sorted((row.notice_holds or {}).items())),
        version=row.version,
    )


def listing_values(listing: Listing) -> dict[str, Any]:
    """The listing's columns (without id and version) for a Core insert or update."""
    c = listing.content
    matches = [
        {
            "brand_id": m.brand_id,
            "brand_name": m.brand_name,
            "field": m.field,
            "text": m.text,
            "start": m.start,
            "end": m.end,
            "kind": m.kind,
        }
        for m in listing.matches
    ]
    return {
        "seller_id": listing.seller_id,
        "title": c.title,
        "description": c.description,
        "brand": c.brand,
        "category": c.category,
        "images": list(c.images),
        "price": c.price.amount,
        "currency": c.price.currency,
        "stock": c.stock,
        "gate_state": listing.gate.state.value,
        "gate_version": listing.gate.version,
        "matches": matches,
        "approved_terms": _terms_to_json(listing.approved_terms),
        "held_at": listing.held_at,
        "proof_due_at": listing.proof_due_at,
        "notice_holds": dict(listing.notice_holds) or None,
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
    }


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def declaration_to_json(d: Declaration) -> dict[str, Any]:
    return {
        "issuer": d.issuer,
        "issuer_tax_id": d.issuer_tax_id,
        "buyer_name": d.buyer_name,
        "issued_on": _opt(d.issued_on),
        "valid_until": _opt(d.valid_until),
        "document_number": d.document_number,
        "currency": d.currency,
        "lines": [
            {"brand": ln.brand, "item": ln.item, "quantity": ln.quantity, "amount": _opt(ln.amount)}
            for ln in d.lines
        ],
        "site_url": d.site_url,
        "price": _opt(d.price),
        "captured_at": d.captured_at.isoformat() if d.captured_at else None,
    }


def declaration_from_json(j: dict[str, Any]) -> Declaration:
    def opt(key: str, conv: Any) -> Any:
        return None if j.get(key) is None else conv(j[key])

    return Declaration(
        issuer=j.get("issuer"),
        issuer_tax_id=j.get("issuer_tax_id"),
        buyer_name=j.get("buyer_name"),
        issued_on=opt("issued_on", date.fromisoformat),
        valid_until=opt("valid_until", date.fromisoformat),
        document_number=j.get("document_number"),
        currency=j.get("currency"),
        lines=tuple(
            DeclaredLine(
                ln["brand"],
                ln["item"],
                ln["quantity"],
                None if ln.get("amount") is None else Decimal(ln["amount"]),
            )
            for ln in j.get("lines", [])
        ),
        site_url=j.get("site_url"),
        price=opt("price", Decimal),
        captured_at=opt("captured_at", datetime.fromisoformat),
    )


def voucher_to_domain(row: VoucherRow) -> Voucher:
    return Voucher(
        id=row.id,
        seller_id=row.seller_id,
        listing_id=row.listing_id,
        kind=VoucherKind(row.kind),
        file=StoredFile(row.sha256, row.size, row.media_type, row.pages, row.width, row.height),
        filename=row.filename,
        declaration=declaration_from_json(row.declaration),
        created_at=row.created_at,
        status=VoucherStatus(row.status),
        findings=tuple(
            Finding(
                f["code"],
                Severity(f["severity"]),
                f["message"],
                f["evidence"],
                f.get("template", ""),
                f.get("params", {}),
            )
            for f in row.findings
        ),
        decided_at=row.decided_at,
        units_claimed=row.units_claimed,
        qr_payload=row.qr_payload,
    )


def document_key_text(declaration: Declaration, qr_payload: str | None = None) -> str | None:
    key = document_key(declaration, parse_einvoice_qr(qr_payload) if qr_payload else None)
    return "|".join(key)[:400] if key else None


def voucher_to_row(v: Voucher, row: VoucherRow) -> None:
    row.seller_id, row.listing_id, row.kind = v.seller_id, v.listing_id, v.kind.value
    row.sha256, row.size, row.media_type = v.file.sha256, v.file.size, v.file.media_type
    row.pages, row.width, row.height = v.file.pages, v.file.width, v.file.height
    row.filename, row.declaration = v.filename, declaration_to_json(v.declaration)
    row.status, row.created_at, row.decided_at = v.status.value, v.created_at, v.decided_at
    row.findings = [
        {
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
            "evidence": f.evidence,
            **({"template": f.template, "params": f.params} if f.template else {}),
        }
        for f in v.findings
    ]
    row.document_key = document_key_text(v.declaration, v.qr_payload)
    row.units_claimed, row.qr_payload = v.units_claimed, v.qr_payload


def task_to_domain(row: ReviewTaskRow) -> ReviewTask:
    return ReviewTask(
        id=row.id,
        listing_id=row.listing_id,
        seller_id=row.seller_id,
        created_at=row.created_at,
        due_at=row.due_at,
        risk=row.risk,
        state=TaskState(row.state),
        claimed_by=row.claimed_by,
        lease_expires_at=row.lease_expires_at,
        decision=Decision(row.decision) if row.decision else None,
        reason_code=row.reason_code,
        note=row.note,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        sla_breached=row.sla_breached,
        kind=TaskKind(row.kind),
        subject_id=row.subject_id,
        excluded_reviewer=row.excluded_reviewer,
        version=row.version,
    )


def task_to_row(t: ReviewTask, row: ReviewTaskRow) -> None:
    row.listing_id, row.seller_id, row.state = t.listing_id, t.seller_id, t.state.value
    row.due_at, row.risk, row.created_at = t.due_at, t.risk, t.created_at
    row.claimed_by, row.lease_expires_at = t.claimed_by, t.lease_expires_at
    row.decision = t.decision.value if t.decision else None
    row.reason_code, row.note, row.decided_by = t.reason_code, t.note, t.decided_by
    row.decided_at, row.sla_breached = t.decided_at, t.sla_breached
    row.kind, row.subject_id = t.kind.value, t.subject_id
    row.excluded_reviewer = t.excluded_reviewer


def _wording_to_json(wording: Wording) -> list[dict[str, Any]]:
    return [
        {"t": p.template, "p": dict(p.params), **({"v": True} if p.verbatim else {})}
        for p in wording
    ]


def _wording_from_json(raw: list[dict[str, Any]]) -> Wording:
    return tuple(Phrase(str(x["t"]), dict(x.get("p") or {}), bool(x.get("v"))) for x in raw)


def terms_to_json(terms: Terms) -> dict[str, Any]:
    """A statement's texts as stored: message ids (the English) with their values."""
    return {
        "measure": _wording_to_json(terms.measure),
        "facts": [_wording_to_json(f) for f in terms.facts],
        "ground": _wording_to_json(terms.ground),
        "redress": _wording_to_json(terms.redress),
    }


def terms_from_json(raw: dict[str, Any]) -> Terms:
    return Terms(
        measure=_wording_from_json(raw["measure"]),
        facts=tuple(_wording_from_json(f) for f in raw["facts"]),
        ground=_wording_from_json(raw["ground"]),
        redress=_wording_from_json(raw["redress"]),
    )
