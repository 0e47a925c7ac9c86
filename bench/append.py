"""append_per_s vs append_peer_per_s: one event per transaction, sequentially, on SQLite files with
the same settings (WAL, synchronous=NORMAL, busy_timeout 30 s — those of hl_platform.db).

Ours: `EventStore.append(conn, "hazard", [event])` inside `Database(url).write()` (BEGIN IMMEDIATE;
the event row and its outbox row), on a database migrated with the hazard service's migrations.
Peer: the `eventsourcing` library's SQLite application recorder (`Application.save` of a new
aggregate whose one event carries the same envelope). Both sides get their events built before
the clock starts; the timed part is serialising and storing. A raw sqlite3 insert of the same two
rows is measured too, as the floor (details only).
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import profiling
from hl_contracts import Actor, CloudEvent, subject_for
from hl_contracts.hazard import HazardFound
from hl_contracts.vocabulary import HazardLevel, HazardSource
from hl_platform.db import SQLITE_BUSY_TIMEOUT_MS

ACTOR = Actor(id="bench-inspector", name="王检查", role="inspector", organisation="威海市应急管理局")


def found_event(at: datetime) -> CloudEvent:
    """As tests/support/events.py `found()`."""
    return CloudEvent.create(
        data=HazardFound(
            enterprise_id="ent-1",
            enterprise_name="威海某化工有限公司",
            source=HazardSource.SELF_INSPECTION,
            level=HazardLevel.MAJOR,
            title="储罐区可燃气体报警器失效",
            found_at=at,
            found_by="张三",
        ),
        service="hazard",
        aggregate_id=f"hz-{uuid.uuid4().hex[:12]}",
        sequence=1,
        region_code="371002",
        industry="hazardous_chemicals",
        actor=ACTOR,
        time=at,
    )


async def ours(url: str, events: list[CloudEvent], commits_ms: list[float], profile_to: Path | None = None) -> float:
    """Appends per second; each transaction's duration goes to `commits_ms` (the tail shows checkpoints)."""
    from hl_platform.db import Database
    from hl_platform.eventstore import EventStore
    from hl_platform.migrate import upgrade

    await asyncio.to_thread(upgrade, "hazard", url)
    db, store = Database(url), EventStore()
    for event in events[:50]:  # warm the pool and the statement cache
        async with db.write() as conn:
            await store.append(conn, "hazard", [event])
    profiler = profiling.start(profile_to)
    ends = []
    started = time.perf_counter()
    for event in events[50:]:
        async with db.write() as conn:
            await store.append(conn, "hazard", [event])
        ends.append(time.perf_counter())
    elapsed = time.perf_counter() - started
    profiling.save(profiler, profile_to)
    await db.dispose()
    commits_ms.extend((b - a) * 1000 for a, b in zip([started, *ends], ends, strict=False))
    return (len(events) - 50) / elapsed


def _same_file_settings() -> None:
    """Give the library's SQLite connections the pragmas hl_platform.db sets on ours."""
    from eventsourcing import sqlite as es_sqlite

    if getattr(es_sqlite.SQLiteConnectionPool, "_bench_patched", False):
        return
    original = es_sqlite.SQLiteConnectionPool._create_connection

    def create(self: Any) -> Any:
        connection = original(self)
        cursor = connection._sqlite_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        return connection

    es_sqlite.SQLiteConnectionPool._create_connection = create  # type: ignore[method-assign]
    es_sqlite.SQLiteConnectionPool._bench_patched = True  # type: ignore[attr-defined]


def peer(folder: Path, events: list[CloudEvent], profile_to: Path | None = None) -> float:
    _same_file_settings()
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(folder / "peer.db"),
        "SQLITE_LOCK_TIMEOUT": str(SQLITE_BUSY_TIMEOUT_MS // 1000),
    }
    return peer_with(env, events, profile_to)


@functools.cache
def _peer_classes() -> tuple[type[Any], type[Any]]:
    """The peer's aggregate and application, defined once (the library refuses a second class on a topic)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class PeerHazard(Aggregate):
        @event("Found")
        def __init__(self, envelope: dict[str, Any]) -> None:
            self.envelope = envelope

    class PeerLedger(Application[Any]):
        pass

    return PeerHazard, PeerLedger


def peer_with(env: dict[str, str], events: list[CloudEvent], profile_to: Path | None = None) -> float:
    """`eventsourcing`'s saves per second with the persistence module and settings in `env`."""
    peer_hazard, peer_ledger = _peer_classes()
    app = peer_ledger(env=env)
    aggregates = [peer_hazard(envelope=e.model_dump(mode="json", exclude_none=True)) for e in events]
    for aggregate in aggregates[:50]:
        app.save(aggregate)
    profiler = profiling.start(profile_to)
    started = time.perf_counter()
    for aggregate in aggregates[50:]:
        app.save(aggregate)
    elapsed = time.perf_counter() - started
    profiling.save(profiler, profile_to)
    app.close()
    return (len(events) - 50) / elapsed


def floor(folder: Path, events: list[CloudEvent]) -> float:
    """Raw sqlite3, the same two rows per transaction: what the disk and SQLite cost alone."""
    con = sqlite3.connect(folder / "floor.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "synchronous=NORMAL"):
        con.execute(f"PRAGMA {pragma}")
    con.execute(
        "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, aggregate_type TEXT,"
        " aggregate_id TEXT, version INT, event_type TEXT, occurred_at TEXT, recorded_at TEXT, envelope TEXT,"
        " UNIQUE (aggregate_id, version))"
    )
    con.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, subject TEXT, payload TEXT,"
        " headers TEXT, created_at TEXT, published_at TEXT, attempts INT, last_error TEXT)"
    )
    con.execute("CREATE INDEX ix_outbox_unpublished ON outbox (published_at, id)")
    started = time.perf_counter()
    for e in events:
        envelope = e.to_json().decode()
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO events (event_id, aggregate_type, aggregate_id, version, event_type, occurred_at,"
            " recorded_at, envelope) VALUES (?,?,?,?,?,?,?,?)",
            (e.id, "hazard", e.subject, e.sequence, e.type, e.time.isoformat(), e.recordedtime.isoformat(), envelope),
        )
        con.execute(
            "INSERT INTO outbox (event_id, subject, payload, headers, created_at, attempts) VALUES (?,?,?,?,?,0)",
            (e.id, subject_for(e.type, e.regioncode), envelope, "{}", e.recordedtime.isoformat()),
        )
        con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return len(events) / elapsed


def spread(ms: list[float]) -> dict[str, float] | None:
    """Median, tail and worst of our transactions, and how many took over 10 ms (a checkpoint's mark)."""
    if len(ms) < 100:
        return None
    ordered = sorted(ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": at(0.5), "p99": at(0.99), "p999": at(0.999), "max": round(ordered[-1], 3)} | {
        "over_10_ms": sum(1 for v in ms if v > 10)
    }


async def run(
    folder: Path,
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    profile_dir: Path | None = None,
) -> None:
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    at = datetime.now(UTC) - timedelta(hours=1)
    n = cfg.append_events + 50
    events = [found_event(at) for _ in range(n)]
    commits_ms: list[float] = []
    try:
        url = f"sqlite+aiosqlite:///{folder / 'ours.db'}"
        rate = await ours(url, events, commits_ms, profile_dir and profile_dir / "append_ours.txt")
        figures["append_per_s"] = round(rate, 1)
    except Exception as exc:
        figures["append_per_s"], reasons["append_per_s"] = None, f"our event store failed: {exc!r}"
    try:
        peer_rate = await asyncio.to_thread(peer, folder, events, profile_dir and profile_dir / "append_peer.txt")
        figures["append_peer_per_s"] = round(peer_rate, 1)
    except Exception as exc:
        figures["append_peer_per_s"], reasons["append_peer_per_s"] = None, f"eventsourcing failed: {exc!r}"
    details["append"] = {
        "events": cfg.append_events,
        "raw_sqlite3_floor_per_s": round(floor(folder, events[50:]), 1),
        "ours_transaction_ms": spread(commits_ms),
        "sqlite_settings": {"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout_ms": SQLITE_BUSY_TIMEOUT_MS},
        "ours": "hl_platform.eventstore.EventStore.append in Database.write() (SQLAlchemy async + aiosqlite)",
        "peer": "eventsourcing.application.Application.save, PERSISTENCE_MODULE=eventsourcing.sqlite",
    }
