"""Tip rewards paid per region, day and anonymity (section 四 row 5, from the tips stream).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tip_reward_daily",
        sa.Column("region_code", sa.String(12), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("anonymous", sa.Boolean, primary_key=True),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tip_reward_daily")
