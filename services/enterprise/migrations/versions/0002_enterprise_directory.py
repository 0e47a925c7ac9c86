"""The enterprise directory (unique uscc, lists and search).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_directory",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("blacklisted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_index("ix_enterprise_directory_region", "enterprise_directory", ["region_code", "id"])
    op.create_index("ix_enterprise_directory_name", "enterprise_directory", ["name"])


def downgrade() -> None:
    op.drop_table("enterprise_directory")
