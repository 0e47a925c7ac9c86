"""Each hazard's evidence count (佐证材料), for the ledger and the supervision list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No attachment event existed before this revision: 0 is every projected hazard's true count.
    op.add_column("hazard_state", sa.Column("evidence_count", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("hazard_state", "evidence_count")
