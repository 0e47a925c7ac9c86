"""Reads and writes of `hazard_summaries`, the hazard service's list view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_hazard.adapters.tables import hazard_summaries
from hl_hazard.application.ports import HazardFilters
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.cursors import decode_cursor, encode_cursor
from hl_platform.sql import dialect_insert


def _upsert(dialect: str) -> Any:
    stmt = dialect_insert(dialect, hazard_summaries)
    return stmt.on_conflict_do_update(
        index_elements=[hazard_summaries.c.id],
        set_={c.name: stmt.excluded[c.name] for c in hazard_summaries.c if c.name != "id"},
    )


# One statement per command (it was a delete and an insert), built once per dialect so that its
# compiled form is cached; both dialects spell an upsert the same way.
_UPSERTS = {dialect: _upsert(dialect) for dialect in ("sqlite", "postgresql")}


async def save_summary(conn: AsyncConnection, hazard: Hazard) -> None:
    """Write the hazard's row, in the transaction that appends its events."""
    await conn.execute(_UPSERTS[conn.dialect.name], summary_row(hazard))


async def save_summaries(conn: AsyncConnection, hazards: Sequence[Hazard]) -> None:
    """Write the hazards' rows in one statement (executemany), as a backfill does."""
    if hazards:
        await conn.execute(_UPSERTS[conn.dialect.name], [summary_row(hazard) for hazard in hazards])


def summary_row(hazard: Hazard) -> dict[str, Any]:
    s = hazard.snapshot()
    listing = s["listing"]
    return {
        "id": hazard.id,
        "version": hazard.version,
        "enterprise_id": s["enterprise_id"],
        "region_code": s["region_code"],
        "industry": s["industry"],
        "source": s["source"],
        "level": s["level"],
        "status": s["status"],
        "title": s["title"],
        "found_at": hazard.found_at,
        "deadline": hazard.deadline,
        "listed_level": listing["level"] if listing else None,
        "overdue": bool(s["overdue"]),
        "overdue_deadline": hazard.overdue_notified_for,
        "snapshot": s,
        "approach_reminded_for": hazard.approach_reminded_for,
        "overdue_notices": hazard.overdue_notices,
        "rectified_at": hazard.rectification.completed_at
        if s["status"] == "rectified" and hazard.rectification
        else None,
        "acceptance_reminded_for": hazard.acceptance_reminded_for,
    }


def _filtered(filters: HazardFilters) -> Select[Any]:
    c = hazard_summaries.c
    query = select(c.id).where(c.region_code.startswith(filters.region_code, autoescape=True))
    for column, value in (
        (c.enterprise_id, filters.enterprise_id),
        (c.industry, filters.industry),
        (c.level, filters.level),
        (c.source, filters.source),
        (c.status, filters.status),
        (c.overdue, filters.overdue),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.listed is not None:
        query = query.where(c.listed_level.is_not(None) if filters.listed else c.listed_level.is_(None))
    return query


async def list_page(
    conn: AsyncConnection, filters: HazardFilters, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of hazards, newest first (ids sort by time), and the cursor for the next page."""
    c = hazard_summaries.c
    query = _filtered(filters).add_columns(c.snapshot).order_by(c.id.desc()).limit(limit + 1)
    if cursor:
        query = query.where(c.id < decode_cursor(cursor))
    rows = (await conn.execute(query)).all()
    page = rows[:limit]
    return [row.snapshot for row in page], encode_cursor(page[-1].id) if len(rows) > limit and page else None


async def due_for_overdue(conn: AsyncConnection, today: date, limit: int = 500) -> list[str]:
    """Hazards whose deadline ended before `today` and that still owe an overdue event."""
    c = hazard_summaries.c
    query = (
        select(c.id)
        .where(c.status.in_(("reported", "rectifying")), c.deadline < today)
        .where((c.overdue_deadline.is_(None)) | (c.overdue_deadline != c.deadline))
        .limit(limit)
    )
    return list((await conn.scalars(query)).all())


async def due_for_reminders(
    conn: AsyncConnection, today: date, now: datetime, schedule: ReminderSchedule, limit: int = 500
) -> list[str]:
    """Hazards that may owe a reminder (domain/reminders.py decides): a superset, never a miss."""
    query = select(hazard_summaries.c.id).where(
        or_(_approaching(today, schedule), _overdue_notices(today, schedule), _awaiting(now, schedule))
    )
    return list((await conn.scalars(query.limit(limit))).all())


def _approaching(today: date, schedule: ReminderSchedule) -> ColumnElement[bool]:
    c = hazard_summaries.c
    by_level = [
        and_(c.level == level.value, c.deadline <= today + timedelta(days=days))
        for level, days in schedule.days_before.items()
        if days > 0
    ]
    if not by_level:
        return false()
    not_reminded = c.approach_reminded_for.is_(None) | (c.approach_reminded_for != c.deadline)
    return and_(c.status.in_(("reported", "rectifying")), c.deadline >= today, or_(*by_level), not_reminded)


def _overdue_notices(today: date, schedule: ReminderSchedule) -> ColumnElement[bool]:
    c = hazard_summaries.c
    # Notice n + 1 is due once the hazard is overdue by the schedule's n-th day count.
    due = [
        and_(c.overdue_notices <= notice, c.deadline <= today - timedelta(days=days))
        for notice, days in enumerate(schedule.overdue_notice_days, start=1)
    ]
    if not due:
        return false()
    return and_(c.status.in_(("reported", "rectifying")), c.overdue_deadline == c.deadline, or_(*due))


def _awaiting(now: datetime, schedule: ReminderSchedule) -> ColumnElement[bool]:
    c = hazard_summaries.c
    if schedule.acceptance_days <= 0:
        return false()
    # A day of slack: the domain counts Shanghai calendar days, the column holds an instant.
    waited = c.rectified_at.is_(None) | (c.rectified_at <= now - timedelta(days=schedule.acceptance_days - 1))
    not_reminded = c.acceptance_reminded_for.is_(None) | (c.acceptance_reminded_for != c.rectified_at)
    return and_(c.status == "rectified", waited, not_reminded)
