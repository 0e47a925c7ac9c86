"""The platform tables as first released, frozen for the services' initial migrations.

`tables.py` is the live model; a later change to it gets its own migration step in every service
(never an edit here), so an existing database and a new one always end the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime
from hl_platform.tables import BigId


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("aggregate_type", sa.String(40), nullable=False),
        sa.Column("aggregate_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.UniqueConstraint("aggregate_id", "version", name="uq_events_aggregate_version"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "consumer_progress",
        sa.Column("consumer", sa.String(80), primary_key=True),
        sa.Column("aggregate_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "pending_events",
        sa.Column("consumer", sa.String(80), primary_key=True),
        sa.Column("aggregate_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(80), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("stream_sequence", sa.BigInteger, nullable=True),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("parked_at", UTCDateTime, nullable=False),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    for table in ("dead_letters", "pending_events", "consumer_progress", "leases", "outbox", "events"):
        op.drop_table(table)
