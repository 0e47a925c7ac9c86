"""The `hazard_totals` roll-up of the daily hazard buckets, filled from `hazard_daily`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

(Replaced by `hazard_rollup` in 0006; the fill is kept here, self-contained, so that the chain of
revisions still runs on a database that was projected before 0004.)
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_DEPTHS = (2, 4, 6, 9)
_KEY = ("depth", "industry", "cohort_year", "region_code", "period", "source", "level", "listing_level", "metric")


def upgrade() -> None:
    key = sa.String(64)
    op.create_table(
        "hazard_totals",
        sa.Column("depth", sa.SmallInteger, primary_key=True),
        sa.Column("industry", key, primary_key=True),
        sa.Column("cohort_year", sa.Integer, primary_key=True),
        sa.Column("region_code", sa.String(12), primary_key=True),
        sa.Column("period", sa.Date, primary_key=True),
        sa.Column("source", key, primary_key=True),
        sa.Column("level", key, primary_key=True),
        sa.Column("listing_level", key, primary_key=True),
        sa.Column("metric", key, primary_key=True),
        sa.Column("delta", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
    )
    _fill_from_daily_buckets()


def _period(day: date) -> date:
    return day.replace(day=1) if day.day <= 24 else date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _fill_from_daily_buckets() -> None:
    """Roll up what is already projected, as the projection of that time wrote it."""
    bind = op.get_bind()
    daily = sa.table(
        "hazard_daily",
        *(sa.column(name) for name in ("day", "cohort_day", "region_code", "industry", "source", "level")),
        *(sa.column(name) for name in ("listing_level", "metric", "delta")),
    )
    totals: dict[tuple[object, ...], int] = {}
    for day, cohort, region, industry, source, level, listing, metric, delta in bind.execute(sa.select(daily)):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        cohort = cohort if isinstance(cohort, date) else date.fromisoformat(str(cohort))
        for depth in _DEPTHS:
            if depth > len(region) and depth > _DEPTHS[0]:
                break
            for ind in (industry, "*"):
                total_key = (depth, ind, cohort.year, region[:depth], _period(day), source, level, listing, metric)
                totals[total_key] = totals.get(total_key, 0) + delta
    table = sa.table("hazard_totals", *(sa.column(name) for name in (*_KEY, "delta")))
    values = [dict(zip(_KEY, key, strict=True)) | {"delta": delta} for key, delta in totals.items() if delta]
    for start in range(0, len(values), _BATCH):
        bind.execute(sa.insert(table), values[start : start + _BATCH])


def downgrade() -> None:
    op.drop_table("hazard_totals")
