"""Issuer keys, issued credentials and the vouchers that presented them: tables and
repository (ADR 0014). Status lists are not stored: they are drawn from the credentials'
revoked and suspended marks when asked for, so the list and the registry never disagree."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import Base, Json, table_of
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.credentials import IssuedCredential, IssuerKey, KeyState, StatusPurpose
from probandi.domain.errors import Conflict


class CredentialKeyRow(Base):
    __tablename__ = "credential_keys"
    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder_id: Mapped[str] = mapped_column(String(128), index=True)
    public_jwk: Mapped[dict[str, str]] = mapped_column(Json)
    brand_ids: Mapped[list[str]] = mapped_column(Json)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    compromised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspended_reason: Mapped[str | None] = mapped_column(String(500))


class CredentialRow(Base):
    __tablename__ = "credentials"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder_id: Mapped[str] = mapped_column(String(128))
    kid: Mapped[str] = mapped_column(String(100), index=True)
    status_index: Mapped[int] = mapped_column(Integer)
    brand_ids: Mapped[list[str]] = mapped_column(Json)
    subject_registration_id: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (
        UniqueConstraint("holder_id", "status_index", name="uq_credentials_status_index"),
    )


class CredentialUseRow(Base):
    """A voucher that presented a credential: what to re-gate when it is revoked."""

    __tablename__ = "credential_uses"
    voucher_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(200))
    kid: Mapped[str] = mapped_column(String(100))
    listing_id: Mapped[str] = mapped_column(String(128))
    seller_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # re-gated for it
    __table_args__ = (
        Index("ix_credential_uses_credential", "credential_id"),
        Index("ix_credential_uses_kid", "kid"),
    )


KEYS, CREDENTIALS = table_of(CredentialKeyRow), table_of(CredentialRow)
USES = table_of(CredentialUseRow)


def _key(r: Any) -> IssuerKey:
    return IssuerKey(
        kid=r.kid,
        holder_id=r.holder_id,
        public_jwk=dict(r.public_jwk),
        brand_ids=tuple(r.brand_ids),
        valid_from=r.valid_from,
        valid_until=r.valid_until,
        created_at=r.created_at,
        state=KeyState(r.state),
        retired_at=r.retired_at,
        compromised_at=r.compromised_at,
        suspended_at=r.suspended_at,
        suspended_reason=r.suspended_reason,
    )


def _key_values(k: IssuerKey) -> dict[str, Any]:
    return {
        "kid": k.kid,
        "holder_id": k.holder_id,
        "public_jwk": dict(k.public_jwk),
        "brand_ids": list(k.brand_ids),
        "valid_from": k.valid_from,
        "valid_until": k.valid_until,
        "created_at": k.created_at,
        "state": k.state.value,
        "retired_at": k.retired_at,
        "compromised_at": k.compromised_at,
        "suspended_at": k.suspended_at,
        "suspended_reason": k.suspended_reason,
    }


def _credential(r: Any) -> IssuedCredential:
    return IssuedCredential(
        id=r.id,
        holder_id=r.holder_id,
        kid=r.kid,
        status_index=r.status_index,
        brand_ids=tuple(r.brand_ids),
        subject_registration_id=r.subject_registration_id,
        valid_from=r.valid_from,
        valid_until=r.valid_until,
        created_at=r.created_at,
        revoked_at=r.revoked_at,
        suspended_at=r.suspended_at,
    )


def _credential_values(c: IssuedCredential) -> dict[str, Any]:
    return {
        "id": c.id,
        "holder_id": c.holder_id,
        "kid": c.kid,
        "status_index": c.status_index,
        "brand_ids": list(c.brand_ids),
        "subject_registration_id": c.subject_registration_id,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "created_at": c.created_at,
        "revoked_at": c.revoked_at,
        "suspended_at": c.suspended_at,
    }


class SqlCredentialRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # keys
    def add_key(self, key: IssuerKey) -> None:
        conn = core(self.s)
        if conn.execute(select(KEYS.c.kid).where(KEYS.c.kid == key.kid)).first() is not None:
            raise Conflict(
                "a key with kid %(kid)r is already registered",
                code="kid_taken",
                params={"kid": key.kid},
            )
        conn.execute(KEYS.insert().values(**_key_values(key)))

    def key(self, kid: str) -> IssuerKey | None:
        row = core(self.s).execute(select(KEYS).where(KEYS.c.kid == kid)).first()
        return _key(row) if row else None

    def list_keys(self, holder_id: str | None = None) -> list[IssuerKey]:
        stmt = select(KEYS).order_by(KEYS.c.created_at, KEYS.c.kid)
        if holder_id is not None:
            stmt = stmt.where(KEYS.c.holder_id == holder_id)
        return [_key(r) for r in core(self.s).execute(stmt)]

    def save_key(self, key: IssuerKey) -> None:
        values = _key_values(key)
        core(self.s).execute(update(KEYS).where(KEYS.c.kid == key.kid).values(**values))

    # credentials
    def add_credential(self, credential: IssuedCredential) -> bool:
        """False if its status index is taken meanwhile (the caller draws another)."""
        conn = core(self.s)
        try:
            with conn.begin_nested():
                conn.execute(CREDENTIALS.insert().values(**_credential_values(credential)))
        except IntegrityError:
            return False
        return True

    def credential(self, credential_id: str) -> IssuedCredential | None:
        stmt = select(CREDENTIALS).where(CREDENTIALS.c.id == credential_id)
        row = core(self.s).execute(stmt).first()
        return _credential(row) if row else None

    def credentials(self, holder_id: str, *, limit: int = 200) -> list[IssuedCredential]:
        stmt = (
            select(CREDENTIALS)
            .where(CREDENTIALS.c.holder_id == holder_id)
            .order_by(CREDENTIALS.c.created_at.desc(), CREDENTIALS.c.id)
            .limit(limit)
        )
        return [_credential(r) for r in core(self.s).execute(stmt)]

    def save_credential(self, credential: IssuedCredential) -> None:
        values = _credential_values(credential)
        stmt = update(CREDENTIALS).where(CREDENTIALS.c.id == credential.id).values(**values)
        core(self.s).execute(stmt)

    def used_indexes(self, holder_id: str) -> set[int]:
        stmt = select(CREDENTIALS.c.status_index).where(CREDENTIALS.c.holder_id == holder_id)
        return {r.status_index for r in core(self.s).execute(stmt)}

    def set_indexes(self, holder_id: str, purpose: StatusPurpose) -> list[int]:
        """The indexes whose bit is set in the holder's list for `purpose`."""
        mark = CREDENTIALS.c.revoked_at if purpose is StatusPurpose.REVOCATION else None
        mark = mark if mark is not None else CREDENTIALS.c.suspended_at
        stmt = select(CREDENTIALS.c.status_index).where(
            CREDENTIALS.c.holder_id == holder_id, mark.is_not(None)
        )
        return sorted(r.status_index for r in core(self.s).execute(stmt))

    # uses
    def add_use(
        self,
        voucher_id: str,
        credential_id: str,
        kid: str,
        listing_id: str,
        seller_id: str,
        at: datetime,
    ) -> None:
        core(self.s).execute(
            USES.insert().values(
                voucher_id=voucher_id,
                credential_id=credential_id,
                kid=kid,
                listing_id=listing_id,
                seller_id=seller_id,
                created_at=at,
                voided_at=None,
            )
        )

    def uses_of_void(self) -> list[tuple[str, str]]:
        """(voucher id, credential id) of the uses not yet voided whose credential is revoked
        or suspended, or whose key is compromised or suspended."""
        void_credential = select(CREDENTIALS.c.id).where(
            (CREDENTIALS.c.revoked_at.is_not(None)) | (CREDENTIALS.c.suspended_at.is_not(None))
        )
        void_key = select(KEYS.c.kid).where(
            (KEYS.c.state == KeyState.COMPROMISED.value) | (KEYS.c.suspended_at.is_not(None))
        )
        stmt = select(USES.c.voucher_id, USES.c.credential_id).where(
            USES.c.voided_at.is_(None),
            USES.c.credential_id.in_(void_credential) | USES.c.kid.in_(void_key),
        )
        return [(r.voucher_id, r.credential_id) for r in core(self.s).execute(stmt)]

    def mark_voided(self, voucher_ids: Collection[str], at: datetime) -> None:
        if voucher_ids:
            stmt = update(USES).where(USES.c.voucher_id.in_(list(voucher_ids)))
            core(self.s).execute(stmt.values(voided_at=at))

    def uses_by_voucher(self, voucher_ids: Collection[str]) -> dict[str, str]:
        if not voucher_ids:
            return {}
        stmt = select(USES.c.voucher_id, USES.c.credential_id).where(
            USES.c.voucher_id.in_(list(voucher_ids))
        )
        return {r.voucher_id: r.credential_id for r in core(self.s).execute(stmt)}
