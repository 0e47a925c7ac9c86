"""The append-only event store with its transactional outbox.

`append` writes the events and their outbox rows in the caller's transaction, so an event is
stored if and only if it will be published (never "commit, then publish"). The unique
(aggregate_id, version) constraint turns a lost race between two writers into `ConcurrencyError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from opentelemetry import baggage, propagate, trace
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent, subject_for
from hl_platform.db import inline_sqlite
from hl_platform.sql import placeholder
from hl_platform.tables import events, outbox


class ConcurrencyError(Exception):
    """Another writer appended to the aggregate first; reload and decide again."""

    def __init__(self, aggregate_id: str, expected_version: int) -> None:
        super().__init__(f"aggregate {aggregate_id} changed concurrently (expected version {expected_version})")
        self.aggregate_id = aggregate_id
        self.expected_version = expected_version


def _is_version_conflict(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "uq_events_aggregate_version" in text or "events.aggregate_id, events.version" in text


class _PlainInsert:
    """An INSERT run with driver-level parameters (`exec_driver_sql`): its text built once per
    dialect, each value passed through its column type's own bind processor.

    Why: appending is every command's hot path, and SQLAlchemy's per-execution work (parameter
    construction, result set-up) costs more than SQLite's insert itself; this keeps the types'
    conversions and SQLAlchemy's error type (IntegrityError), and drops the rest. On our SQLite
    writer (`inline_sqlite`) it calls sqlite3 itself: SQLAlchemy's execution was most of an append.
    """

    def __init__(self, table: Table, columns: tuple[str, ...]) -> None:
        self.table, self.columns = table, columns
        self._by_dialect: dict[str, tuple[str, list[Any]]] = {}

    def _compiled(self, dialect: Dialect) -> tuple[str, list[Any]]:
        if dialect.name not in self._by_dialect:
            marker = placeholder(dialect)
            sql = (
                f"INSERT INTO {self.table.name} ({', '.join(self.columns)}) "
                f"VALUES ({', '.join([marker] * len(self.columns))})"
            )
            processors = [self.table.c[name].type.bind_processor(dialect) for name in self.columns]
            self._by_dialect[dialect.name] = (sql, processors)
        return self._by_dialect[dialect.name]

    async def run(self, conn: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
        sql, processors = self._compiled(conn.dialect)
        values = [
            tuple(value if process is None else process(value) for process, value in zip(processors, row, strict=True))
            for row in rows
        ]
        raw = inline_sqlite(conn)
        if raw is not None:  # SQLite on the loop's thread: the driver itself, the same values and error
            try:
                if len(values) == 1:
                    raw.execute(sql, values[0])
                else:
                    raw.executemany(sql, values)
            except sqlite3.Error as exc:  # as SQLAlchemy wraps it: IntegrityError, OperationalError (disk full) …
                raise DBAPIError.instance(sql, values, exc, sqlite3.Error, dialect=conn.dialect) from exc
            return
        if len(values) == 1:
            await conn.exec_driver_sql(sql, values[0])
        else:
            await conn.exec_driver_sql(sql, values)


_EVENT_COLUMNS = (
    "event_id",
    "aggregate_type",
    "aggregate_id",
    "version",
    "event_type",
    "occurred_at",
    "recorded_at",
    "envelope",
)
_INSERT_EVENTS = _PlainInsert(events, _EVENT_COLUMNS)
_INSERT_OUTBOX = _PlainInsert(outbox, ("event_id", "subject", "payload", "headers", "created_at", "attempts"))


def _trace_headers() -> dict[str, str]:
    """The current trace and baggage as message headers: the request's trace continues through NATS
    to the consumers. Without either there is nothing to carry, and the propagators are skipped
    (a tenth of an append's CPU when nothing traces)."""
    headers: dict[str, str] = {}
    if trace.get_current_span().get_span_context().is_valid or baggage.get_all():
        propagate.inject(headers)
    return headers


class EventStore:
    async def append(self, conn: AsyncConnection, aggregate_type: str, new_events: Sequence[CloudEvent]) -> None:
        """Append events of one aggregate (consecutive versions) and queue them for publishing."""
        if not new_events:
            return
        headers = _trace_headers()
        event_rows, outbox_rows = [], []
        for event in new_events:
            envelope = event.to_json().decode()
            event_rows.append(
                (
                    event.id,
                    aggregate_type,
                    event.subject,
                    event.sequence,
                    event.type,
                    event.time,
                    event.recordedtime,
                    envelope,
                )
            )
            subject = subject_for(event.type, event.regioncode)
            outbox_rows.append((event.id, subject, envelope, headers, event.recordedtime, 0))
        first = new_events[0]
        try:
            await _INSERT_EVENTS.run(conn, event_rows)
        except IntegrityError as exc:
            if _is_version_conflict(exc):
                raise ConcurrencyError(first.subject, first.sequence - 1) from exc
            raise
        await _INSERT_OUTBOX.run(conn, outbox_rows)

    async def load(self, conn: AsyncConnection, aggregate_id: str) -> list[CloudEvent]:
        rows = await conn.execute(
            select(events.c.envelope).where(events.c.aggregate_id == aggregate_id).order_by(events.c.version)
        )
        return [CloudEvent.from_json(envelope) for (envelope,) in rows]

    async def version(self, conn: AsyncConnection, aggregate_id: str) -> int:
        result = await conn.scalar(select(func.max(events.c.version)).where(events.c.aggregate_id == aggregate_id))
        return int(result or 0)
