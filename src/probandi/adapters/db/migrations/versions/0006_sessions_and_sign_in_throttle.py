"""Console sessions know their client and are found by principal; sign-in throttling.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("console_sessions") as batch:
        batch.add_column(sa.Column("client", sa.String(64), nullable=True))
    # Revoking a key or disabling a user deletes its sessions by principal.
    op.create_index("ix_console_sessions_principal", "console_sessions", ["principal"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UtcDateTime(), nullable=False),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_sign_in_throttle_locked_until", "sign_in_throttle", ["locked_until"])
    op.create_index("ix_sign_in_throttle_last_failed_at", "sign_in_throttle", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_last_failed_at", "sign_in_throttle")
    op.drop_index("ix_sign_in_throttle_locked_until", "sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_console_sessions_principal", "console_sessions")
    with op.batch_alter_table("console_sessions") as batch:
        batch.drop_column("client")
