"""Reading the facts recorded after a moment that moved a table's figures (`application/late_facts.py`).

A submitted table stands at its submission; the live one has moved since. Every move of a hazard
figure is a step logged in `hazard_changes` with the moment it was recorded, so the facts behind
the moves are the logged steps recorded after the submission that land in the window: those
recorded up to the end of the window's last day (at most a few days' records, by the recorded-time
index), and after that only late ones (back-dated facts, voids: the late index). Sections 二 and 三
move by inspections and enforcement actions recorded later (`enforcement_changes`, the marks).
Each fact carries what it changed in each figure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_reporting.adapters.bucket_reads import in_region
from hl_reporting.adapters.tables import enforcement_changes, enterprise_marks, hazard_changes
from hl_reporting.application.late_facts import COUNTABLE, MAX_FACTS, LateFact, Window
from hl_reporting.domain.calendar import end_of_day, start_of_day
from hl_reporting.domain.enterprise_figures import INSPECTED, PENALTY_AMOUNT_FEN
from hl_reporting.domain.figures import Sums, compute_figures, wan
from hl_reporting.domain.measures import MEASURES, sums_of
from hl_reporting.domain.report import FigureValue


def _narrow(query: Select[Any], table: Any, window: Window) -> Select[Any]:
    query = query.where(in_region(table.c.region_code, window.region_code))
    return query.where(table.c.industry == window.industry) if window.industry else query


async def facts_after(conn: AsyncConnection, window: Window, after: datetime) -> tuple[list[LateFact], int]:
    """The facts recorded after `after` that moved the window's figures, oldest first (at most
    `MAX_FACTS` of them), and how many there are."""
    facts = [
        *await _hazard_facts(conn, window, after),
        *await _enforcement_facts(conn, window, after),
        *await _mark_facts(conn, window, after),
    ]
    facts = [fact for fact in facts if any(fact.changes.values())]
    facts.sort(key=lambda fact: (fact.recorded_at, fact.subject, fact.version or 0))
    return facts[:MAX_FACTS], len(facts)


async def _hazard_facts(conn: AsyncConnection, window: Window, after: datetime) -> list[LateFact]:
    t = hazard_changes
    day_ends = end_of_day(window.through)
    spans: list[ColumnElement[bool]] = []
    if after < day_ends:
        spans.append(and_(t.c.recorded_at > after, t.c.recorded_at < day_ends))
    spans.append(and_(t.c.late.is_(True), t.c.recorded_at >= max(day_ends, after), t.c.recorded_at > after))
    keys = (t.c.hazard_id, t.c.version, t.c.event_type, t.c.occurred_at, t.c.recorded_at)
    facts = []
    for span in spans:
        query = select(*keys, *(func.sum(t.c[name]) for name in MEASURES)).where(
            span, t.c.cohort_day >= window.since, t.c.day <= window.through
        )
        query = _narrow(query, t, window).group_by(*keys)
        for hazard_id, version, event_type, occurred_at, recorded_at, *values in await conn.execute(query):
            measures = {name: int(value) for name, value in zip(MEASURES, values, strict=True) if value}
            figures = compute_figures(Sums(hazards=sums_of([measures])))
            facts.append(LateFact(hazard_id, event_type, version, occurred_at, recorded_at, _countable(figures)))
    return facts


def _countable(figures: dict[str, FigureValue]) -> dict[str, FigureValue]:
    return {key: value for key, value in figures.items() if key in COUNTABLE and value}


async def _enforcement_facts(conn: AsyncConnection, window: Window, after: datetime) -> list[LateFact]:
    t = enforcement_changes
    query = select(t.c.enterprise_id, t.c.version, t.c.event_type, t.c.day, t.c.recorded_at, t.c.metric, t.c.delta)
    query = _narrow(query, t, window).where(t.c.recorded_at > after, t.c.day >= window.since, t.c.day <= window.through)
    grouped: dict[tuple[Any, ...], dict[str, FigureValue]] = {}
    for enterprise_id, version, event_type, day, recorded_at, metric, delta in await conn.execute(query):
        changes = grouped.setdefault((enterprise_id, event_type, version, day, recorded_at), {})
        if metric == PENALTY_AMOUNT_FEN:
            changes["administrative_penalty_amount_wan"] = wan(delta)
        else:
            changes[metric] = int(delta)
    return [
        LateFact(subject, event_type, version, start_of_day(day), recorded_at, changes)
        for (subject, event_type, version, day, recorded_at), changes in grouped.items()
    ]


async def _mark_facts(conn: AsyncConnection, window: Window, after: datetime) -> list[LateFact]:
    """Enterprises first marked after the moment (a mark moves its figure if no earlier one did)."""
    t = enterprise_marks
    query = select(t.c.enterprise_id, t.c.mark, t.c.day, t.c.recorded_at)
    query = _narrow(query, t, window).where(t.c.recorded_at > after, t.c.day >= window.since, t.c.day <= window.through)
    grouped: dict[tuple[Any, ...], dict[str, FigureValue]] = {}
    for enterprise_id, mark, day, recorded_at in await conn.execute(query):
        grouped.setdefault((enterprise_id, _mark_event(mark), day, recorded_at), {})[mark] = 1
    return [
        LateFact(subject, event_type, None, start_of_day(day), recorded_at, changes)
        for (subject, event_type, day, recorded_at), changes in grouped.items()
    ]


def _mark_event(mark: str) -> str:
    inspected = mark == INSPECTED or mark.startswith("deficiency_")
    return "enterprise.inspected" if inspected else "enterprise.enforcement_recorded"
