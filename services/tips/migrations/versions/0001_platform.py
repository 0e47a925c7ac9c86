"""Platform tables: event store, outbox, leases, consumer bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from hl_platform import schema_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema_v1.upgrade()


def downgrade() -> None:
    schema_v1.downgrade()
