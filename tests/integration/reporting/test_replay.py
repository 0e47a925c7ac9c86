"""The same figures whatever the delivery: duplicated and shuffled events through the consumer runner,
and a rebuild that replays everything into emptied read models."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import DBAPIError

from hl_contracts import CloudEvent
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.tables import consumer_progress, pending_events
from hl_reporting.adapters.tables import (
    READ_MODELS,
    hazard_changes,
    hazard_daily,
    hazard_late_rollup,
    hazard_rollup,
    report_submissions,
)
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery
from hl_reporting.application.queries import all_supervision_items, dispatch_table, hazard_ledger
from hl_reporting.application.rebuild import replay, replay_runners, reset_read_models
from hl_reporting.application.submissions import submit
from hl_reporting.domain.measures import MEASURES
from tests.integration.reporting.conftest import NewDatabase
from tests.integration.reporting.scenario import INSPECTOR, TODAY, at, enterprise_streams, hazard_streams, interleave
from tests.integration.reporting.test_dispatch_table import CATALOGUE, project

CUTS = [("3710", 24), ("3710", 21), ("371002", 24), ("37", 15)]
AS_OF = [at(5, 25, 12), at(5, 26, 9, 0), at(5, 26, 9, 1)]  # before, at and after the late records


async def snapshot(db: Database) -> list[object]:
    """Everything the read side answers: tables (with breakdowns), supervision list, ledger."""
    answers: list[object] = []
    async with SqlUnitOfWork(db, write=False) as uow:
        for region, cutoff_day in CUTS:
            for period in ("2024-04", "2024-05", "2024-06"):
                table = await dispatch_table(
                    uow, period=period, region_code=region, catalogue=CATALOGUE, cutoff_day=cutoff_day
                )
                answers.append(replace(table, as_of=None, computed_at=None))  # the figures, not the clock
            for as_of in AS_OF:  # as known at moments between the late records
                table = await dispatch_table(
                    uow, period="2024-05", region_code=region, catalogue=CATALOGUE, as_of=as_of
                )
                answers.append(replace(table, computed_at=None))
        answers.append(
            await all_supervision_items(uow, SupervisionQuery(region_prefix="37", today=TODAY, status="all"))
        )
        answers.append((await hazard_ledger(uow, LedgerQuery(region_prefix="", limit=500))).items)
        for as_of in AS_OF:
            answers.append((await hazard_ledger(uow, LedgerQuery(region_prefix="", limit=500, as_of=as_of))).items)
        daily = select(hazard_daily).where(hazard_daily.c.delta != 0)  # every bucket, not only those read above
        answers.append(sorted(tuple(row) for row in await uow.conn.execute(daily)))
        for table in (hazard_rollup, hazard_late_rollup):
            rows = await uow.conn.execute(select(table).where(or_(*(table.c[name] != 0 for name in MEASURES))))
            answers.append(sorted(tuple(row) for row in rows))
        logged = select(*(column for column in hazard_changes.c if column.name != "id"))
        answers.append(sorted(tuple(row) for row in await uow.conn.execute(logged)))
    return answers


def deliveries(seed: int) -> list[CloudEvent]:
    """Every event, a third of them twice, in a random order (versions of one aggregate reordered too)."""
    rng = random.Random(seed)
    events = interleave([*hazard_streams("t").values(), *enterprise_streams("t").values()])
    events = events + rng.sample(events, len(events) // 3)
    rng.shuffle(events)
    return events


async def _apply(db: Database, runners: dict[str, ConsumerRunner], events: list[CloudEvent]) -> None:
    """One batch in one transaction, set-wise per stream, as `ConsumerRunner.handle_batch` applies it."""
    async with db.write() as conn:
        for context, runner in runners.items():
            await runner.apply_events(conn, [event for event in events if event.type.startswith(f"{context}.")])


async def apply_through_runners(db: Database, events: list[CloudEvent], batch: int) -> None:
    """Batches in one transaction each; a failed batch (a deadlock between replicas) is retried one
    event at a time, as `ConsumerRunner.handle_batch` does with a redelivery."""
    runners = replay_runners(db)
    for start in range(0, len(events), batch):
        chunk = events[start : start + batch]
        try:
            await _apply(db, runners, chunk)
        except DBAPIError:
            for event in chunk:
                for attempt in range(20):
                    try:
                        await _apply(db, runners, [event])
                        break
                    except DBAPIError:
                        await asyncio.sleep(0.01 * (attempt + 1))
                else:
                    raise AssertionError(f"event {event.id} never applied")


async def _fresh(new_database: NewDatabase) -> Database:
    return Database(await asyncio.to_thread(new_database))


async def test_duplicated_and_shuffled_deliveries_give_identical_answers(new_database: NewDatabase) -> None:
    direct, consumed = await _fresh(new_database), await _fresh(new_database)
    await project(direct, interleave([*hazard_streams("t").values(), *enterprise_streams("t").values()]))
    await apply_through_runners(consumed, deliveries(seed=5), batch=17)
    assert await snapshot(consumed) == await snapshot(direct)
    async with consumed.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(pending_events)) == 0
    await direct.dispose()
    await consumed.dispose()


async def test_concurrent_projectors_sharing_the_database_agree(new_database: NewDatabase) -> None:
    """Three projector workers, each fed an overlapping, reordered share of the deliveries."""
    direct, shared = await _fresh(new_database), await _fresh(new_database)
    await project(direct, interleave([*hazard_streams("t").values(), *enterprise_streams("t").values()]))
    await asyncio.gather(*(apply_through_runners(shared, deliveries(seed), batch=5) for seed in (1, 2, 3)))
    assert await snapshot(shared) == await snapshot(direct)
    await direct.dispose()
    await shared.dispose()


async def _replayed(events: list[CloudEvent]) -> AsyncIterator[CloudEvent]:
    for event in events:
        yield event


async def test_rebuild_empties_the_read_models_and_replays_to_the_same_answers(new_database: NewDatabase) -> None:
    db = await _fresh(new_database)
    await apply_through_runners(db, deliveries(seed=11), batch=50)
    before = await snapshot(db)
    async with SqlUnitOfWork(db) as uow:
        await submit(
            uow,
            period="2024-05",
            region_code="3710",
            catalogue=CATALOGUE,
            actor=INSPECTOR,
            filled_by="孙填表",
            reviewed_by="李审核",
            section4={},
            filled_on=date(2024, 5, 25),
        )
    steps: list[str] = []
    await reset_read_models(db, progress=lambda step, done, total: steps.append(step))
    async with db.read() as conn:
        assert await conn.scalar(select(func.count()).select_from(hazard_daily)) == 0
        assert await conn.scalar(select(func.count()).select_from(consumer_progress)) == 0
        assert await conn.scalar(select(func.count()).select_from(report_submissions)) == 1  # never touched
    assert steps[0] == "truncate hazard_daily" and len(steps) == len(READ_MODELS) + 2
    counts: list[int] = []
    replayed = await replay(
        db, _replayed(deliveries(seed=12)), batch_size=40, progress=lambda step, done, total: counts.append(done)
    )
    assert replayed == counts[-1] == len(deliveries(seed=12))
    assert await snapshot(db) == before
    await db.dispose()
