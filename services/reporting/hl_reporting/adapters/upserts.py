"""Dialect-aware upserts for the bucket tables (SQLite and PostgreSQL share `ON CONFLICT`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: Table) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported database dialect {dialect!r}: the reporting service runs on SQLite or PostgreSQL")


async def add_deltas(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's `delta` to its bucket (created at the delta if new).

    Rows must have distinct keys; they are written in key order so that concurrent writers lock
    buckets in the same order. One statement executed for many rows (executemany): compiled once,
    and never over a database's limit on bound parameters however large the batch.
    """
    if not rows:
        return
    keys = [column.name for column in table.primary_key.columns]
    ordered = sorted(rows, key=lambda row: tuple(str(row[key]) for key in keys))
    statement = _insert(conn, table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={"delta": table.c.delta + statement.excluded.delta}
    )
    await conn.execute(statement, ordered)


async def insert_missing(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose key is not there yet; leave the others as they are."""
    if rows:
        await conn.execute(_insert(conn, table).on_conflict_do_nothing(), list(rows))
