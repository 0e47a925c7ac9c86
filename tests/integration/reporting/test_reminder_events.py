"""Reminder events pass through the reporting projector: no figure moves, and its progress does
(a later event of the same hazard is applied, not held behind a version it skipped)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from hl_contracts import CloudEvent, EventData
from hl_contracts.reminders import HazardAcceptanceReminded, HazardDeadlineApproaching, HazardOverdueReminded
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.nats_io import ConsumerSpec
from hl_platform.tables import consumer_progress, pending_events
from hl_reporting.adapters.projection import HazardProjection
from hl_reporting.adapters.tables import hazard_daily, hazard_rollup, hazard_state
from tests.support.db import migrated
from tests.support.events import found, next_event

SPEC = ConsumerSpec(stream="HL_HAZARD", durable="reporting-hazard")


def _then(previous: CloudEvent, data: EventData) -> CloudEvent:
    return CloudEvent.create(
        data=data,
        service="hazard",
        aggregate_id=previous.subject,
        sequence=previous.sequence + 1,
        region_code=previous.regioncode,
        industry=previous.industry,
        actor=previous.actor,
        time=previous.time + timedelta(minutes=1),
    )


def _history(with_reminders: bool) -> list[CloudEvent]:
    first = found("hz-reminded")
    plan = next_event(first, "plan")
    events = [first, plan]
    if with_reminders:
        deadline, at = plan.payload().model_dump()["deadline"], plan.time
        events.append(_then(events[-1], HazardDeadlineApproaching(deadline=deadline, days_left=0, detected_at=at)))
        events.append(
            _then(events[-1], HazardOverdueReminded(deadline=deadline, notice=2, days_overdue=7, detected_at=at))
        )
    fix = next_event(events[-1], "rectified")
    events.append(fix)
    if with_reminders:
        completed = fix.payload().model_dump()["completed_at"]
        events.append(
            _then(fix, HazardAcceptanceReminded(completed_at=completed, days_waiting=7, detected_at=fix.time))
        )
    return events


async def _project(db: Database, events: list[CloudEvent]) -> list[str]:
    runner = ConsumerRunner(db, lambda: None, SPEC, HazardProjection())  # type: ignore[arg-type, return-value]
    outcomes = []
    for event in events:  # one batch per event, as a quiet stream delivers them
        async with db.write() as conn:
            outcomes += await runner.apply_events(conn, [event])
    return outcomes


async def _figures(db: Database) -> list[list[tuple[object, ...]]]:
    async with db.read() as conn:
        daily = await conn.execute(select(hazard_daily).where(hazard_daily.c.delta != 0))
        rollup = await conn.execute(select(hazard_rollup))
        return [sorted(tuple(row) for row in daily), sorted(tuple(row) for row in rollup)]


async def test_reminders_move_the_progress_and_no_figure(database_url: str, tmp_path: Path) -> None:
    plain = await migrated("reporting", f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    reminded = await migrated("reporting", database_url)
    await _project(plain, _history(with_reminders=False))
    events = _history(with_reminders=True)
    assert await _project(reminded, events) == ["applied"] * len(events)

    assert await _figures(reminded) == await _figures(plain)
    async with reminded.read() as conn:
        progress = (await conn.execute(select(consumer_progress.c.version))).scalar_one()
        state = (await conn.execute(select(hazard_state.c.status, hazard_state.c.version))).one()
        held = (await conn.execute(select(pending_events))).all()
    assert (progress, tuple(state), held) == (len(events), ("rectified", len(events)), [])
    await plain.dispose()
    await reminded.dispose()
