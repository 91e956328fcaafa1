"""Statements keep their texts as data (issue 21): each text's message id (its English)
and values, so that a statement is rendered in its reader's locale. The English columns
stay: they are what was sent (the DSA record) and what older statements have.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.add_column(
            sa.Column(
                "terms",
                sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("terms")
