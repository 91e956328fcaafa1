"""Use-case inputs: what a caller asks for, already typed and validated."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from probandi.domain.actors import Actor
from probandi.domain.appeals import AppealSubject
from probandi.domain.brands import Distributor, ReferencePrice
from probandi.domain.listings import IfMatch, ListingContent
from probandi.domain.notices import ActionKind, NoticeReason
from probandi.domain.notifiers import Authorization, HolderKind, TrademarkRegistration
from probandi.domain.review import Decision
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.vouchers import Declaration


@dataclass(frozen=True)
class UpsertSeller:
    actor: Actor
    seller_id: str
    kind: SellerKind
    legal_name: str
    address: str
    tax_id: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class UpsertListing:
    actor: Actor
    listing_id: str
    seller_id: str
    content: ListingContent
    if_match: IfMatch | None = None  # None: a plain push, the last writer wins


@dataclass(frozen=True)
class SubmitVoucher:
    actor: Actor
    listing_id: str
    kind: VoucherKind
    declaration: Declaration
    filename: str
    data: bytes
    claimed_media_type: str | None = None


@dataclass(frozen=True)
class BrandFields:
    name: str
    aliases: tuple[str, ...] = ()
    gated: bool = True
    reference_prices: tuple[ReferencePrice, ...] = ()
    distributors: tuple[Distributor, ...] = ()
    rights_holder_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SaveBrand:
    actor: Actor
    fields: BrandFields
    brand_id: str | None = None  # None: create


@dataclass(frozen=True)
class DecideTask:
    actor: Actor
    task_id: str
    decision: Decision
    reason_code: str
    note: str | None = None
    version: int | None = None  # the version the reviewer saw; stale -> 409


@dataclass(frozen=True)
class SetFxRate:
    actor: Actor
    currency: str
    rate: Decimal


@dataclass(frozen=True)
class UpdateHolderProfile:
    actor: Actor
    holder_id: str
    kind: HolderKind
    registrations: tuple[TrademarkRegistration, ...]
    authorization: Authorization | None = None


@dataclass(frozen=True)
class FileNotice:
    actor: Actor
    reason: NoticeReason
    listing_ids: tuple[str, ...]
    text: str
    evidence_ids: tuple[str, ...]
    good_faith: bool


@dataclass(frozen=True)
class FileCounterNotice:
    actor: Actor
    notice_id: str
    listing_id: str
    statement: str
    voucher_ids: tuple[str, ...] = ()  # vouchers already approved for the listing
    upload: SubmitVoucher | None = None  # new proof, checked like the gate's


@dataclass(frozen=True)
class ReportAction:
    actor: Actor
    notice_id: str
    listing_id: str
    kind: ActionKind
    authority: str
    reference: str


@dataclass(frozen=True)
class FileAppeal:
    actor: Actor
    subject: AppealSubject
    subject_id: str
    statement: str
