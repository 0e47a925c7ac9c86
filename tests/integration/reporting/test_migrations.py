"""The migration creates exactly the tables, columns and indexes that `adapters/tables.py` declares."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, select

from hl_platform.migrate import upgrade
from hl_reporting.adapters.rollup_writes import rollup_rows
from hl_reporting.adapters.tables import hazard_daily, hazard_rollup, metadata
from hl_reporting.domain.measures import MEASURES
from tests.integration.reporting.conftest import NewDatabase


def _ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Only the reporting tables (the platform's are checked by the platform)."""
    table = item if kind == "table" else getattr(item, "table", None)
    return table is None or table.name in metadata.tables


def _differences(url: str) -> list[object]:
    engine = create_engine(url.replace("sqlite+aiosqlite", "sqlite"))
    try:
        with engine.connect() as conn:
            options = {"compare_type": True, "include_object": _ours}
            return list(compare_metadata(MigrationContext.configure(conn, opts=options), metadata))
    finally:
        engine.dispose()


async def test_migration_matches_the_table_definitions(new_database: NewDatabase) -> None:
    url = await asyncio.to_thread(new_database)
    assert await asyncio.to_thread(_differences, url) == []


def test_the_roll_up_migrations_carry_the_daily_buckets_over(tmp_path: Path) -> None:
    """A database projected before the roll-ups existed answers from `hazard_rollup` at once (0004
    fills `hazard_totals`, 0006 replaces it with `hazard_rollup`, filled from the daily buckets)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'reporting.db'}"
    upgrade("reporting", url, "0003")
    town, county = ("371002100", "construction", "self_inspection"), ("371003", "mining", "department_inspection")
    daily = {
        (date(2024, 5, 3), date(2024, 5, 3), *town, "major", "", "found"): 1,
        (date(2024, 5, 9), date(2024, 5, 3), *town, "major", "", "rectified"): 1,
        (date(2024, 3, 1), date(2023, 12, 30), *county, "general", "", "found"): 1,
    }
    names = ("day", "cohort_day", "region_code", "industry", "source", "level", "listing_level", "metric")
    engine = create_engine(url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(hazard_daily), [dict(zip(names, key, strict=True)) | {"delta": d} for key, d in daily.items()]
            )
        upgrade("reporting", url)
        with engine.connect() as conn:
            rolled = conn.execute(select(hazard_rollup)).mappings().all()
            tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
    finally:
        engine.dispose()
    key = ("depth", "industry", "cohort_grain", "day_grain", "region_code", "cohort", "day")
    found = {tuple(row[name] for name in key): {m: row[m] for m in MEASURES if row[m]} for row in rolled}
    assert found == {k: {m: v for m, v in measures.items() if v} for k, measures in rollup_rows(daily).items()}
    # town records at 4 levels, a county record at 3; 2 industries; 4 grains (the town's two days share some)
    assert len(rolled) == (4 + 4 + 3) * 2 * 4 - 4 * 2 * 3
    assert "hazard_totals" not in tables
