"""Submissions of statements to the DSA Transparency Database: one row per statement sent or
skipped, with its state, attempts and the database's errors.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
    op.create_table(
        "dsa_submissions",
        sa.Column("puid", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("settled_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("errors", json, nullable=True),
    )
    op.create_index("ix_dsa_submissions_due", "dsa_submissions", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("dsa_submissions")
