"""Async SQLAlchemy engines for SQLite (embedded) and PostgreSQL (production), one code path.

SQLite needs two things PostgreSQL gives for free: WAL with a busy timeout so that several
processes can share a file, and `BEGIN IMMEDIATE` on write transactions so that a transaction that
read first cannot fail later when it upgrades to a write lock (SQLITE_BUSY_SNAPSHOT). Reads use a
second engine with ordinary deferred transactions so that they never queue behind writers.

SQLite write transactions run on the event loop's thread (`_InlineConnection`: plain sqlite3 under
SQLAlchemy's aiosqlite adapter) rather than on aiosqlite's worker thread: a statement of a short
write costs tens of microseconds in SQLite, while each hop to that thread and back costs more,
several times per statement. Writers
in one process already take turns on a lock, so nothing else would use that thread meanwhile; the
only waits that could block the loop — for another process's write lock — are made with asyncio
sleeps instead of SQLite's busy handler. Reads keep the worker thread: a report query can run for
seconds, and the loop must go on serving meanwhile.

Checkpoints run off the request path. SQLite's auto-checkpoint runs inside the commit that takes the
WAL past 1,000 pages: a write of ~0.5 ms then takes 20–60 ms (it syncs the WAL and the database
file), on the loop's thread, and every request queued behind it waits. So writer connections turn
it off (`wal_autocheckpoint=0`) and a thread of the `Database` (`_Checkpointer`, its own
connection) runs a PASSIVE checkpoint every `CHECKPOINT_EVERY_S` — it never takes the write lock,
so writers go on meanwhile. A writer restarts the WAL from its start only if, when its transaction
began, the WAL was all copied — under steady writes one is always in flight while the checkpoint
finishes, so the WAL would grow without end. Past `WAL_RESTART_FRAMES` the thread therefore runs a
RESTART checkpoint: the `Database`'s writers step aside before their next transaction (they wait
with asyncio sleeps, at most `RESTART_WAIT_S`), it waits for the writer and readers of the moment,
copies what is left — little, after the passive rounds — and the next writer starts the WAL over;
`journal_size_limit` truncates the file back.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Generator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, event
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A long inline transaction (a projector's batch) lets other tasks run at least this often.
INLINE_PAUSE_EVERY_S = 0.005
# The WAL checkpoint, off the writers' path (see the module's docstring).
CHECKPOINT_EVERY_S = 0.2
WAL_RESTART_FRAMES = 4096  # 16 MB of 4 KiB pages: past it, the WAL is restarted (brief writer wait)
WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024  # what a restarted WAL file is truncated back to, at most
RESTART_WAIT_S = 1.0  # the longest a writer steps aside for a RESTART checkpoint


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _NoWait:
    def __await__(self) -> Generator[None, None, None]:
        return
        yield  # a generator that ends at once: the await completes without suspending


_NO_WAIT: Awaitable[None] = _NoWait()


class _InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, calling sqlite3 directly (results are buffered the same way)."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        connection = cast(_InlineConnection, self._adapt_connection)
        connection.pause_if_due()
        cursor = connection.sqlite.cursor()
        try:
            cursor.execute(operation, () if parameters is None else parameters)
            if cursor.description:
                self.description = cursor.description
                self.lastrowid = self.rowcount = -1
                self._rows = deque(cursor.fetchall())
            else:
                self.description = None
                self.lastrowid = cursor.lastrowid  # type: ignore[assignment]  # as in the base class
                self.rowcount = cursor.rowcount
        finally:
            cursor.close()

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        connection = cast(_InlineConnection, self._adapt_connection)
        connection.pause_if_due()
        cursor = connection.sqlite.cursor()
        try:
            cursor.executemany(operation, seq_of_parameters)
            self.description = None
            self.lastrowid = cursor.lastrowid  # type: ignore[assignment]  # as in the base class
            self.rowcount = cursor.rowcount
        finally:
            cursor.close()


class _InlineConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection over a plain sqlite3 connection used on the loop's thread."""

    __slots__ = ("_last_pause",)

    def __init__(self, dbapi: Any, connection: sqlite3.Connection) -> None:
        super().__init__(dbapi, cast(Any, connection))
        self._last_pause = time.perf_counter()

    @property
    def sqlite(self) -> sqlite3.Connection:
        return cast(sqlite3.Connection, self._connection)

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.sqlite.isolation_level = value  # type: ignore[assignment]

    def cursor(self, server_side: bool = False) -> _InlineCursor:
        return _InlineCursor(self)

    def execute(self, *args: Any, **kw: Any) -> Any:
        return self.sqlite.execute(*args, **kw)

    def create_function(self, *args: Any, **kw: Any) -> None:
        self.sqlite.create_function(*args, **kw)

    def rollback(self) -> None:
        self.sqlite.rollback()

    def commit(self) -> None:
        self.sqlite.commit()

    def close(self) -> None:
        self.sqlite.close()

    async def _terminate_graceful_close(self) -> None:
        self.sqlite.close()

    def _terminate_force_close(self) -> None:
        self.sqlite.close()

    def pause_if_due(self) -> None:
        """Let other tasks run now and then during a long transaction (a projector's batch).

        SQLAlchemy's async layer also insists on one await per statement, hence `_NO_WAIT`.
        """
        if time.perf_counter() - self._last_pause > INLINE_PAUSE_EVERY_S:
            await_only(asyncio.sleep(0))
            self._last_pause = time.perf_counter()
        else:
            await_only(_NO_WAIT)

    def _try_begin_immediate(self, deadline: float) -> bool:
        """BEGIN IMMEDIATE now: True if begun, False if another connection holds the write lock."""
        try:
            self.sqlite.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            return False
        self._last_pause = time.perf_counter()
        return True

    def begin_immediate(self) -> None:
        """BEGIN IMMEDIATE; while another process holds the write lock, wait without blocking the loop."""
        if self.sqlite.in_transaction:  # begun by `begin_immediate_async` (`Database.write`)
            return
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        delay = 0.001
        while not self._try_begin_immediate(deadline):
            await_only(asyncio.sleep(delay))
            delay = min(delay * 2, 0.05)

    async def begin_immediate_async(self) -> None:
        """`begin_immediate` from a coroutine, with no greenlet hop (SQLAlchemy's `begin` then finds it begun)."""
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        delay = 0.001
        while not self._try_begin_immediate(deadline):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


def inline_sqlite(conn: AsyncConnection) -> sqlite3.Connection | None:
    """The plain sqlite3 connection under `conn` when it is a SQLite writer of ours that nothing
    observes statement by statement (no cursor-execute listeners, e.g. OpenTelemetry's); else None.

    A hot path (the event store's inserts) may then call sqlite3 directly: SQLAlchemy's execution
    around a statement costs several times SQLite's own insert.
    """
    sync = conn.sync_connection
    if sync is None or sync.invalidated or sync.dispatch.before_cursor_execute:
        return None
    dbapi = sync.connection.dbapi_connection
    return dbapi.sqlite if isinstance(dbapi, _InlineConnection) else None


def _pragmas(dbapi_connection: Any, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    # Take transaction control from the driver so that BEGIN is ours to issue.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "wal":  # setting it, even to itself, fails while another writes
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    # No connection of ours checkpoints in its commit: `_Checkpointer` does, on its own thread.
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT_BYTES}")
    cursor.close()


def _sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, or None for an in-memory database (nothing to checkpoint)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    return None if not database or database == ":memory:" or database.startswith("file::memory:") else database


class _Checkpointer:
    """A daemon thread with its own connection that checkpoints a SQLite file's WAL every `every_s`."""

    def __init__(self, path: str, every_s: float = CHECKPOINT_EVERY_S, restart_frames: int = WAL_RESTART_FRAMES):
        self.path, self.every_s, self.restart_frames = path, every_s, restart_frames
        self.checkpoints = 0  # PASSIVE checkpoints that copied frames
        self.restarts = 0  # RESTART checkpoints: the WAL had grown past `restart_frames`
        self.restarting = threading.Event()  # set while a RESTART wants writers to step aside
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"wal-checkpoint {path}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            while not self._stop.wait(self.every_s):
                self.checkpoint(connection)
            self.checkpoint(connection)  # what the last writes left
        finally:
            connection.close()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if copied > 0:
                self.checkpoints += 1
            if frames >= self.restart_frames:
                self.restarting.set()
                try:
                    connection.execute("PRAGMA wal_checkpoint(RESTART)")
                    self.restarts += 1
                finally:
                    self.restarting.clear()
        except sqlite3.Error:
            pass  # busy, or the file went away (a test's folder): the next round tries again

    async def step_aside(self) -> None:
        """Before a write transaction: let a RESTART checkpoint that is waiting for writers through."""
        deadline = time.monotonic() + RESTART_WAIT_S
        # `restarting` is set and cleared by the checkpoint thread: a thread's flag, polled.
        while self.restarting.is_set() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.001)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


def _sqlite_writer(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect_inline(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        # Only the loop's thread uses it; the check would trip on a close from the garbage collector.
        return _InlineConnection(dialect.dbapi, sqlite3.connect(*cargs, **{**cparams, "check_same_thread": False}))

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Past the pragmas, a busy lock is waited for in `begin_immediate`, never inside SQLite.
        _pragmas(dbapi_connection, busy_timeout_ms=0)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.connection.dbapi_connection.begin_immediate()

    return engine


def _sqlite_reader(url: str, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _pragmas(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


class Database:
    """A service's database: `write()` for transactions that change data, `read()` for queries."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        # SQLite has one writer at a time: in-process writers queue on a lock (first come, first
        # served) instead of spinning in SQLite's busy handler, which made tail latency erratic.
        # The lock's holder uses the one writer connection, kept open rather than checked out of a
        # pool for every transaction.
        self._write_lock: asyncio.Lock | None = None
        self._writer_conn: AsyncConnection | None = None
        self._writer_pool: Pool | None = None
        self.checkpointer: _Checkpointer | None = None  # started with the first write (SQLite files)
        if is_sqlite(url):
            self.writer = _sqlite_writer(url, echo=echo)
            self.reader = _sqlite_reader(url, echo=echo)
            self._write_lock = asyncio.Lock()
        else:
            self.writer = create_async_engine(url, echo=echo, pool_size=pool_size, pool_pre_ping=True)
            self.reader = self.writer

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self._write_lock is None:
            async with self.writer.begin() as conn:
                yield conn
            return
        async with self._write_lock:
            conn = await self._writer_connection()
            if self.checkpointer is None and (path := _sqlite_path(self.url)) is not None:
                self.checkpointer = _Checkpointer(path, CHECKPOINT_EVERY_S)
            elif self.checkpointer is not None and self.checkpointer.restarting.is_set():
                await self.checkpointer.step_aside()
            try:
                async with self._sqlite_transaction(conn):
                    yield conn
            except BaseException:
                if conn.invalidated or conn.in_transaction():  # not cleanly rolled back: not reused
                    self._writer_conn = None
                    await asyncio.shield(conn.close())
                raise

    @asynccontextmanager
    async def _sqlite_transaction(self, conn: AsyncConnection) -> AsyncIterator[None]:
        """`conn.begin()` without its two greenlet hops: BEGIN IMMEDIATE awaited here, SQLAlchemy's
        transaction begun on the sync connection (its begin event finds SQLite's open), committed or
        rolled back there (plain sqlite3 calls on this thread: nothing in them awaits)."""
        sync, raw = conn.sync_connection, None
        if sync is not None:
            dbapi = sync.connection.dbapi_connection
            raw = dbapi if isinstance(dbapi, _InlineConnection) else None
        if sync is None or raw is None:
            async with conn.begin():
                yield
            return
        await raw.begin_immediate_async()
        try:
            transaction = sync.begin()
        except BaseException:
            raw.rollback()
            raise
        try:
            yield
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
        transaction.commit()

    async def _writer_connection(self) -> AsyncConnection:
        conn, pool = self._writer_conn, self.writer.sync_engine.pool
        if conn is not None and not (conn.closed or conn.invalidated) and self._writer_pool is pool:
            return conn
        if conn is not None:  # broken, or its engine was disposed (its pool replaced) meanwhile
            self._writer_conn = None
            await conn.close()
        self._writer_conn, self._writer_pool = await self.writer.connect(), pool
        return self._writer_conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.reader.connect() as conn:
            yield conn

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self.checkpointer is not None:
            checkpointer, self.checkpointer = self.checkpointer, None
            await asyncio.to_thread(checkpointer.stop)
        if self._writer_conn is not None:
            conn, self._writer_conn = self._writer_conn, None
            await conn.close()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
