"""The gateway's own tables (beside the platform's event store and outbox)."""

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, MetaData, String, Table

from hl_platform.db import UTCDateTime

metadata = MetaData()

# API keys: the SHA-256 of the key, never the key; who it stands for; when issued, used, revoked.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("role", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("region_code", String(12), nullable=False, default=""),
    Column("level", String(10), nullable=True),
    Column("department", String(200), nullable=False, default=""),
    Column("enterprise_id", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_api_keys_region", "region_code", "id"),
)

# Idempotency-Key records per client; `status` is null while the first request is in flight.
idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("client_id", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("headers", JSON, nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_idempotency_expires", "expires_at"),
)
