"""Brand requests: what a rights holder asks of the registry that an admin decides.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "brand_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("holder_id", sa.String(128), sa.ForeignKey("rights_holders.id"), nullable=False),
        sa.Column("brand_id", sa.String(80), nullable=True),
        sa.Column("proposed", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_brand_requests_holder_id", "brand_requests", ["holder_id"])
    op.create_index("ix_brand_requests_state", "brand_requests", ["state"])


def downgrade() -> None:
    op.drop_index("ix_brand_requests_state", "brand_requests")
    op.drop_index("ix_brand_requests_holder_id", "brand_requests")
    op.drop_table("brand_requests")
