"""The consumer runner against a real nats-server: duplicates, gaps, poison events, replicas."""

from __future__ import annotations

import asyncio
import random
import uuid

import nats
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent, subject_for
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.nats_io import ConsumerSpec, ensure_stream, stream_for
from hl_platform.tables import dead_letters
from hl_stack.nats_server import NatsServer
from tests.support.db import migrated
from tests.support.events import found, next_event

pytestmark = pytest.mark.asyncio

test_metadata = MetaData()
applied = Table(
    "applied_events",
    test_metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("aggregate_id", String(64)),
    Column("version", Integer),
)


class RecordingProjection:
    """Writes one row per applied event; refuses events whose title says so."""

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        if event.data.get("title") == "poison":
            raise ValueError("this event cannot be applied")
        await conn.execute(insert(applied).values(aggregate_id=event.subject, version=event.sequence))


async def _setup(database_url: str, nats_url: str) -> tuple[Database, nats.NATS]:
    db = await migrated("hazard", database_url)
    async with db.write() as conn:
        await conn.run_sync(test_metadata.create_all)
    nc = await nats.connect(nats_url)
    await ensure_stream(nc.jetstream(), stream_for("hazard"))
    return db, nc


async def _publish_raw(nc: nats.NATS, events: list[CloudEvent]) -> None:
    """Publish as a faulty producer would: each with a fresh Nats-Msg-Id, so duplicates get through."""
    js = nc.jetstream()
    for event in events:
        await js.publish(
            subject_for(event.type, event.regioncode), event.to_json(), headers={"Nats-Msg-Id": uuid.uuid4().hex}
        )


async def _run_until(runners: list[ConsumerRunner], db: Database, expected_rows: int, timeout: float = 30) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(runner.run(stop)) for runner in runners]
    try:
        async with asyncio.timeout(timeout):
            while await _count(db) < expected_rows:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # let any wrongful extra application show itself
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def _count(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(applied)) or 0)


def _runner(db: Database, nc: nats.NATS, **spec: object) -> ConsumerRunner:
    consumer_spec = ConsumerSpec(stream="HL_HAZARD", durable="test-projection", **spec)  # type: ignore[arg-type]
    return ConsumerRunner(db, nc.jetstream, consumer_spec, RecordingProjection(), fetch_timeout=0.2)


async def test_duplicates_and_an_out_of_order_pair_apply_each_event_once(
    nats_server: NatsServer, database_url: str
) -> None:
    db, nc = await _setup(database_url, nats_server.url)
    v1 = found()
    v2 = next_event(v1)
    v3 = next_event(v2, "plan")
    await _publish_raw(nc, [v2, v1, v1, v3, v2, v3])  # gap first, then duplicates
    await _run_until([_runner(db, nc)], db, expected_rows=3)
    async with db.read() as conn:
        rows = (
            await conn.execute(select(applied.c.aggregate_id, applied.c.version).order_by(applied.c.position))
        ).all()
    assert [tuple(r) for r in rows] == [(v1.subject, 1), (v1.subject, 2), (v1.subject, 3)]
    await nc.close()
    await db.dispose()


async def test_poison_event_is_parked_after_max_deliveries_and_the_consumer_goes_on(
    nats_server: NatsServer, database_url: str
) -> None:
    db, nc = await _setup(database_url, nats_server.url)
    good_before, good_after = found(), found()
    poison = found()
    poison = poison.model_copy(update={"data": {**poison.data, "title": "poison"}})
    await _publish_raw(nc, [good_before, poison, good_after])
    await _run_until([_runner(db, nc, max_deliver=3, backoff=[0.2, 0.2, 0.2])], db, expected_rows=2)
    async with asyncio.timeout(20):
        while True:
            async with db.read() as conn:
                parked = (await conn.execute(select(dead_letters))).all()
            if parked:
                break
            await asyncio.sleep(0.1)
    assert len(parked) == 1 and parked[0].event_id == poison.id and parked[0].deliveries == 3
    assert "cannot be applied" in parked[0].error
    assert await _count(db) == 2
    await nc.close()
    await db.dispose()


async def test_three_replicas_sharing_one_durable_apply_everything_exactly_once(
    nats_server: NatsServer, database_url: str
) -> None:
    db, nc = await _setup(database_url, nats_server.url)
    streams = []
    for _ in range(30):
        chain = [found()]
        for kind in ("plan", "rectified", "plan"):
            chain.append(next_event(chain[-1], kind))
        streams.append(chain)
    events = [event for chain in streams for event in chain]
    random.Random(7).shuffle(events)
    await _publish_raw(nc, events + events[:40])  # shuffled across aggregates and versions, some twice
    runners = [_runner(db, nc) for _ in range(3)]
    for runner in runners:
        runner.batch_size = 7
    await _run_until(runners, db, expected_rows=120, timeout=60)
    async with db.read() as conn:
        rows = (
            await conn.execute(select(applied.c.aggregate_id, applied.c.version).order_by(applied.c.position))
        ).all()
    assert len(rows) == 120
    per_aggregate: dict[str, list[int]] = {}
    for aggregate_id, version in rows:
        per_aggregate.setdefault(aggregate_id, []).append(version)
    assert all(versions == [1, 2, 3, 4] for versions in per_aggregate.values())
    await nc.close()
    await db.dispose()
