"""Sellers (shops) and the evidence each kind must bring for a gated brand."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from probandi.domain.errors import InvalidInput
from probandi.domain.locales import N_


class SellerKind(enum.StrEnum):
    BRAND_OWNER = "brand_owner"
    AUTHORIZED_RETAILER = "authorized_retailer"
    RESELLER = "reseller"
    PURCHASING_AGENT = "purchasing_agent"


class VoucherKind(enum.StrEnum):
    PURCHASE_INVOICE = "purchase_invoice"
    MALL_RECEIPT = "mall_receipt"
    BRAND_AUTHORIZATION = "brand_authorization"
    TRANSACTION_RECORD = "transaction_record"
    PRICE_CAPTURE = "price_capture"


@dataclass(frozen=True)
class EvidenceRequirement:
    """Any one of `any_of` satisfies the requirement; `summary` is what the seller reads."""

    any_of: tuple[VoucherKind, ...]
    summary: str


REQUIRED_EVIDENCE: dict[SellerKind, EvidenceRequirement] = {
    SellerKind.BRAND_OWNER: EvidenceRequirement(
        (VoucherKind.BRAND_AUTHORIZATION,),
        N_("a brand authorization letter (or brand-signed credential) naming this shop"),
    ),
    SellerKind.AUTHORIZED_RETAILER: EvidenceRequirement(
        (VoucherKind.BRAND_AUTHORIZATION, VoucherKind.PURCHASE_INVOICE),
        N_(
            "the brand's authorization letter for this shop, or a purchase invoice from an "
            "authorized distributor"
        ),
    ),
    SellerKind.RESELLER: EvidenceRequirement(
        (VoucherKind.PURCHASE_INVOICE, VoucherKind.MALL_RECEIPT),
        N_(
            "a purchase invoice or mall receipt, issued to this shop's legal name within 180 days, "
            "covering the listed quantity"
        ),
    ),
    SellerKind.PURCHASING_AGENT: EvidenceRequirement(
        (
            VoucherKind.TRANSACTION_RECORD,
            VoucherKind.MALL_RECEIPT,
            VoucherKind.PURCHASE_INVOICE,
            VoucherKind.PRICE_CAPTURE,
        ),
        N_(
            "the purchase record or receipt, or a capture of the same product's price on the "
            "brand's official foreign site (the listing price must not be below it)"
        ),
    ),
}


@dataclass(frozen=True)
class Seller:
    """A shop with a verified legal identity (trader traceability)."""

    id: str
    kind: SellerKind
    legal_name: str
    address: str
    tax_id: str | None = None
    display_name: str | None = None
    # Standing, kept in step with the penalty ledger (see domain/penalties.py).
    closed_at: datetime | None = None
    gated_restricted_until: datetime | None = None

    def __post_init__(self) -> None:
        if not self.legal_name.strip():
            raise InvalidInput("legal_name must not be empty", field="legal_name")

    @property
    def required_evidence(self) -> EvidenceRequirement:
        return REQUIRED_EVIDENCE[self.kind]

    def restricted_from_gated(self, *, now: datetime) -> bool:
        """No new listings of gated brands while the ledger restricts the shop."""
        return self.closed_at is not None or (
            self.gated_restricted_until is not None and self.gated_restricted_until > now
        )
