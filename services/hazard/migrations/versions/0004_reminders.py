"""What the reminder watch reads: reminders recorded per hazard, and the pending rectification.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazard_summaries") as table:
        table.add_column(sa.Column("approach_reminded_for", sa.Date, nullable=True))
        table.add_column(sa.Column("overdue_notices", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("rectified_at", UTCDateTime, nullable=True))
        table.add_column(sa.Column("acceptance_reminded_for", UTCDateTime, nullable=True))
    # Before reminders, an overdue hazard had had exactly one notice: hazard.overdue itself.
    op.execute("UPDATE hazard_summaries SET overdue_notices = 1 WHERE overdue_deadline IS NOT NULL")
    op.create_index("ix_hazard_summaries_rectified", "hazard_summaries", ["status", "rectified_at"])


def downgrade() -> None:
    op.drop_index("ix_hazard_summaries_rectified", "hazard_summaries")
    with op.batch_alter_table("hazard_summaries") as table:
        for column in ("acceptance_reminded_for", "rectified_at", "overdue_notices", "approach_reminded_for"):
            table.drop_column(column)
