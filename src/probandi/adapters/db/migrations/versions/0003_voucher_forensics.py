"""Voucher forensics: page fingerprints, decided near-duplicate matches, document keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_key", sa.String(length=400), nullable=True))
        batch_op.add_column(
            sa.Column("units_claimed", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("qr_payload", sa.Text(), nullable=True))
        batch_op.create_index("ix_vouchers_document_key", ["document_key"], unique=False)
    op.create_table(
        "voucher_fingerprints",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("voucher_id", sa.String(length=32), sa.ForeignKey("vouchers.id"), nullable=False),
        sa.Column("seller_id", sa.String(length=128), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=8), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
    )
    op.create_index("ix_voucher_fingerprints_voucher_id", "voucher_fingerprints", ["voucher_id"])
    op.create_table(
        "voucher_matches",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("voucher_id", sa.String(length=32), sa.ForeignKey("vouchers.id"), nullable=False),
        sa.Column(
            "other_voucher_id", sa.String(length=32), sa.ForeignKey("vouchers.id"), nullable=False
        ),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("other_page", sa.Integer(), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("legitimate", sa.Boolean(), nullable=False),
        sa.Column("differing_share", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_voucher_matches_voucher_id", "voucher_matches", ["voucher_id"])
    op.create_index("ix_voucher_matches_other_voucher_id", "voucher_matches", ["other_voucher_id"])
    op.create_index("ix_voucher_matches_relation", "voucher_matches", ["relation", "legitimate"])


def downgrade() -> None:
    op.drop_table("voucher_matches")
    op.drop_table("voucher_fingerprints")
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index("ix_vouchers_document_key")
        batch_op.drop_column("qr_payload")
        batch_op.drop_column("units_claimed")
        batch_op.drop_column("document_key")
