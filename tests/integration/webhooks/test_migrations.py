"""Migrations: the webhooks service's match its tables exactly; the hazard service's reminder step
keeps an existing overdue hazard's count of notices right (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, select

from hl_hazard.adapters.tables import hazard_summaries
from hl_hazard.adapters.tables import metadata as hazard_metadata
from hl_platform.migrate import upgrade
from hl_webhooks.adapters.tables import metadata as webhooks_metadata


def _sync(url: str) -> str:
    return url.replace("sqlite+aiosqlite", "sqlite")


def _differences(url: str, metadata: MetaData) -> list[object]:
    def ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        table = item if kind == "table" else getattr(item, "table", None)
        return table is None or table.name in metadata.tables

    engine = create_engine(_sync(url))
    try:
        with engine.connect() as conn:
            options = {"compare_type": True, "include_object": ours}
            return list(compare_metadata(MigrationContext.configure(conn, opts=options), metadata))
    finally:
        engine.dispose()


async def test_the_webhooks_migrations_create_exactly_its_tables(database_url: str) -> None:
    await asyncio.to_thread(upgrade, "webhooks", database_url)
    assert await asyncio.to_thread(_differences, database_url, webhooks_metadata) == []


async def test_the_reminder_step_counts_an_old_overdue_as_the_first_notice(database_url: str) -> None:
    await asyncio.to_thread(upgrade, "hazard", database_url, "0002")
    engine = create_engine(_sync(database_url))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO hazard_summaries (id, version, enterprise_id, region_code, industry, source, level,"
            " status, title, found_at, deadline, overdue, overdue_deadline, snapshot) VALUES"
            " ('hz-old', 3, 'ent-1', '371002', 'other', 'self_inspection', 'general', 'rectifying', '旧隐患',"
            " '2026-01-01 00:00:00', '2026-02-01', true, '2026-02-01', '{}')"
        )
    await asyncio.to_thread(upgrade, "hazard", database_url)
    with engine.connect() as conn:
        notices = conn.execute(select(hazard_summaries.c.overdue_notices)).scalar_one()
    engine.dispose()
    assert notices == 1
    assert await asyncio.to_thread(_differences, database_url, hazard_metadata) == []
