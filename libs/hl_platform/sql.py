"""SQL the services share on both databases: `INSERT … ON CONFLICT`, driver placeholders, IN lists.

SQLite and PostgreSQL spell upserts the same way but SQLAlchemy builds them per dialect; the hot
paths that skip SQLAlchemy's per-row work (`exec_driver_sql`) need the driver's placeholder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

T = TypeVar("T")
IN_LIST_CHUNK = 500  # values per IN list: well under every database's limit on bound parameters

# Days go to SQLite as ISO text, as SQLAlchemy's Date stores them there, also when a hot path hands
# the driver plain values (explicit: Python's own default adapter is deprecated). PostgreSQL's
# driver adapts them natively.
sqlite3.register_adapter(date, date.isoformat)


def _supported(dialect: Dialect | str) -> str:
    name = dialect if isinstance(dialect, str) else dialect.name
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database dialect {name!r}: the services run on SQLite or PostgreSQL")
    return name


def dialect_insert(dialect: Dialect | str, table: Table) -> Any:
    """An INSERT that can take `.on_conflict_do_nothing()` / `.on_conflict_do_update()`."""
    return (postgresql if _supported(dialect) == "postgresql" else sqlite).insert(table)


def placeholder(dialect: Dialect) -> str:
    """The driver's positional parameter marker (sqlite3: "?", psycopg: "%s")."""
    _supported(dialect)
    return "?" if dialect.paramstyle == "qmark" else "%s"


def in_chunks(items: Sequence[T]) -> list[Sequence[T]]:
    """`items` in slices small enough for one IN list each."""
    return [items[start : start + IN_LIST_CHUNK] for start in range(0, len(items), IN_LIST_CHUNK)]
