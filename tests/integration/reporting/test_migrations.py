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
from hl_reporting.adapters.hazard_totals import total_deltas
from hl_reporting.adapters.tables import hazard_daily, hazard_totals, metadata
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


def test_the_roll_up_migration_fills_hazard_totals_from_the_daily_buckets(tmp_path: Path) -> None:
    """A database projected before `hazard_totals` existed answers from the roll-up at once."""
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
            totals = conn.execute(select(hazard_totals)).all()
    finally:
        engine.dispose()
    assert {tuple(row[:-1]): row[-1] for row in totals} == total_deltas(daily)
    assert len(totals) == 8 + 8 + 6  # two town records at 4 levels, a county record at 3; 2 industries each
