"""Three projector replicas per stream share the durable consumers of a real nats-server, fed
duplicated and reordered deliveries; the figures equal those of a clean in-order projection."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter

import nats
from nats.aio.client import Client
from sqlalchemy import select

from hl_contracts import CloudEvent, subject_for
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.nats_io import ensure_stream, stream_for
from hl_platform.tables import consumer_progress, dead_letters
from hl_reporting.adapters.projection import ENTERPRISE_SPEC, HAZARD_SPEC, EnterpriseProjection, HazardProjection
from hl_stack.nats_server import NatsServer
from tests.integration.reporting.conftest import NewDatabase
from tests.integration.reporting.scenario import enterprise_streams, hazard_streams, interleave
from tests.integration.reporting.test_dispatch_table import project
from tests.integration.reporting.test_replay import snapshot


async def _publish(nc: Client, events: list[CloudEvent]) -> None:
    """As a faulty producer would: a fresh Nats-Msg-Id each time, so duplicates get through."""
    js = nc.jetstream()
    for event in events:
        headers = {"Nats-Msg-Id": uuid.uuid4().hex}
        await js.publish(subject_for(event.type, event.regioncode), event.to_json(), headers=headers)


async def _caught_up(db: Database, expected: dict[tuple[str, str], int]) -> bool:
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(consumer_progress.c.consumer, consumer_progress.c.aggregate_id, consumer_progress.c.version)
            )
        ).all()
    return {(row[0], row[1]): row[2] for row in rows} == expected


async def test_three_replicas_per_stream_with_duplicates_and_reordering(
    nats_server: NatsServer, new_database: NewDatabase
) -> None:
    events = interleave([*hazard_streams("t").values(), *enterprise_streams("t").values()])
    rng = random.Random(3)
    deliveries = events + rng.sample(events, len(events) // 3)
    rng.shuffle(deliveries)
    reference = Database(await asyncio.to_thread(new_database))
    await project(reference, events)
    db = Database(await asyncio.to_thread(new_database))
    nc = await nats.connect(nats_server.url)
    for context in ("hazard", "enterprise"):
        await ensure_stream(nc.jetstream(), stream_for(context))
    await _publish(nc, deliveries)
    runners = [
        ConsumerRunner(db, nc.jetstream, spec, projection, batch_size=7, fetch_timeout=0.2)
        for spec, projection in ((HAZARD_SPEC, HazardProjection()), (ENTERPRISE_SPEC, EnterpriseProjection()))
        for _ in range(3)
    ]
    versions = Counter(event.subject for event in events)
    consumer = {"hazard": HAZARD_SPEC.durable, "enterprise": ENTERPRISE_SPEC.durable}
    expected = {(consumer[e.type.split(".")[0]], e.subject): versions[e.subject] for e in events}
    stop = asyncio.Event()
    tasks = [asyncio.create_task(runner.run(stop)) for runner in runners]
    try:
        async with asyncio.timeout(40):
            while not await _caught_up(db, expected):
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # let any wrongful extra application show itself
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert await snapshot(db) == await snapshot(reference)
    async with db.read() as conn:
        assert (await conn.execute(select(dead_letters))).all() == []
    await nc.close()
    await db.dispose()
    await reference.dispose()
