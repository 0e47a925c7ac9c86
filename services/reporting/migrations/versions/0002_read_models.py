"""Read models: daily buckets, hazard state, enterprise marks and names, report submissions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _code() -> sa.String:
    return sa.String(12)


def _key() -> sa.String:
    return sa.String(64)


def upgrade() -> None:
    op.create_table(
        "hazard_daily",
        sa.Column("region_code", _code(), primary_key=True),
        sa.Column("cohort_day", sa.Date, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("industry", _key(), primary_key=True),
        sa.Column("source", _key(), primary_key=True),
        sa.Column("level", _key(), primary_key=True),
        sa.Column("listing_level", _key(), primary_key=True),
        sa.Column("metric", _key(), primary_key=True),
        sa.Column("delta", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "enforcement_daily",
        sa.Column("region_code", _code(), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("industry", _key(), primary_key=True),
        sa.Column("metric", _key(), primary_key=True),
        sa.Column("delta", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "enterprise_marks",
        sa.Column("enterprise_id", _key(), primary_key=True),
        sa.Column("mark", _key(), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("region_code", _code(), nullable=False),
        sa.Column("industry", _key(), nullable=False),
    )
    op.create_index("ix_enterprise_marks_region_day", "enterprise_marks", ["region_code", "day"])
    op.create_table(
        "enterprise_names",
        sa.Column("enterprise_id", _key(), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", _code(), nullable=False),
        sa.Column("industry", _key(), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_enterprise_names_region", "enterprise_names", ["region_code"])
    _create_hazard_state()
    _create_report_submissions()


def _create_hazard_state() -> None:
    op.create_table(
        "hazard_state",
        sa.Column("hazard_id", _key(), primary_key=True),
        sa.Column("enterprise_id", _key(), nullable=False),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("region_code", _code(), nullable=False),
        sa.Column("industry", _key(), nullable=False),
        sa.Column("source", _key(), nullable=False),
        sa.Column("level", _key(), nullable=False),
        sa.Column("status", _key(), nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("funds_fen", sa.BigInteger, nullable=False),
        sa.Column("rectified_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("listing_level", _key(), nullable=True),
        sa.Column("listing_authority", sa.String(200), nullable=True),
        sa.Column("listed_at", UTCDateTime, nullable=True),
        sa.Column("delisted_at", UTCDateTime, nullable=True),
        sa.Column("overdue_recorded", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("contributions", sa.JSON, nullable=False),
    )
    op.create_index("ix_hazard_state_region_found", "hazard_state", ["region_code", "found_at", "hazard_id"])
    op.create_index("ix_hazard_state_enterprise_found", "hazard_state", ["enterprise_id", "found_at", "hazard_id"])
    op.create_index("ix_hazard_state_listed", "hazard_state", ["listing_level", "listed_at", "hazard_id"])


def _create_report_submissions() -> None:
    op.create_table(
        "report_submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("region_code", _code(), nullable=False),
        sa.Column("industry", _key(), nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("cutoff", sa.Date, nullable=False),
        sa.Column("cutoff_day", sa.Integer, nullable=False),
        sa.Column("region_name", sa.String(200), nullable=False),
        sa.Column("filled_by", sa.String(200), nullable=False),
        sa.Column("reviewed_by", sa.String(200), nullable=False),
        sa.Column("filled_on", sa.Date, nullable=False),
        sa.Column("section4", sa.JSON, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("breakdown", sa.JSON, nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("submitted_by_id", sa.String(200), nullable=False),
        sa.Column("submitted_by_name", sa.String(200), nullable=False),
        sa.Column("submitted_by_role", sa.String(40), nullable=False),
        sa.Column("submitted_by_org", sa.String(200), nullable=False),
        sa.UniqueConstraint("period", "region_code", "industry", name="uq_report_submissions_scope"),
    )


def downgrade() -> None:
    for table in (
        "report_submissions",
        "hazard_state",
        "enterprise_names",
        "enterprise_marks",
        "enforcement_daily",
        "hazard_daily",
    ):
        op.drop_table(table)
