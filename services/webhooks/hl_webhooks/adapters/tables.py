"""The webhooks service's own tables, beside the platform's consumer bookkeeping.

`deliveries` holds one row per (subscription, event): the unique pair makes the fan-out idempotent
(a redelivered stream message queues nothing twice) and is the at-least-once unit. A row is
claimed by one replica at a time (`claimed_by` until `claimed_until`); `delivery_attempts` is the
log of every attempt.
"""

from sqlalchemy import JSON, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from hl_platform.db import UTCDateTime
from hl_platform.tables import BigId

metadata = MetaData()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("owner_id", String(120), nullable=False),
    Column("owner", JSON, nullable=False),  # the Caller the gateway vouched for
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("description", String(200), nullable=False),
    Column("status", String(10), nullable=False),
    Column("secret", String(200), nullable=False),  # sealed (secret_box.py)
    Column("previous_secret", String(200), nullable=True),
    Column("previous_secret_expires_at", UTCDateTime, nullable=True),
    Column("secret_rotated_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_subscriptions_owner", "owner_id", "id"),
    Index("ix_subscriptions_status", "status"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("subscription_id", String(64), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("body", Text, nullable=False),  # the CloudEvent JSON, sent byte for byte on every attempt
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("window_started_at", UTCDateTime, nullable=True),  # the first attempt (or the redelivery)
    Column("claimed_by", String(120), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_latency_ms", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("parked_at", UTCDateTime, nullable=True),
    UniqueConstraint("subscription_id", "event_id", name="uq_deliveries_subscription_event"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_subscription", "subscription_id", "id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", String(64), nullable=False),
    Column("number", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("outcome", String(10), nullable=False),
    Column("replica", String(120), nullable=False),
    Index("ix_delivery_attempts_delivery", "delivery_id", "number"),
)
