"""Dialect-aware upserts for the bucket tables (SQLite and PostgreSQL share `ON CONFLICT`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

# Days go to SQLite as ISO text, as SQLAlchemy's Date stores them there (explicit: Python's own
# default adapter is deprecated). PostgreSQL's driver adapts them natively.
sqlite3.register_adapter(date, date.isoformat)


def _insert(conn: AsyncConnection, table: Table) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported database dialect {dialect!r}: the reporting service runs on SQLite or PostgreSQL")


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
        if conn.dialect.name not in ("sqlite", "postgresql"):
            _insert(conn, table)  # raises the unsupported-dialect error
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        keys = ", ".join(column.name for column in table.primary_key.columns)
        markers = ", ".join([marker] * (len(columns) + 1))
        _SQL[key] = (
            f"INSERT INTO {table.name} ({', '.join(columns)}, delta) VALUES ({markers})"
            f" ON CONFLICT ({keys}) DO UPDATE SET delta = {table.name}.delta + excluded.delta"
        )
    return _SQL[key]


async def insert_missing(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose key is not there yet; leave the others as they are."""
    if rows:
        await conn.execute(_insert(conn, table).on_conflict_do_nothing(), list(rows))
