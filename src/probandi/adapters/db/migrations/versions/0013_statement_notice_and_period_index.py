"""Statements name the notice they act on (the Transparency Database's source type), and are
read by period for exports and reports.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch_op:
        batch_op.add_column(sa.Column("notice_id", sa.String(32), nullable=True))
    op.create_index("ix_statements_created_at", "statements", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_statements_created_at", table_name="statements")
    with op.batch_alter_table("statements") as batch_op:
        batch_op.drop_column("notice_id")
