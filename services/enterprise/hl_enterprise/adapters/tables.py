"""The enterprise service's own tables, beside the platform's event store and outbox.

`enterprise_directory` is written in the same transaction as the events: it enforces that a uscc
is registered once (a unique index, so two racing registrations cannot both win) and serves lists
and search without replaying. `idempotency_keys` holds each keyed write's result, written in the
transaction of its events.
"""

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table

from hl_platform.idempotency_store import idempotency_table

metadata = MetaData()

enterprise_directory = Table(
    "enterprise_directory",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("uscc", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("industry", String(40), nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("blacklisted", Boolean, nullable=False, default=False),
    Column("snapshot", JSON, nullable=False),
    Index("ix_enterprise_directory_region", "region_code", "id"),
    Index("ix_enterprise_directory_name", "name"),
)

idempotency_keys = idempotency_table(metadata)
