"""The hazard service's own tables, beside the platform's event store and outbox.

`hazard_summaries` is written in the same transaction as the events it summarises, so lists and
the overdue watch read a consistent view without replaying. `enterprise_replica` is fed by the
enterprise stream: what this service knows of enterprises without calling their service.
`idempotency_keys` holds each keyed write's result, written in the transaction of its events.
"""

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, MetaData, String, Table

from hl_platform.db import UTCDateTime
from hl_platform.idempotency_store import idempotency_table

metadata = MetaData()

hazard_summaries = Table(
    "hazard_summaries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("enterprise_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("industry", String(40), nullable=False),
    Column("source", String(30), nullable=False),
    Column("level", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("title", String(200), nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("listed_level", String(10), nullable=True),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("overdue_deadline", Date, nullable=True),
    Column("snapshot", JSON, nullable=False),  # what GET /hazards returns, so a list needs no replay
    # What the reminder watch needs to find hazards owed a reminder (domain/reminders.py).
    Column("approach_reminded_for", Date, nullable=True),
    Column("overdue_notices", Integer, nullable=False, default=0),
    Column("rectified_at", UTCDateTime, nullable=True),  # the pending rectification's completed_at
    Column("acceptance_reminded_for", UTCDateTime, nullable=True),
    Index("ix_hazard_summaries_region", "region_code", "id"),
    Index("ix_hazard_summaries_enterprise", "enterprise_id", "id"),
    Index("ix_hazard_summaries_due", "status", "deadline"),
    Index("ix_hazard_summaries_rectified", "status", "rectified_at"),
)

enterprise_replica = Table(
    "enterprise_replica",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("industry", String(40), nullable=False),
    Column("status", String(10), nullable=False),
    Column("blacklisted", Boolean, nullable=False, default=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

idempotency_keys = idempotency_table(metadata)
# Each backfilled item's key (the client's id of the hazard): a re-sent item is answered with the
# hazard it created, for good (unlike an Idempotency-Key, it never expires).
backfill_items = Table(
    "backfill_items",
    metadata,
    Column("client_id", String(200), primary_key=True),
    Column("item_key", String(255), primary_key=True),
    Column("hazard_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
# Where each committed attachment's bytes are, written with its `hazard.attachment_added` event:
# the sweep tells a committed upload (promote it) from an orphan (remove it) by this table.
hazard_attachments = Table(
    "hazard_attachments",
    metadata,
    Column("attachment_id", String(64), primary_key=True),
    Column("hazard_id", String(64), nullable=False),
    Column("object_key", String(200), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("promoted_at", UTCDateTime, nullable=True),  # null until the bytes are under object_key
    Index("ix_hazard_attachments_hazard", "hazard_id"),
)
