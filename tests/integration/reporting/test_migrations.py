"""The migration creates exactly the tables, columns and indexes that `adapters/tables.py` declares."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from hl_reporting.adapters.tables import metadata
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
