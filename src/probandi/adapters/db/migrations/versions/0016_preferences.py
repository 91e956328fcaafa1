"""Each principal's own settings: the locale a seller, a rights holder or a member of staff
reads the console, statements and errors in (issue 21). No row: the request's
Accept-Language, then the deployment's default.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preferences",
        sa.Column("actor_id", sa.String(64), primary_key=True),
        sa.Column("locale", sa.String(16), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("preferences")
