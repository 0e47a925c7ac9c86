"""A rebuild loads the streams without acks, in large chunks, yet gives the very tables the live
consumers build event by event; and the events published while it loads are applied afterwards by
the new generation's durables, once each."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy import select

from hl_contracts import CloudEvent, subject_for
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.nats_io import ensure_stream, stream_for
from hl_platform.tables import consumer_progress, dead_letters, pending_events
from hl_reporting.adapters.tables import READ_MODELS, hazard_state
from hl_reporting.application.generations import Generation, _catch_up, rebuild
from hl_stack.nats_server import NatsServer
from tests.integration.reporting.scenario import CHEM, HazardStream, at, enterprise_streams, hazard_streams, interleave
from tests.integration.reporting.test_tip_rewards import _paid
from tests.support.db import migrated
from tests.support.events import random_id

pytestmark = pytest.mark.asyncio


def history(prefix: str) -> tuple[list[CloudEvent], list[CloudEvent]]:
    """(published before the rebuild, published while it loads), both streams and tips.

    Before: the month's scenario (back-dated, voided, rejected, reclassified, listed and delisted
    hazards, enterprises inspected and enforced), one hazard's versions 2 and 3 swapped (a gap the
    consumers must hold), one event published twice (a relay's resend after the duplicate window),
    and tip rewards. While loading: later events of hazards already loaded, and new hazards.
    """
    hazards = hazard_streams(prefix)
    before = interleave([*hazards.values(), *enterprise_streams(prefix).values()])
    swapped = hazards["H1"].events
    i, j = before.index(swapped[1]), before.index(swapped[2])
    before[i], before[j] = before[j], before[i]
    before.append(hazards["H2"].events[0])
    before += _paid(f"{prefix}-T1", "371002", "500", at(5, 10), anonymous=True)
    before += _paid(f"{prefix}-T2", "371003", "200", at(5, 11), anonymous=False)
    cut = len(hazards["H13"].events)
    hazards["H13"].rectified(at(5, 28)).accepted(at(5, 29))
    hazards["H2"].rectified(at(5, 27, 8), at(5, 30))  # back-dated, recorded after the load began
    late = HazardStream("hazard", f"{prefix}-H15", "371002100", CHEM).found("department_inspection", "major", at(5, 29))
    during = [*hazards["H13"].events[cut:], hazards["H2"].events[-1], *late.events]
    during += _paid(f"{prefix}-T3", "371002", "300", at(5, 29), anonymous=True)
    return before, during


async def publish(js: JetStreamContext, events: list[CloudEvent]) -> None:
    for n, event in enumerate(events):
        msg_id = f"{event.id}-{n}"  # a repeated event gets another id: JetStream keeps both copies
        await js.publish(subject_for(event.type, event.regioncode), event.to_json(), headers={"Nats-Msg-Id": msg_id})


async def caught_up(db: Database, js: JetStreamContext, generation: Generation) -> None:
    """Let the generation's durables apply everything in the streams."""
    for subscription in generation.subscriptions():
        runner = ConsumerRunner(db, lambda: js, subscription.spec, subscription.projection, batch_size=3)
        await _catch_up(runner, js, lambda *_: None, stall_s=20.0)


async def tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model row for row (without generated ids), and what the consumers applied or hold."""
    dumped: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as conn:
        for table in READ_MODELS:
            columns = [column for column in table.c if column.name != "id"]
            dumped[table.name] = sorted((tuple(row) for row in await conn.execute(select(*columns))), key=repr)
        progress = select(consumer_progress.c.aggregate_id, consumer_progress.c.version)
        dumped["progress"] = sorted(tuple(row) for row in await conn.execute(progress))
        held = select(pending_events.c.aggregate_id, pending_events.c.version)
        dumped["held"] = sorted(tuple(row) for row in await conn.execute(held))
    return dumped


async def test_a_rebuild_gives_the_live_tables_and_resumes_after_its_start(
    nats_server: NatsServer, database_url: str
) -> None:
    import nats

    live = await migrated("reporting", database_url)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for context in ("hazard", "enterprise", "tip"):
        await ensure_stream(js, stream_for(context))
    before, during = history(random_id("bulk"))
    await publish(js, before)
    await caught_up(live, js, Generation(0, None))

    hazard_last = (await js.stream_info("HL_HAZARD")).state.last_seq
    loaded: dict[str, int | None] = {}
    late_publish: list[asyncio.Task[None]] = []

    def progress(stream: str, done: int, total: int | None) -> None:
        loaded.setdefault(stream, total)
        if not late_publish:  # the load has taken its last sequences: publish more meanwhile
            late_publish.append(asyncio.create_task(publish(js, during)))

    # chunks of 7 events: hazards span chunks, and a chunk may end inside a held gap
    generation = await rebuild(database_url, js, progress, switch_wait=0.0, chunk_events=7)
    await late_publish[0]
    assert loaded["HL_HAZARD"] == hazard_last, "the load stops at the sequence it started with"
    assert (await js.stream_info("HL_HAZARD")).state.last_seq > hazard_last
    assert generation.url is not None
    rebuilt = Database(generation.url)
    try:
        await caught_up(live, js, Generation(0, None))
        await caught_up(rebuilt, js, generation)
        expected, got = await tables(live), await tables(rebuilt)
        assert expected["hazard_state"] and expected["hazard_changes"] and expected["tip_reward_daily"]
        assert expected["enterprise_marks"] and expected["enforcement_changes"]
        assert not expected["held"], "the swapped versions were applied once the gap filled"
        for name in expected:
            assert got[name] == expected[name], f"{name} differs"
    finally:
        await rebuilt.dispose()
        await live.dispose()
        await nc.close()


async def test_a_rebuild_parks_what_the_live_consumer_would_park_and_loads_the_rest(
    nats_server: NatsServer, database_url: str
) -> None:
    """An unreadable message, and a hazard whose first event is not its `found` (the projection
    refuses it), are kept in the new generation's dead letters; every other event is applied."""
    import nats

    await (await migrated("reporting", database_url)).dispose()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for context in ("hazard", "enterprise", "tip"):
        await ensure_stream(js, stream_for(context))
    prefix = random_id("park")
    good = HazardStream("hazard", f"{prefix}-H1", "371002100", CHEM).found("self_inspection", "general", at(5, 3))
    orphan = HazardStream("hazard", f"{prefix}-H2", "371002100", CHEM).found("self_inspection", "general", at(5, 4))
    orphan.rectified(at(5, 6))
    first_not_found = orphan.events[1].model_copy(update={"sequence": 1})
    await publish(js, [*good.events, first_not_found])
    await js.publish(subject_for("hazard.found", "371002100"), b"not a cloud event")
    generation = await rebuild(database_url, js, lambda *_: None, switch_wait=0.0, chunk_events=50)
    assert generation.url is not None
    rebuilt = Database(generation.url)
    try:
        async with rebuilt.read() as conn:
            parked = (await conn.execute(select(dead_letters.c.event_id, dead_letters.c.error))).all()
            hazards = [row[0] for row in await conn.execute(select(hazard_state.c.hazard_id))]
        errors = sorted(error.split(":")[0].split("(")[0] for _, error in parked)
        assert errors == ["MissingHazard", "unreadable envelope"], parked
        assert {event_id for event_id, _ in parked} == {None, first_not_found.id}
        assert hazards == [good.events[0].subject]
    finally:
        await rebuilt.dispose()
        await nc.close()
