"""The tables every service keeps beside its own: its event store, its outbox, leases, and the
bookkeeping of its consumers. Each service's Alembic migrations create them in its own database."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hl_platform.db import UTCDateTime

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for a log.
BigId = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("aggregate_type", String(40), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("envelope", Text, nullable=False),  # the CloudEvent exactly as published
    UniqueConstraint("aggregate_id", "version", name="uq_events_aggregate_version"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("subject", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_unpublished", "published_at", "id"),
)

# A lease names the one replica that may do a singular job (the outbox relay, the overdue watch).
leases = Table(
    "leases",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("holder", String(120), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# The aggregate version each consumer has applied: duplicates are skipped, gaps are held back.
consumer_progress = Table(
    "consumer_progress",
    metadata,
    Column("consumer", String(80), primary_key=True),
    Column("aggregate_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Events that arrived ahead of their predecessor (version n+2 before n+1), applied once the gap fills.
pending_events = Table(
    "pending_events",
    metadata,
    Column("consumer", String(80), primary_key=True),
    Column("aggregate_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("envelope", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

# Poison events: failed every delivery; parked here, reported, and skipped.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("consumer", String(80), nullable=False),
    Column("event_id", String(36), nullable=True),
    Column("subject", String(255), nullable=False),
    Column("stream_sequence", BigInteger, nullable=True),
    Column("deliveries", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("parked_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
)
