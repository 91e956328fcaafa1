"""64 audit lanes instead of 16: fewer writers wait for the same lane's head.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_LANES, NEW_LANES = 16, 64


def upgrade() -> None:
    # Existing chains stay as they are; new lanes start at the genesis hash.
    heads = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    rows = [{"id": lane, "seq": 0, "hash": "0" * 64} for lane in range(OLD_LANES, NEW_LANES)]
    op.bulk_insert(heads, rows)


def downgrade() -> None:
    op.execute(f"DELETE FROM audit_head WHERE id >= {OLD_LANES}")  # noqa: S608
