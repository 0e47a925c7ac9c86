"""Writing one event's steps everywhere a report reads them: the roll-ups and the change log.

The projection hands over, per event, the difference it made to its hazard's steps (narrow keys,
see `domain.hazard_timeline`) with the moment it became known. Here they become wide rows (one
column per measure): added to `hazard_rollup` at every region level, industry and grain; to
`hazard_late_rollup` when they land on a day before the one they became known on; and one row of
`hazard_changes` per (event, cohort, day). Everything is an additive delta, so batches, replays in
another order and rebuilds give the same tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.sql import placeholder
from hl_reporting.adapters.tables import hazard_changes, hazard_late_rollup, hazard_rollup
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.hazard_timeline import BucketKey
from hl_reporting.domain.measures import MEASURES, Measures, add, measure_of
from hl_reporting.domain.rollup import late_keys, rollup_keys

Place = tuple[date, date, str, str]  # (cohort, day, region, industry)
ROLLUP_KEY = ("depth", "industry", "cohort_grain", "day_grain", "region_code", "cohort", "day")
LATE_KEY = ("depth", "industry", "known_grain", "day_grain", "cohort_year", "region_code", "known", "day")


def wide(steps: Mapping[BucketKey, int]) -> dict[Place, Measures]:
    """Narrow steps as measures per (cohort, day, region, industry)."""
    rows: defaultdict[Place, Measures] = defaultdict(dict)
    for (day, cohort, region, industry, source, level, listing, metric), delta in steps.items():
        if delta:
            add(rows[(cohort, day, region, industry)], {measure_of(metric, source, level, listing): delta})
    return {place: measures for place, measures in rows.items() if measures}


@dataclass(frozen=True)
class Change:
    """One event's difference to its hazard's steps, and who, what and when."""

    hazard_id: str
    version: int
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    steps: Mapping[BucketKey, int]


@dataclass
class Batch:
    """The rows a batch of changes adds, summed in memory before one write per table."""

    rollup: defaultdict[tuple[Any, ...], Measures] = field(default_factory=lambda: defaultdict(dict))
    late: defaultdict[tuple[Any, ...], Measures] = field(default_factory=lambda: defaultdict(dict))
    changes: list[dict[str, Any]] = field(default_factory=list)

    def add(self, change: Change) -> None:
        known_day = business_day(change.recorded_at)
        for (cohort, day, region, industry), measures in wide(change.steps).items():
            for key in rollup_keys(cohort, day, region, industry):
                add(self.rollup[key], measures)
            if day < known_day:
                for late_key in late_keys(cohort, day, known_day, region, industry):
                    add(self.late[late_key], measures)
            self.changes.append(_change_row(change, cohort, day, region, industry, measures, day < known_day))

    async def write(self, conn: AsyncConnection) -> None:
        await add_wide(conn, hazard_rollup, ROLLUP_KEY, self.rollup)
        await add_wide(conn, hazard_late_rollup, LATE_KEY, self.late)
        if self.changes:
            await conn.execute(insert(hazard_changes), self.changes)


def _change_row(
    change: Change, cohort: date, day: date, region: str, industry: str, measures: Measures, late: bool
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(MEASURES, 0)
    row.update(measures)
    row.update(
        hazard_id=change.hazard_id,
        version=change.version,
        event_type=change.event_type,
        occurred_at=change.occurred_at,
        recorded_at=change.recorded_at,
        region_code=region,
        industry=industry,
        cohort_day=cohort,
        day=day,
        late=late,
    )
    return row


async def add_wide(
    conn: AsyncConnection, table: Table, key: Sequence[str], rows: Mapping[tuple[Any, ...], Measures]
) -> None:
    """Add each row's measures to its key's row (created if new), in one executemany.

    Like `upserts.add_deltas`, the statement skips SQLAlchemy's per-row processing: it is the
    projector's hottest, a batch adds thousands of roll-up rows.
    """
    # Key order keeps concurrent PostgreSQL writers from deadlocking; SQLite has one writer at a
    # time, and sorting a large batch's keys was a sixth of its time.
    items = sorted(rows.items()) if conn.dialect.name == "postgresql" else rows.items()
    values = [(*k, *_dense(m)) for k, m in items if any(m.values())]
    if values:
        await conn.exec_driver_sql(_adding_sql(conn, table, tuple(key)), values)


_COLUMN = {name: index for index, name in enumerate(MEASURES)}
_ZEROS = [0] * len(MEASURES)


def _dense(measures: Measures) -> list[int]:
    """Every measure's value in column order. A row has a few of the dozens of measures: setting
    those into zeros, not looking up every column, was a third of a rebuild's time."""
    values = _ZEROS.copy()
    for name, value in measures.items():
        values[_COLUMN[name]] = value
    return values


_SQL: dict[tuple[str, str], str] = {}


def _adding_sql(conn: AsyncConnection, table: Table, key: tuple[str, ...]) -> str:
    cached = (conn.dialect.name, table.name)
    if cached not in _SQL:
        columns = (*key, *MEASURES)
        markers = ", ".join([placeholder(conn.dialect)] * len(columns))
        sums = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in MEASURES)
        _SQL[cached] = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({markers})"
            f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sums}"
        )
    return _SQL[cached]


def rollup_rows(steps: Mapping[BucketKey, int]) -> dict[tuple[Any, ...], Measures]:
    """The roll-up rows a set of steps adds to (for filling a table without the projection)."""
    rows: defaultdict[tuple[Any, ...], Measures] = defaultdict(dict)
    for (cohort, day, region, industry), measures in wide(steps).items():
        for key in rollup_keys(cohort, day, region, industry):
            add(rows[key], measures)
    return {key: measures for key, measures in rows.items() if any(measures.values())}


def as_values(key_columns: Iterable[str], rows: Mapping[tuple[Any, ...], Measures]) -> list[dict[str, Any]]:
    """Rows as column dicts (for bulk inserts into an empty table)."""
    names = tuple(key_columns)
    return [dict(zip(names, k, strict=True)) | {n: m.get(n, 0) for n in MEASURES} for k, m in rows.items()]
