"""SQLite's WAL checkpoint runs off the writers' path, on a real file, and the WAL stays bounded.

Commits never checkpoint (`wal_autocheckpoint=0` on our connections: the auto-checkpoint made the
commit that crossed 1,000 pages 20–60 ms long, on the service's event loop); the `Database`'s
checkpoint thread does, and restarts the WAL when steady writes keep it from starting over.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest
from sqlalchemy import func, select

import hl_platform.db as db_module
from hl_platform.db import Database
from hl_platform.eventstore import EventStore
from hl_platform.tables import events, outbox
from tests.support.db import migrated
from tests.support.events import found

pytestmark = pytest.mark.asyncio


def wal_frames(path: Path) -> int:
    """Frames in the WAL (mxFrame of the WAL-index header in the -shm file)."""
    with open(f"{path}-shm", "rb") as shm:
        return int(struct.unpack("=I", shm.read(20)[16:20])[0])


async def append_many(db: Database, count: int, after_each: list[int] | None = None, path: Path | None = None) -> None:
    store = EventStore()
    for _ in range(count):
        async with db.write() as conn:
            await store.append(conn, "hazard", [found()])
        if after_each is not None and path is not None:
            after_each.append(wal_frames(path))


async def test_commits_never_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY_S", 3600.0)  # the thread stays idle
    path = tmp_path / "hazard.db"
    db = await migrated("hazard", f"sqlite+aiosqlite:///{path}")
    frames: list[int] = []
    await append_many(db, 400, frames, path)  # ≈ 7 pages each: well past SQLite's 1,000-page auto-checkpoint
    async with db.write() as conn:
        assert (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar() == 0
    assert frames == sorted(frames) and frames[-1] > 1500  # the WAL only grew: no commit checkpointed it
    assert db.checkpointer is not None and db.checkpointer.checkpoints == 0
    await db.dispose()  # the thread's last round copies everything into the database file
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 400


async def test_the_wal_stays_bounded_under_steady_writes_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY_S", 0.02)
    path = tmp_path / "hazard.db"
    db = await migrated("hazard", f"sqlite+aiosqlite:///{path}")
    assert db.checkpointer is None  # started by the first write
    async with db.write() as conn:
        pass
    assert db.checkpointer is not None
    db.checkpointer.restart_frames = 500
    frames: list[int] = []
    await append_many(db, 3000, frames, path)  # back to back: ≈ 21,000 frames if the WAL never restarted
    assert db.checkpointer.restarts >= 1 and db.checkpointer.checkpoints >= 1
    assert max(frames) < 6000, max(frames)
    assert min(frames[len(frames) // 2 :]) < 500  # it keeps starting over, not only once
    async with db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(events)) == 3000
        assert await conn.scalar(select(func.count()).select_from(outbox)) == 3000
    await db.dispose()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 3000


async def test_a_reader_holding_a_snapshot_delays_the_checkpoint_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY_S", 0.02)
    path = tmp_path / "hazard.db"
    db = await migrated("hazard", f"sqlite+aiosqlite:///{path}")
    await append_many(db, 10)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 10  # holds this snapshot
    await append_many(db, 300)
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 10
    reader.execute("COMMIT")
    reader.close()
    await append_many(db, 300)
    assert db.checkpointer is not None and db.checkpointer.checkpoints >= 1
    async with db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(events)) == 610
    await db.dispose()


async def test_only_sqlite_gets_a_checkpoint_thread(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    await append_many(db, 1)
    assert (db.checkpointer is not None) == database_url.startswith("sqlite")
    await db.dispose()
    assert db.checkpointer is None
