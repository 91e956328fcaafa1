"""Webhooks and the event feed: catalog events relayed from the outbox, endpoints with
their signing secrets, deliveries ordered per subject, and every attempt (ADR 0012).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from probandi.adapters.db.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", json, nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("failing_since", UtcDateTime(), nullable=True),
        sa.Column("flagged_at", UtcDateTime(), nullable=True),
        sa.Column("disabled_reason", sa.String(300), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", sa.String(32), nullable=False, index=True),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "events",
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("relayed_at", UtcDateTime(), nullable=False, index=True),
        sa.Column("data", json, nullable=False),
        sa.Column("endpoint_id", sa.String(32), nullable=True),  # a test event's only endpoint
    )
    op.create_table(
        "event_subjects",
        sa.Column("subject", sa.String(120), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "event_relay",  # one row: the relay's lock, so positions follow commit order
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("relayed", sa.Integer(), nullable=False),
    )
    op.execute("INSERT INTO event_relay (id, relayed) VALUES (1, 0)")
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False, index=True),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        # The oldest open delivery of its subject to its endpoint: the only one claimable.
        sa.Column("head", sa.Boolean(), nullable=False),
    )
    # A subject's deliveries in order (the next head); the heads that are due, per endpoint.
    op.create_index(
        "ix_webhook_deliveries_subject", "webhook_deliveries", ["endpoint_id", "subject", "id"]
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["endpoint_id", "head", "state", "next_attempt_at"],
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("excerpt", sa.String(600), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
    )
    op.create_index("ix_webhook_attempts_endpoint", "webhook_attempts", ["endpoint_id", "id"])
    op.create_index("ix_webhook_attempts_at", "webhook_attempts", ["at"])
    op.create_index(
        "ix_outbox_unrelayed",
        "outbox",
        ["id"],
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unrelayed", "outbox")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("event_relay")
    op.drop_table("event_subjects")
    op.drop_table("events")
    op.drop_table("webhook_secrets")
    op.drop_table("webhook_endpoints")
