"""Idempotency keys, stored with the writes they stand for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from hl_platform import schema_idempotency_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema_idempotency_v1.upgrade()


def downgrade() -> None:
    schema_idempotency_v1.downgrade()
