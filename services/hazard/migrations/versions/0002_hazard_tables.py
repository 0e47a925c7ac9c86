"""Hazard summaries and the enterprise replica.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
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
        "hazard_summaries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("enterprise_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("listed_level", sa.String(10), nullable=True),
        sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("overdue_deadline", sa.Date, nullable=True),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_index("ix_hazard_summaries_region", "hazard_summaries", ["region_code", "id"])
    op.create_index("ix_hazard_summaries_enterprise", "hazard_summaries", ["enterprise_id", "id"])
    op.create_index("ix_hazard_summaries_due", "hazard_summaries", ["status", "deadline"])
    op.create_table(
        "enterprise_replica",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("blacklisted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("enterprise_replica")
    op.drop_table("hazard_summaries")
