"""List-order indexes for the ledger and the supervision list of a province or a city.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LISTED = sa.text("listing_level IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_hazard_state_listed", table_name="hazard_state")
    op.create_index("ix_hazard_state_found", "hazard_state", ["found_at", "hazard_id"])
    op.create_index(
        "ix_hazard_state_listing_order",
        "hazard_state",
        ["listed_at", "hazard_id"],
        sqlite_where=_LISTED,
        postgresql_where=_LISTED,
    )


def downgrade() -> None:
    op.drop_index("ix_hazard_state_listing_order", table_name="hazard_state")
    op.drop_index("ix_hazard_state_found", table_name="hazard_state")
    op.create_index("ix_hazard_state_listed", "hazard_state", ["listing_level", "listed_at", "hazard_id"])
