"""Reports at any window and as known at any moment: `hazard_rollup` (wide rows at four grains)
replaces `hazard_totals`; `hazard_late_rollup`, `hazard_changes` and `enforcement_changes` keep when
each step was recorded; marks keep when they were first recorded; hazards their first listing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The live figures of what is already projected are carried over (`hazard_rollup` is filled from
`hazard_daily`). When its facts were recorded is not known for it: it counts as known all along
until `./hl rebuild-projections` replays the streams into tables that know.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from hl_platform.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_SOURCES = ("self_inspection", "department_inspection", "public_report", "other")
_LEVELS = ("general", "major")
_LISTINGS = ("county", "city", "province")
MEASURES = (
    *(f"{m}_{s}_{lv}" for m in ("found", "rectified", "overdue") for s in _SOURCES for lv in _LEVELS),
    *(f"{m}_{ls}_{lv}" for m in ("listed", "listed_rectified") for ls in _LISTINGS for lv in _LEVELS),
    *(f"funds_fen_{lv}" for lv in _LEVELS),
)
_ROLLUP_KEY = ("depth", "industry", "cohort_grain", "day_grain", "region_code", "cohort", "day")


def _key() -> sa.String:
    return sa.String(64)


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in MEASURES]


def upgrade() -> None:
    op.create_table(
        "hazard_rollup",
        sa.Column("depth", sa.SmallInteger, primary_key=True),
        sa.Column("industry", _key(), primary_key=True),
        sa.Column("cohort_grain", sa.String(1), primary_key=True),
        sa.Column("day_grain", sa.String(1), primary_key=True),
        sa.Column("region_code", sa.String(12), primary_key=True),
        sa.Column("cohort", sa.Date, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *_measures(),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hazard_late_rollup",
        sa.Column("depth", sa.SmallInteger, primary_key=True),
        sa.Column("industry", _key(), primary_key=True),
        sa.Column("known_grain", sa.String(1), primary_key=True),
        sa.Column("day_grain", sa.String(1), primary_key=True),
        sa.Column("cohort_year", sa.Integer, primary_key=True),
        sa.Column("region_code", sa.String(12), primary_key=True),
        sa.Column("known", sa.Date, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *_measures(),
        sqlite_with_rowid=False,
    )
    _create_change_logs()
    op.add_column("enterprise_marks", sa.Column("recorded_at", UTCDateTime, nullable=True))
    op.add_column("hazard_state", sa.Column("first_listed_at", UTCDateTime, nullable=True))
    op.execute("UPDATE hazard_state SET first_listed_at = listed_at")
    listed = sa.text("listing_level IS NOT NULL")
    op.create_index(
        "ix_hazard_state_first_listing_order",
        "hazard_state",
        ["first_listed_at", "hazard_id"],
        sqlite_where=listed,
        postgresql_where=listed,
    )
    _fill_rollup_from_daily_buckets()
    op.drop_table("hazard_totals")


def _create_change_logs() -> None:
    op.create_table(
        "hazard_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("hazard_id", _key(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", _key(), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", _key(), nullable=False),
        sa.Column("cohort_day", sa.Date, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        *_measures(),
    )
    op.create_index("ix_hazard_changes_recorded", "hazard_changes", ["recorded_at"])
    late = sa.text("late")
    op.create_index(
        "ix_hazard_changes_late", "hazard_changes", ["recorded_at"], sqlite_where=late, postgresql_where=late
    )
    op.create_table(
        "enforcement_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("enterprise_id", _key(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", _key(), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("industry", _key(), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("metric", _key(), nullable=False),
        sa.Column("delta", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_enforcement_changes_recorded", "enforcement_changes", ["recorded_at"])


def _fill_rollup_from_daily_buckets() -> None:
    """Roll up what is already projected, with the expansion the projection writes."""
    from hl_reporting.adapters.rollup_writes import as_values, rollup_rows

    bind = op.get_bind()
    names = ("day", "cohort_day", "region_code", "industry", "source", "level", "listing_level", "metric")
    daily = sa.table("hazard_daily", *(sa.column(name) for name in (*names, "delta")))
    steps: dict[tuple[object, ...], int] = {}
    for row in bind.execute(sa.select(daily)):
        day, cohort = (value if isinstance(value, date) else date.fromisoformat(str(value)) for value in row[:2])
        key = (day, cohort, *row[2:-1])
        steps[key] = steps.get(key, 0) + int(row[-1])
    table = sa.table("hazard_rollup", *(sa.column(name) for name in (*_ROLLUP_KEY, *MEASURES)))
    values = as_values(_ROLLUP_KEY, rollup_rows(steps))  # type: ignore[arg-type]
    for start in range(0, len(values), _BATCH):
        bind.execute(sa.insert(table), values[start : start + _BATCH])


def downgrade() -> None:
    op.drop_index("ix_hazard_state_first_listing_order", table_name="hazard_state")
    op.drop_column("hazard_state", "first_listed_at")
    op.drop_column("enterprise_marks", "recorded_at")
    for table in ("enforcement_changes", "hazard_changes", "hazard_late_rollup", "hazard_rollup"):
        op.drop_table(table)
    # hazard_totals is not rebuilt: run 0004's fill again by downgrading to 0003 first
