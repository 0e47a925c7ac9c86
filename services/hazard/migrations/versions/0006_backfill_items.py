"""Backfilled items' keys: the client's id of each backfilled hazard, kept for good.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill_items",
        sa.Column("client_id", sa.String(200), primary_key=True),
        sa.Column("item_key", sa.String(255), primary_key=True),
        sa.Column("hazard_id", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("backfill_items")
