"""ORM rows (`*Row`): the database's shape, mapped to the domain in repositories."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from probandi.adapters.db.types import UtcDateTime

Json = JSON().with_variant(JSON(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    pass


def table_of(row: type[Base]) -> Table:
    """The Core table behind a row class, for statements that skip the ORM."""
    return cast(Table, row.__table__)


class RightsHolderRow(Base):
    __tablename__ = "rights_holders"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16), server_default="brand")
    registrations: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    agent_authorization: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_by: Mapped[str | None] = mapped_column(String(64))
    trusted_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    trusted_enrolled: Mapped[bool] = mapped_column(Boolean, server_default="0")
    trust_cooloff_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    filing_suspended_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class BrandRow(Base):
    __tablename__ = "brands"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    gated: Mapped[bool] = mapped_column(Boolean)
    aliases: Mapped[list[str]] = mapped_column(Json)
    reference_prices: Mapped[list[dict[str, str]]] = mapped_column(Json)
    distributors: Mapped[list[dict[str, str | None]]] = mapped_column(Json)


class BrandRightsHolderRow(Base):
    __tablename__ = "brand_rights_holders"
    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    rights_holder_id: Mapped[str] = mapped_column(
        ForeignKey("rights_holders.id"), primary_key=True, index=True
    )


class CounterRow(Base):
    """Named counters, e.g. the brand registry's version."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class SellerRow(Base):
    __tablename__ = "sellers"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    legal_name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    gated_restricted_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ListingRow(Base):
    __tablename__ = "listings"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    brand: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    stock: Mapped[int] = mapped_column(Integer)
    images: Mapped[list[str]] = mapped_column(Json)
    gate_state: Mapped[str] = mapped_column(String(32), index=True)
    gate_version: Mapped[int] = mapped_column(Integer)
    matches: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    approved_terms: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    proof_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notice_holds: Mapped[dict[str, str] | None] = mapped_column(Json, nullable=True)
    version: Mapped[int] = mapped_column(Integer)


class VoucherRow(Base):
    __tablename__ = "vouchers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    pages: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    declaration: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(32), index=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    document_key: Mapped[str | None] = mapped_column(String(400), index=True)
    units_claimed: Mapped[int] = mapped_column(Integer, server_default="0")
    qr_payload: Mapped[str | None] = mapped_column(Text)


SEQ = BigInteger().with_variant(Integer(), "sqlite")


class VoucherFingerprintRow(Base):
    __tablename__ = "voucher_fingerprints"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), index=True)
    seller_id: Mapped[str] = mapped_column(String(128))
    page: Mapped[int] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(8))
    pdq: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int] = mapped_column(Integer)


class VoucherMatchRow(Base):
    __tablename__ = "voucher_matches"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), index=True)
    other_voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    other_page: Mapped[int] = mapped_column(Integer)
    distance: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(16))
    legitimate: Mapped[bool] = mapped_column(Boolean)
    differing_share: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_voucher_matches_relation", "relation", "legitimate"),)


class ReviewTaskRow(Base):
    __tablename__ = "review_tasks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    risk: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sla_breached: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16), server_default="proof")
    subject_id: Mapped[str | None] = mapped_column(String(32), index=True)
    excluded_reviewer: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_review_tasks_queue", "state", "due_at", "risk"),)


class NoticeEvidenceRow(Base):
    __tablename__ = "notice_evidence"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NoticeRow(Base):
    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("rights_holders.id"))
    reason: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list[str]] = mapped_column(Json)
    good_faith: Mapped[bool] = mapped_column(Boolean)
    trusted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_notices_holder_created", "holder_id", "created_at"),)


class NoticeItemRow(Base):
    __tablename__ = "notice_items"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"))
    holder_id: Mapped[str] = mapped_column(String(128))
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    brand_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seller_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    counter: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    holder_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extended: Mapped[bool] = mapped_column(Boolean)
    action: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("notice_id", "listing_id", name="uq_notice_items_listing"),
        Index("ix_notice_items_holder", "holder_id", "created_at"),
        Index("ix_notice_items_seller_due", "state", "seller_due_at"),
        Index("ix_notice_items_holder_due", "state", "holder_due_at"),
    )


class NoticeRefusalRow(Base):
    __tablename__ = "notice_refusals"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    listing_id: Mapped[str] = mapped_column(String(128))
    code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(300))


class PenaltyEntryRow(Base):
    __tablename__ = "penalty_entries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(1000))
    decision: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    listing_id: Mapped[str | None] = mapped_column(String(128))
    notice_item_id: Mapped[str | None] = mapped_column(String(32))
    statement_id: Mapped[str | None] = mapped_column(String(32))
    reverses: Mapped[str | None] = mapped_column(String(32), unique=True)
    __table_args__ = (
        Index("ix_penalty_entries_seller", "seller_id", "at"),
        Index("ix_penalty_entries_item", "notice_item_id"),
    )


class AppealRow(Base):
    __tablename__ = "appeals"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32))
    appellant: Mapped[str] = mapped_column(String(200), index=True)
    listing_id: Mapped[str] = mapped_column(String(128))
    statement: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decision_at: Mapped[datetime] = mapped_column(UtcDateTime)
    original_decider: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    task_id: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason_code: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_appeals_subject", "subject", "subject_id"),)


class StatementRow(Base):
    __tablename__ = "statements"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    voucher_id: Mapped[str | None] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(1000))
    facts: Mapped[list[str]] = mapped_column(Json)
    ground: Mapped[str] = mapped_column(String(1000))
    automated: Mapped[bool] = mapped_column(Boolean)
    redress: Mapped[str] = mapped_column(String(1000))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notice_id: Mapped[str | None] = mapped_column(String(32))
    terms: Mapped[dict[str, Any] | None] = mapped_column(Json)  # 0017: the texts as data
    __table_args__ = (  # as migrations 0013 and 0015 create them
        Index("ix_statements_created_at", "created_at", "id"),
        Index(
            "ix_statements_report", "created_at", "measure", "automated", "notice_id", "seller_id"
        ),
    )


class FxRateRow(Base):
    __tablename__ = "fx_rates"
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 10))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    party_id: Mapped[str | None] = mapped_column(String(128))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditRow(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lane: Mapped[int] = mapped_column(Integer)
    lane_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    tag: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("lane", "lane_seq", name="uq_audit_log_lane_seq"),)


class AuditHeadRow(Base):
    """A lane's tip (id = lane), locked by each appending transaction to keep it linear."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    """A reviewer or admin who signs in to the console with a password."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConsoleSessionRow(Base):
    """A signed-in console session; only the hash of its cookie token is stored."""

    __tablename__ = "console_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(String(64), index=True)  # key id or user-<id>
    role: Mapped[str] = mapped_column(String(32))
    party_id: Mapped[str | None] = mapped_column(String(128))
    label: Mapped[str] = mapped_column(String(200))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    client: Mapped[str | None] = mapped_column(String(64))  # the address it signed in from
