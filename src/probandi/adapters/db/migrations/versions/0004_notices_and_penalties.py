"""Notices, counter-notices, the notifier's standing, the penalty ledger and appeals.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("rights_holders", schema=None) as b:
        b.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="brand"))
        b.add_column(sa.Column("registrations", JSON, nullable=True))
        b.add_column(sa.Column("agent_authorization", JSON, nullable=True))
        b.add_column(_when("verified_at"))
        b.add_column(sa.Column("verified_by", sa.String(64), nullable=True))
        b.add_column(_when("trusted_since"))
        b.add_column(
            sa.Column("trusted_enrolled", sa.Boolean(), nullable=False, server_default="0")
        )
        b.add_column(_when("trust_cooloff_until"))
        b.add_column(_when("warned_at"))
        b.add_column(_when("filing_suspended_until"))
        b.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("sellers", schema=None) as b:
        b.add_column(_when("closed_at"))
        b.add_column(_when("gated_restricted_until"))
    with op.batch_alter_table("listings", schema=None) as b:
        b.add_column(sa.Column("notice_holds", JSON, nullable=True))
    with op.batch_alter_table("review_tasks", schema=None) as b:
        b.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="proof"))
        b.add_column(sa.Column("subject_id", sa.String(32), nullable=True))
        b.add_column(sa.Column("excluded_reviewer", sa.String(64), nullable=True))
        b.create_index("ix_review_tasks_subject_id", ["subject_id"])
    op.create_table(
        "notice_evidence",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("holder_id", sa.String(128), sa.ForeignKey("rights_holders.id"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        _when("created_at", nullable=False),
    )
    op.create_index("ix_notice_evidence_holder_id", "notice_evidence", ["holder_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("holder_id", sa.String(128), sa.ForeignKey("rights_holders.id"), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence_ids", JSON, nullable=False),
        sa.Column("good_faith", sa.Boolean(), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_notices_holder_created", "notices", ["holder_id", "created_at"])
    op.create_table(
        "notice_items",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notice_id", sa.String(32), sa.ForeignKey("notices.id"), nullable=False),
        sa.Column("holder_id", sa.String(128), nullable=False),
        sa.Column("listing_id", sa.String(128), sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("seller_id", sa.String(128), sa.ForeignKey("sellers.id"), nullable=False),
        sa.Column("brand_id", sa.String(80), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _when("created_at", nullable=False),
        _when("seller_due_at", nullable=False),
        sa.Column("counter", JSON, nullable=True),
        _when("forwarded_at"),
        _when("holder_due_at"),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("action", JSON, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        _when("closed_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("notice_id", "listing_id", name="uq_notice_items_listing"),
    )
    op.create_index("ix_notice_items_listing_id", "notice_items", ["listing_id"])
    op.create_index("ix_notice_items_seller_id", "notice_items", ["seller_id"])
    op.create_index("ix_notice_items_holder", "notice_items", ["holder_id", "created_at"])
    op.create_index("ix_notice_items_seller_due", "notice_items", ["state", "seller_due_at"])
    op.create_index("ix_notice_items_holder_due", "notice_items", ["state", "holder_due_at"])
    op.create_table(
        "notice_refusals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notice_id", sa.String(32), sa.ForeignKey("notices.id"), nullable=False),
        sa.Column("listing_id", sa.String(128), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
    )
    op.create_index("ix_notice_refusals_notice_id", "notice_refusals", ["notice_id"])
    op.create_table(
        "penalty_entries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("seller_id", sa.String(128), sa.ForeignKey("sellers.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _when("at", nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("decision", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("listing_id", sa.String(128), nullable=True),
        sa.Column("notice_item_id", sa.String(32), nullable=True),
        sa.Column("statement_id", sa.String(32), nullable=True),
        sa.Column("reverses", sa.String(32), nullable=True, unique=True),
    )
    op.create_index("ix_penalty_entries_seller", "penalty_entries", ["seller_id", "at"])
    op.create_index("ix_penalty_entries_item", "penalty_entries", ["notice_item_id"])
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("appellant", sa.String(200), nullable=False),
        sa.Column("listing_id", sa.String(128), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        _when("created_at", nullable=False),
        _when("decision_at", nullable=False),
        sa.Column("original_decider", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("task_id", sa.String(32), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        _when("decided_at"),
        sa.Column("reason_code", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_appeals_subject", "appeals", ["subject", "subject_id"])
    op.create_index("ix_appeals_appellant", "appeals", ["appellant"])


def downgrade() -> None:
    for table in (
        "appeals",
        "penalty_entries",
        "notice_refusals",
        "notice_items",
        "notices",
        "notice_evidence",
    ):
        op.drop_table(table)
    with op.batch_alter_table("review_tasks", schema=None) as b:
        b.drop_index("ix_review_tasks_subject_id")
        b.drop_column("excluded_reviewer")
        b.drop_column("subject_id")
        b.drop_column("kind")
    with op.batch_alter_table("listings", schema=None) as b:
        b.drop_column("notice_holds")
    with op.batch_alter_table("sellers", schema=None) as b:
        b.drop_column("gated_restricted_until")
        b.drop_column("closed_at")
    with op.batch_alter_table("rights_holders", schema=None) as b:
        for col in (
            "version",
            "filing_suspended_until",
            "warned_at",
            "trust_cooloff_until",
            "trusted_enrolled",
            "trusted_since",
            "verified_by",
            "verified_at",
            "agent_authorization",
            "registrations",
            "kind",
        ):
            b.drop_column(col)
