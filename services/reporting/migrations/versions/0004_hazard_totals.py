"""The `hazard_totals` roll-up of the daily hazard buckets, filled from `hazard_daily`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000


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


def _fill_from_daily_buckets() -> None:
    """Roll up what is already projected, with the same expansion the projection writes."""
    from hl_reporting.adapters.hazard_totals import total_deltas
    from hl_reporting.adapters.tables import hazard_daily, hazard_totals

    bind = op.get_bind()
    totals: dict[tuple[object, ...], int] = {}
    columns = ("day", "cohort_day", "region_code", "industry", "source", "level", "listing_level", "metric")
    rows = bind.execute(sa.select(*(hazard_daily.c[name] for name in columns), hazard_daily.c.delta))
    for row in rows:
        for total_key, delta in total_deltas({tuple(row[:-1]): row[-1]}).items():
            totals[total_key] = totals.get(total_key, 0) + delta
    names = [column.name for column in hazard_totals.primary_key.columns]
    values = [dict(zip(names, key, strict=True)) | {"delta": delta} for key, delta in totals.items() if delta]
    for start in range(0, len(values), _BATCH):
        bind.execute(sa.insert(hazard_totals), values[start : start + _BATCH])


def downgrade() -> None:
    op.drop_table("hazard_totals")
