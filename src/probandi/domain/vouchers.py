"""Vouchers: the seller's proof, with the fields the seller declares about it."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.money import check_currency
from probandi.domain.sellers import VoucherKind
from probandi.domain.text import Value, fill

ACCEPTED_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_LINES = 200
MAX_TEXT = 300


class VoucherStatus(enum.StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # superseded: the listing left the gate before a decision


class VoucherAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    REVOKE = "revoke"  # a person checked an approved voucher again and took it back


VOUCHER_TRANSITIONS: dict[tuple[VoucherStatus, VoucherAction], VoucherStatus] = {
    (VoucherStatus.PENDING_REVIEW, VoucherAction.APPROVE): VoucherStatus.APPROVED,
    (VoucherStatus.PENDING_REVIEW, VoucherAction.REJECT): VoucherStatus.REJECTED,
    (VoucherStatus.PENDING_REVIEW, VoucherAction.WITHDRAW): VoucherStatus.WITHDRAWN,
    (VoucherStatus.APPROVED, VoucherAction.REVOKE): VoucherStatus.REJECTED,
}


@dataclass(frozen=True)
class DeclaredLine:
    """One line of a document: brand, item, quantity, amount."""

    brand: str
    item: str
    quantity: int
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput("line quantity must be at least 1", field="lines")
        if self.amount is not None and self.amount < 0:
            raise InvalidInput("line amount must not be negative", field="lines")
        if len(self.brand) > MAX_TEXT or len(self.item) > MAX_TEXT:
            raise InvalidInput("line text is too long", field="lines")


@dataclass(frozen=True)
class Declaration:
    """What the seller says the document shows; the checks compare it with the world."""

    issuer: str | None = None
    issuer_tax_id: str | None = None
    buyer_name: str | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    document_number: str | None = None
    currency: str | None = None
    lines: tuple[DeclaredLine, ...] = ()
    site_url: str | None = None
    price: Decimal | None = None
    captured_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.currency is not None:
            check_currency(self.currency)
        if len(self.lines) > MAX_LINES:
            raise InvalidInput(
                "at most %(MAX_LINES)s lines", field="lines", params={"MAX_LINES": MAX_LINES}
            )
        if self.price is not None and self.price < 0:
            raise InvalidInput("price must not be negative", field="price")
        for name in ("issuer", "issuer_tax_id", "buyer_name", "document_number", "site_url"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_TEXT:
                raise InvalidInput("%(field)s is too long", field=name)


def check_declaration(kind: VoucherKind, declaration: Declaration) -> None:
    """Refuse declarations that miss what every document of this kind states."""
    if kind is VoucherKind.PRICE_CAPTURE:
        missing = [
            name
            for name in ("site_url", "price", "currency", "captured_at")
            if getattr(declaration, name) is None
        ]
    else:
        missing = [name for name in ("issuer", "issued_on") if getattr(declaration, name) is None]
        if kind is not VoucherKind.BRAND_AUTHORIZATION and not declaration.lines:
            missing.append("lines")
    if missing:
        raise InvalidInput(
            "a %(kind)s must declare: %(missing)s",
            field=missing[0],
            params={"kind": kind.value, "missing": ", ".join(missing)},
        )


@dataclass(frozen=True)
class StoredFile:
    """A file as the storage port keeps it: addressed by its sha256."""

    sha256: str
    size: int
    media_type: str
    pages: int = 1
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Voucher:
    """One uploaded document of a seller, submitted as proof for one listing."""

    id: str
    seller_id: str
    listing_id: str
    kind: VoucherKind
    file: StoredFile
    filename: str
    declaration: Declaration
    created_at: datetime
    status: VoucherStatus = VoucherStatus.PENDING_REVIEW
    findings: tuple[Finding, ...] = ()
    decided_at: datetime | None = None
    units_claimed: int = 0  # the listing stock this document was submitted to cover
    qr_payload: str | None = None  # the QR code read from the file, if any

    def apply(self, action: VoucherAction, *, at: datetime) -> Voucher:
        target = VOUCHER_TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a voucher that is %(state)s",
                state=self.status.value,
                params={"action": action.value},
            )
        return replace(self, status=target, decided_at=at)

    @property
    def has_hard_failure(self) -> bool:
        return any(f.severity is Severity.HARD for f in self.findings)


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    HARD = "hard"  # rejects at once, with a statement of reasons


@dataclass(frozen=True)
class Finding:
    """What an automatic check found: a stable code, how bad, and the evidence.

    `message` is English. When it has values in it, `template` is the same text with
    named placeholders, filled from `evidence` and `params`, so that it can be rendered
    again in another locale (`finding`); an empty template means the message is its own."""

    code: str
    severity: Severity
    message: str
    evidence: dict[str, Value]
    template: str = ""
    params: dict[str, Value] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, Value]:
        return {**self.evidence, **self.params}


def finding(
    code: str,
    severity: Severity,
    template: str,
    evidence: Mapping[str, Value],
    **params: Value,
) -> Finding:
    """A finding whose message is `template` filled from the evidence and `params`."""
    values = {**evidence, **params}
    return Finding(code, severity, fill(template, values), dict(evidence), template, dict(params))


def plain_finding(
    code: str,
    severity: Severity,
    message: str,
    *,
    params: Mapping[str, object] | None = None,
    **evidence: object,
) -> Finding:
    """`finding` for values of any kind: other than str, numbers, bools and None they are
    kept as their text (dates, decimals, ids)."""
    return finding(code, severity, message, _plain(evidence), **_plain(params or {}))


def _plain(values: Mapping[str, object]) -> dict[str, Value]:
    return {
        k: v if v is None or isinstance(v, str | int | float | bool) else str(v)
        for k, v in values.items()
    }


RISK_WEIGHT = {Severity.INFO: 0, Severity.WARNING: 10, Severity.HARD: 100}


def risk_of(findings: tuple[Finding, ...] | list[Finding]) -> int:
    """A queue ordering score: more and worse findings first."""
    return sum(RISK_WEIGHT[f.severity] for f in findings)


def clean_filename(name: str, *, limit: int = 200, default: str = "upload") -> str:
    """A client's file name as it may be stored and shown: its last path component, with no
    control characters (a NUL cannot be stored by PostgreSQL), at most `limit` characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    return kept.strip()[:limit] or default
