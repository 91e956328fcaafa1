"""Brand-signed credentials: issuer keys, the credentials issued (with their status list
index) and the vouchers that presented them (ADR 0014).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
    op.create_table(
        "credential_keys",
        sa.Column("kid", sa.String(100), primary_key=True),
        sa.Column("holder_id", sa.String(128), nullable=False, index=True),
        sa.Column("public_jwk", json, nullable=False),
        sa.Column("brand_ids", json, nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("retired_at", UtcDateTime(), nullable=True),
        sa.Column("compromised_at", UtcDateTime(), nullable=True),
        sa.Column("suspended_at", UtcDateTime(), nullable=True),
        sa.Column("suspended_reason", sa.String(500), nullable=True),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("holder_id", sa.String(128), nullable=False),
        sa.Column("kid", sa.String(100), nullable=False, index=True),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("brand_ids", json, nullable=False),
        sa.Column("subject_registration_id", sa.String(100), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("suspended_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("holder_id", "status_index", name="uq_credentials_status_index"),
    )
    op.create_table(
        "credential_uses",
        sa.Column("voucher_id", sa.String(32), primary_key=True),
        sa.Column("credential_id", sa.String(200), nullable=False),
        sa.Column("kid", sa.String(100), nullable=False),
        sa.Column("listing_id", sa.String(128), nullable=False),
        sa.Column("seller_id", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("voided_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_credential_uses_credential", "credential_uses", ["credential_id"])
    op.create_index("ix_credential_uses_kid", "credential_uses", ["kid"])


def downgrade() -> None:
    op.drop_table("credential_uses")
    op.drop_table("credentials")
    op.drop_table("credential_keys")
