"""Projection generations: rebuild the read models beside the live ones, then switch over.

Generation 0 is the reporting service's own database. A rebuild makes generation n+1 in a fresh
database, loads every stream into it without acks up to the sequence it had at the start
(`bulk_load`), then lets the other set of durables (`reporting-hazard-b` after `reporting-hazard`,
and back), created right after that sequence, catch up with what was published meanwhile; it
copies the frozen submissions, and records the generation as active in the service's own database.
Every reporting process polls that record and switches its reads and its consumers over without a
restart, so reports are served throughout, from complete tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import make_url

from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database, is_sqlite
from hl_platform.migrate import upgrade
from hl_platform.nats_io import ConsumerSpec
from hl_platform.runtime import Runtime, Subscription
from hl_reporting.adapters.projection import (
    ENTERPRISE_SPEC,
    HAZARD_SPEC,
    REBUILD_BATCH_SIZE,
    EnterpriseProjection,
    HazardProjection,
)
from hl_reporting.adapters.tables import projection_generation, report_submissions
from hl_reporting.adapters.tip_rewards import TIPS_SPEC, TipRewardProjection
from hl_reporting.application.bulk_load import CHUNK_EVENTS, load_stream

log = structlog.get_logger(__name__)
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Generation:
    number: int
    url: str | None  # None: the service's own database

    def durable(self, base: str) -> str:
        """Generations alternate between two durable names, so that the NATS permissions of the
        reporting user can name them all (a rebuild deletes the target's durables first)."""
        return base if self.number % 2 == 0 else f"{base}-b"

    def specs(self) -> list[ConsumerSpec]:
        return [
            ConsumerSpec(stream=spec.stream, durable=self.durable(spec.durable))
            for spec in (HAZARD_SPEC, ENTERPRISE_SPEC, TIPS_SPEC)
        ]

    def subscriptions(self) -> list[Subscription]:
        hazard, enterprise, tips = self.specs()
        return [
            Subscription(hazard, HazardProjection()),
            Subscription(enterprise, EnterpriseProjection()),
            Subscription(tips, TipRewardProjection()),
        ]


async def active_generation(base: Database) -> Generation:
    async with base.read() as conn:
        row = (await conn.execute(select(projection_generation).where(projection_generation.c.id == 1))).one_or_none()
    return Generation(row.generation, row.database_url) if row else Generation(0, None)


async def activate(base: Database, generation: Generation) -> None:
    async with base.write() as conn:
        await conn.execute(delete(projection_generation))
        await conn.execute(
            insert(projection_generation).values(
                id=1, generation=generation.number, database_url=generation.url, switched_at=datetime.now(UTC)
            )
        )


class GenerationWatch:
    """Keeps a reporting process on the active generation (checked at start and every few seconds)."""

    def __init__(self, runtime: Runtime, interval: float = 2.0) -> None:
        self.runtime = runtime
        self.base = Database(runtime.settings.db_url)
        self.current: Generation | None = None
        self.interval = interval

    async def prepare(self, runtime: Runtime) -> None:
        await self._follow(grace=0.0)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                try:
                    await self._follow()
                except Exception as exc:  # the database is away: keep serving what we have
                    log.warning("generation.check_failed", error=repr(exc))
        await self.base.dispose()

    async def _follow(self, grace: float = 1.0) -> None:
        active = await active_generation(self.base)
        if active == self.current:
            return
        previous, self.current = self.current, active
        await self.runtime.switch_database(active.url or self.runtime.settings.db_url, active.subscriptions(), grace)
        if previous is not None:
            log.info("generation.switched", generation=active.number)
            if self.runtime.nc is not None:
                await delete_durables(self.runtime.js(), previous)


async def delete_durables(js: JetStreamContext, generation: Generation) -> None:
    for spec in generation.specs():
        try:
            await js.delete_consumer(spec.stream, spec.durable)
        except NotFoundError:
            pass


def next_database_url(base_url: str, number: int) -> str:
    """Beside the service's own database: `reporting-g2.db`, or the PostgreSQL database `<name>_g2`."""
    url = make_url(base_url)
    if is_sqlite(base_url):
        path = url.database or "reporting.db"
        stem, dot, suffix = path.rpartition(".")
        return str(url.set(database=f"{stem}-g{number}{dot}{suffix}" if dot else f"{path}-g{number}"))
    return url.set(database=f"{url.database}_g{number}").render_as_string(hide_password=False)


async def _create_database(base_url: str, target_url: str) -> None:
    if is_sqlite(base_url):
        return
    import psycopg

    admin = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    name = make_url(target_url).database
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as conn:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')


async def _copy_submissions(source: Database, target: Database) -> int:
    """Copy the frozen reports the target lacks (run before and again after the switch)."""
    async with target.read() as conn:
        present = set((await conn.scalars(select(report_submissions.c.id))).all())
    async with source.read() as conn:
        rows = [
            dict(row) for row in (await conn.execute(select(report_submissions))).mappings() if row["id"] not in present
        ]
    if rows:
        async with target.write() as conn:
            await conn.execute(insert(report_submissions), rows)
    return len(rows)


async def _catch_up(runner: ConsumerRunner, js: JetStreamContext, progress: Progress, stall_s: float = 120.0) -> None:
    """Consume until the durable has nothing pending; progress in stream sequence numbers.

    Gives up (raises) when nothing moves for `stall_s`, rather than wait for ever.
    """
    try:
        await js.stream_info(runner.spec.stream)
    except NotFoundError:  # its owner never published anything: nothing to replay
        log.info("generation.no_stream", stream=runner.spec.stream)
        return
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    loop = asyncio.get_running_loop()
    moved_at, seen = loop.time(), -1
    try:
        while True:
            await asyncio.sleep(0.2)
            if task.done():
                task.result()
            if loop.time() - moved_at > stall_s:
                raise TimeoutError(f"replaying {runner.spec.stream} made no progress for {stall_s:.0f} s")
            try:
                info = await js.consumer_info(runner.spec.stream, runner.spec.durable)
            except NotFoundError:
                continue  # not provisioned yet
            if info.delivered.stream_seq != seen:
                moved_at, seen = loop.time(), info.delivered.stream_seq
            last = (await js.stream_info(runner.spec.stream)).state.last_seq
            progress(runner.spec.stream, info.delivered.stream_seq, last)
            if info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= last:
                return
    finally:
        stop.set()
        await task


async def rebuild(
    base_url: str,
    js: JetStreamContext,
    progress: Progress,
    switch_wait: float = 5.0,
    *,
    chunk_events: int = CHUNK_EVENTS,
) -> Generation:
    """Build the next generation from the streams and make it the active one.

    `chunk_events`: events per transaction of the load (see `bulk_load`).
    """
    base = Database(base_url)
    current = await active_generation(base)
    target = Generation(current.number + 1, next_database_url(base_url, current.number + 1))
    assert target.url is not None
    await _create_database(base_url, target.url)
    await asyncio.to_thread(upgrade, "reporting", target.url)
    target_db = Database(target.url)
    source_db = Database(current.url or base_url)
    await delete_durables(js, target)  # a rebuild that died half-way starts again from the start
    for subscription in target.subscriptions():
        runner = ConsumerRunner(
            target_db, lambda: js, subscription.spec, subscription.projection, batch_size=REBUILD_BATCH_SIZE
        )
        await load_stream(runner, js, progress, chunk_events=chunk_events)
        await _catch_up(runner, js, progress)
    copied = await _copy_submissions(source_db, target_db)
    await activate(base, target)
    # Processes switch within their poll interval; a report submitted to the old generation
    # meanwhile is carried over here.
    await asyncio.sleep(switch_wait)
    copied += await _copy_submissions(source_db, target_db)
    log.info("generation.built", generation=target.number, submissions=copied)
    for db in (base, target_db, source_db):
        await db.dispose()
    return target
