"""The event store on real databases: optimistic concurrency, replay, outbox in the same transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hl_contracts import Actor
from hl_contracts.hazard import HazardFound
from hl_platform.eventstore import ConcurrencyError, EventStore
from hl_platform.repository import Repository
from hl_platform.tables import events, outbox
from tests.support.db import migrated
from tests.support.events import Probe, found, next_event, random_id

pytestmark = pytest.mark.asyncio


async def test_two_writers_racing_on_one_version_exactly_one_wins(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    store = EventStore()
    first = found()
    async with db.write() as conn:
        await store.append(conn, "probe", [first])

    async def write(kind: str) -> str:
        async with db.write() as conn:
            await store.append(conn, "probe", [next_event(first, kind)])
        return kind

    results = await asyncio.gather(write("rectified"), write("plan"), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyError", "str"]
    loser = next(r for r in results if isinstance(r, ConcurrencyError))
    assert loser.aggregate_id == first.subject and loser.expected_version == 1
    async with db.read() as conn:
        assert await store.version(conn, first.subject) == 2
        # the loser's outbox row was rolled back with its event: nothing half-written
        assert await conn.scalar(select(func.count()).select_from(outbox)) == 2
        assert await conn.scalar(select(func.count()).select_from(events)) == 2
    await db.dispose()


async def test_repository_replays_what_it_saved(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    repository = Repository(Probe, "hazard")
    probe = Probe(random_id())
    actor = Actor(id="u1", name="测试", role="inspector")
    now = datetime.now(UTC)
    for title in ("隐患一", "隐患二"):
        template = found(probe.id).payload()
        assert isinstance(template, HazardFound)
        probe.record(template.model_copy(update={"title": title}), actor=actor, time=now)
    async with db.write() as conn:
        saved = await repository.save(conn, probe)
    assert [e.sequence for e in saved] == [1, 2]
    async with db.read() as conn:
        loaded = await repository.get(conn, probe.id)
    assert loaded is not None and loaded.version == 2 and loaded.titles == ["隐患一", "隐患二"]
    assert saved[0].subject == probe.id and saved[0].regioncode == "371002"
    await db.dispose()
