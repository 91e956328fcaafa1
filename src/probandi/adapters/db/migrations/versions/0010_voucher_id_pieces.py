"""Long ids as read: the 8-character pieces of each voucher's id-like strings (invoice code and
number, check code, cipher area, tax ids, bank account), a second way to find a copy that
survives crops, photos and a replaced QR code (issue 16).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voucher_id_pieces",
        sa.Column("piece", sa.String(16), primary_key=True),
        sa.Column("voucher_id", sa.String(32), sa.ForeignKey("vouchers.id"), primary_key=True),
        sa.Column("seller_id", sa.String(128), nullable=False),
    )
    op.create_index("ix_voucher_id_pieces_voucher_id", "voucher_id_pieces", ["voucher_id"])
    with op.batch_alter_table("voucher_readings") as b:
        b.add_column(sa.Column("id_pieces", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("voucher_readings") as b:
        b.drop_column("id_pieces")
    op.drop_index("ix_voucher_id_pieces_voucher_id", "voucher_id_pieces")
    op.drop_table("voucher_id_pieces")
