"""Where each committed attachment's bytes are (evidence, 佐证材料).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hazard_attachments",
        sa.Column("attachment_id", sa.String(64), primary_key=True),
        sa.Column("hazard_id", sa.String(64), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("promoted_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_hazard_attachments_hazard", "hazard_attachments", ["hazard_id"])


def downgrade() -> None:
    op.drop_table("hazard_attachments")
