"""Which database holds the live read models (a rebuild builds the next one beside it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("database_url", sa.Text, nullable=True),
        sa.Column("switched_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_generation")
