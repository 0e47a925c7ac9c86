"""The outbox relay against a real nats-server: order, exactly once across a crash, NATS outages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import nats
import pytest
from sqlalchemy import func, select

from hl_platform.eventstore import EventStore
from hl_platform.nats_io import ensure_stream, stream_for
from hl_platform.relay import OutboxRelay
from hl_platform.tables import outbox
from hl_stack.nats_server import NatsServer
from tests.support.db import migrated
from tests.support.events import found

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[3]


async def _append(db, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    store, ids = EventStore(), []
    async with db.write() as conn:
        for _ in range(count):
            event = found()
            ids.append(event.id)
            await store.append(conn, "hazard", [event])
    return ids


async def _stream_ids(url: str) -> list[str]:
    nc = await nats.connect(url)
    js = nc.jetstream()
    info = await js.stream_info("HL_HAZARD")
    ids = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg("HL_HAZARD", seq)
        ids.append(msg.headers["Nats-Msg-Id"] if msg.headers else "")
    await nc.close()
    return ids


async def _unpublished(db) -> int:  # type: ignore[no-untyped-def]
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).where(outbox.c.published_at.is_(None))) or 0)


async def _drain(db, url: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    nc = await nats.connect(url)
    relay = OutboxRelay(db, nc.jetstream, "hazard", poll_interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    async with asyncio.timeout(timeout):
        while await _unpublished(db):
            await asyncio.sleep(0.05)
    stop.set()
    await task
    await nc.close()


async def _provision(url: str) -> None:
    nc = await nats.connect(url)
    await ensure_stream(nc.jetstream(), stream_for("hazard"))
    await nc.close()


async def test_relay_publishes_in_order_with_event_ids(nats_server: NatsServer, database_url: str) -> None:
    db = await migrated("hazard", database_url)
    await _provision(nats_server.url)
    ids = await _append(db, 50)
    await _drain(db, nats_server.url)
    assert await _stream_ids(nats_server.url) == ids
    await db.dispose()


async def test_relay_killed_mid_stream_publishes_everything_exactly_once(
    nats_server: NatsServer, database_url: str
) -> None:
    db = await migrated("hazard", database_url)
    await _provision(nats_server.url)
    ids = await _append(db, 3000)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.relay_process", database_url, nats_server.url], cwd=ROOT, env=env
    )
    async with asyncio.timeout(60):
        while await _unpublished(db) > 2000:
            await asyncio.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # no chance to mark what it just published
    process.wait()
    assert 0 < await _unpublished(db) < 3000
    await _drain(db, nats_server.url)
    stream = await _stream_ids(nats_server.url)
    assert sorted(stream) == sorted(ids), "every event in the stream, none twice"
    await db.dispose()


async def test_relay_survives_nats_outage(nats_server: NatsServer, database_url: str) -> None:
    db = await migrated("hazard", database_url)
    await _provision(nats_server.url)
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    relay = OutboxRelay(db, nc.jetstream, "hazard", poll_interval=0.05, publish_timeout=1.0)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    before = await _append(db, 20)
    async with asyncio.timeout(20):
        while await _unpublished(db):
            await asyncio.sleep(0.05)
    nats_server.stop()
    during = await _append(db, 30)
    await asyncio.sleep(1.5)
    assert await _unpublished(db) == 30, "nothing is marked published while NATS is down"
    nats_server.start()
    async with asyncio.timeout(30):
        while await _unpublished(db):
            await asyncio.sleep(0.1)
    stop.set()
    await task
    await nc.close()
    assert await _stream_ids(nats_server.url) == before + during
    await db.dispose()
