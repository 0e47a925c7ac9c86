"""Tip summaries, credentials, sealed identities and their keys, the enterprise replica, idempotency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip_summaries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("tracking_number", sa.String(40), nullable=False, unique=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reward_status", sa.String(12), nullable=True),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("facts_key", sa.String(300), nullable=True),
        sa.Column("facts", sa.Text, nullable=False, server_default=""),
        sa.Column("filed_at", UTCDateTime, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("overdue_deadline", sa.Date, nullable=True),
        sa.Column("view", sa.JSON, nullable=False),
    )
    op.create_index("ix_tip_summaries_region", "tip_summaries", ["region_code", "id"])
    op.create_index("ix_tip_summaries_due", "tip_summaries", ["status", "deadline"])
    op.create_index("ix_tip_summaries_facts", "tip_summaries", ["facts_key", "filed_at"])
    op.create_table(
        "tip_credentials",
        sa.Column("tip_id", sa.String(64), primary_key=True),
        sa.Column("tracking_number", sa.String(40), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "tip_keys",
        sa.Column("tip_id", sa.String(64), primary_key=True),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("key_nonce", sa.LargeBinary, nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("destroyed_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "sealed_identities",
        sa.Column("tip_id", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "enterprise_replica",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_enterprise_replica_uscc", "enterprise_replica", ["uscc"])
    op.create_index("ix_enterprise_replica_name_key", "enterprise_replica", ["name_key"])
    op.create_table(
        "idempotency_records",
        sa.Column("client_id", sa.String(200), primary_key=True),
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("tip_id", sa.String(64), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "idempotency_records",
        "enterprise_replica",
        "sealed_identities",
        "tip_keys",
        "tip_credentials",
        "tip_summaries",
    ):
        op.drop_table(table)
