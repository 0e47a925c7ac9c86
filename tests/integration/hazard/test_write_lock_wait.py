"""A write transaction that finds another process holding SQLite's write lock waits for it
without blocking the event loop (writes run on the loop's thread, see hl_platform.db)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.db import migrated

pytestmark = pytest.mark.asyncio


async def test_a_write_waits_for_another_writer_while_the_loop_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "hazard.db"
    db = await migrated("hazard", f"sqlite+aiosqlite:///{path}")
    async with db.write():  # a running service: its connection is open (and the file in WAL mode)
        pass
    other = sqlite3.connect(path, isolation_level=None)  # another process, as far as SQLite can tell
    try:
        other.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with db.write() as conn:
                await conn.execute(
                    text("INSERT INTO leases (name, holder, expires_at) VALUES ('x', 'me', '2030-01-01')")
                )

        writing = asyncio.create_task(write())
        ticks = 0
        for _ in range(20):  # the loop keeps running while the write waits
            await asyncio.sleep(0.005)
            ticks += 1
        assert ticks == 20 and not writing.done()
        other.execute("COMMIT")
        await asyncio.wait_for(writing, 5)
        async with db.read() as conn:
            assert (await conn.execute(text("SELECT holder FROM leases WHERE name = 'x'"))).scalar_one() == "me"
    finally:
        other.close()
        await db.dispose()
