"""Upserts for the bucket tables (SQLite and PostgreSQL share `ON CONFLICT`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.sql import dialect_insert, placeholder


async def add_deltas(
    conn: AsyncConnection, table: Table, columns: Sequence[str], deltas: Mapping[tuple[Any, ...], int]
) -> None:
    """Add each delta to its bucket (created at the delta if new); keys are values of `columns`.

    Buckets are written in key order, so concurrent writers lock them in the same order. This is
    the projector's hottest statement (a batch adds thousands of roll-up deltas), so it skips
    SQLAlchemy's per-row parameter processing: one statement text, plain tuples, one executemany.
    """
    if deltas:
        rows = [(*key, delta) for key, delta in sorted(deltas.items())]
        await conn.exec_driver_sql(_adding_sql(conn, table, tuple(columns)), rows)


_SQL: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _adding_sql(conn: AsyncConnection, table: Table, columns: tuple[str, ...]) -> str:
    key = (conn.dialect.name, table.name, columns)
    if key not in _SQL:
        keys = ", ".join(column.name for column in table.primary_key.columns)
        markers = ", ".join([placeholder(conn.dialect)] * (len(columns) + 1))
        _SQL[key] = (
            f"INSERT INTO {table.name} ({', '.join(columns)}, delta) VALUES ({markers})"
            f" ON CONFLICT ({keys}) DO UPDATE SET delta = {table.name}.delta + excluded.delta"
        )
    return _SQL[key]


async def insert_missing(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose key is not there yet; leave the others as they are."""
    if rows:
        await conn.execute(dialect_insert(conn.dialect, table).on_conflict_do_nothing(), list(rows))
