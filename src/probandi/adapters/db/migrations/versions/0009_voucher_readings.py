"""Voucher readings: what the document of each voucher says, read off the request path.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
    op.create_table(
        "voucher_readings",
        sa.Column("voucher_id", sa.String(32), sa.ForeignKey("vouchers.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kind_guess", sa.String(32), nullable=True),
        sa.Column("fields", json, nullable=True),
        sa.Column("pages", json, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("truncated_at", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("document_key", sa.String(400), nullable=True),
    )
    op.create_index("ix_voucher_readings_status", "voucher_readings", ["status"])
    op.create_index("ix_voucher_readings_document_key", "voucher_readings", ["document_key"])


def downgrade() -> None:
    op.drop_index("ix_voucher_readings_document_key", "voucher_readings")
    op.drop_index("ix_voucher_readings_status", "voucher_readings")
    op.drop_table("voucher_readings")
