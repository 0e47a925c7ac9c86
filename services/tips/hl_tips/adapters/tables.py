"""The tips service's own tables, beside the platform's event store and outbox.

- `tip_summaries`: one row per tip, written in the transaction that appends its events: the lists,
  the overdue watch and duplicate detection read it without replaying.
- `tip_credentials`: each tracking number and the scrypt hash of its secret (never the secret).
- `tip_keys` and `sealed_identities`: crypto-shredding. Each tip with an identity has a data key of
  its own, stored wrapped (encrypted) by the master key; the identity is stored encrypted by that
  data key. Erasure destroys the wrapped key (NULL, with the time); the sealed row stays, unreadable.
  Neither table is ever published: the event store never holds an identity, not even encrypted.
- `enterprise_replica`: what this service knows of enterprises, fed by the enterprise stream.
- `idempotency_records`: Idempotency-Key per client, stored with the events it caused.
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from hl_platform.db import UTCDateTime

metadata = MetaData()

tip_summaries = Table(
    "tip_summaries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("region_code", String(12), nullable=False),
    Column("category", String(30), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reward_status", String(12), nullable=True),
    Column("anonymous", Boolean, nullable=False),
    Column("facts_key", String(300), nullable=True),  # the enterprise (or place) it is about
    Column("facts", Text, nullable=False, default=""),  # the normalised description
    Column("filed_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("overdue", Boolean, nullable=False, default=False),
    Column("overdue_deadline", Date, nullable=True),
    Column("view", JSON, nullable=False),  # what GET /tips returns, so a list needs no replay
    Index("ix_tip_summaries_region", "region_code", "id"),
    Index("ix_tip_summaries_due", "status", "deadline"),
    Index("ix_tip_summaries_facts", "facts_key", "filed_at"),
)

tip_credentials = Table(
    "tip_credentials",
    metadata,
    Column("tip_id", String(64), primary_key=True),
    Column("tracking_number", String(40), nullable=False, unique=True),
    Column("secret_hash", String(200), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

tip_keys = Table(
    "tip_keys",
    metadata,
    Column("tip_id", String(64), primary_key=True),
    Column("master_key_id", String(16), nullable=False),  # which master key wrapped it (rotation)
    Column("key_nonce", LargeBinary, nullable=True),
    Column("wrapped_key", LargeBinary, nullable=True),  # NULL once destroyed
    Column("created_at", UTCDateTime, nullable=False),
    Column("destroyed_at", UTCDateTime, nullable=True),
)

sealed_identities = Table(
    "sealed_identities",
    metadata,
    Column("tip_id", String(64), primary_key=True),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

enterprise_replica = Table(
    "enterprise_replica",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False, index=True),
    Column("region_code", String(12), nullable=False),
    Column("industry", String(40), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("client_id", String(200), primary_key=True),
    Column("key_hash", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("tip_id", String(64), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
