"""Submitting a period's dispatch table: its figures are frozen and never change afterwards.

A submission is unique per (period, region, industry); submitting again is a 409 Conflict. The live
figures keep moving (late and back-dated events), and `compare` shows how they moved since.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import Actor
from hl_platform.errors import Conflict, InvalidInput, NotFound
from hl_reporting.adapters.tables import report_submissions
from hl_reporting.application.queries import dispatch_table
from hl_reporting.application.regions import RegionTree
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, business_day
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES, FROM_TIPS, MANUAL_FIGURES, Figure, Kind
from hl_reporting.domain.report import (
    DispatchTable,
    FigureValue,
    Signoff,
    decode,
    decode_breakdown,
    encode,
    encode_table,
)


@dataclass(frozen=True)
class Submission:
    id: str
    table: DispatchTable  # the figures as frozen at submission
    cutoff_day: int
    signoff: Signoff
    submitted_at: datetime
    submitted_by: Actor


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    frozen: FigureValue
    live: FigureValue
    difference: int | Decimal | None  # live − frozen, for numbers


@dataclass(frozen=True)
class Comparison:
    submission: Submission
    live: DispatchTable
    figures: tuple[FigureChange, ...]

    @property
    def changed(self) -> tuple[FigureChange, ...]:
        return tuple(change for change in self.figures if change.frozen != change.live)


async def submit(
    conn: AsyncConnection,
    *,
    period: str,
    region_code: str,
    catalogue: RegionTree,
    actor: Actor,
    filled_by: str,
    reviewed_by: str,
    section4: Mapping[str, Any],
    industry: str | None = None,
    since: date | None = None,
    cutoff_day: int = DEFAULT_CUTOFF_DAY,
    filled_on: date | None = None,
    now: datetime | None = None,
) -> Submission:
    """Freeze the period's current figures with the hand-entered section 四 and the footer."""
    manual = validate_section4(section4)
    existing = await _find(conn, period, region_code, industry)
    if existing is not None:
        raise Conflict(f"the {period} report of {region_code} is already submitted", existing_id=existing["id"])
    table = await dispatch_table(
        conn,
        period=period,
        region_code=region_code,
        catalogue=catalogue,
        industry=industry,
        since=since,
        cutoff_day=cutoff_day,
    )
    now = now or datetime.now(UTC)
    submission = Submission(
        id=str(uuid.uuid4()),
        table=table,
        cutoff_day=cutoff_day,
        signoff=Signoff(filled_by, reviewed_by, filled_on or business_day(now), manual),
        submitted_at=now,
        submitted_by=actor,
    )
    try:
        async with conn.begin_nested():
            await conn.execute(insert(report_submissions).values(_values(submission)))
    except IntegrityError as exc:  # another request submitted the same report meanwhile
        raced = await _find(conn, period, region_code, industry)
        raise Conflict(
            f"the {period} report of {region_code} is already submitted", existing_id=raced["id"] if raced else None
        ) from exc
    return submission


async def get_submission(
    conn: AsyncConnection, *, period: str, region_code: str, industry: str | None = None
) -> Submission:
    row = await _find(conn, period, region_code, industry)
    if row is None:
        raise NotFound(f"no submitted {period} report for {region_code}")
    return _submission(row)


async def compare(
    conn: AsyncConnection, *, period: str, region_code: str, catalogue: RegionTree, industry: str | None = None
) -> Comparison:
    """The frozen figures beside the live ones (same window), figure by figure."""
    submission = await get_submission(conn, period=period, region_code=region_code, industry=industry)
    frozen = submission.table
    live = await dispatch_table(
        conn,
        period=period,
        region_code=region_code,
        catalogue=catalogue,
        industry=industry,
        since=frozen.since,
        cutoff_day=submission.cutoff_day,
    )
    changes = tuple(_change(figure, frozen.value(figure.key), live.value(figure.key)) for figure in COMPUTED_FIGURES)
    return Comparison(submission, live, changes)


def _change(figure: Figure, frozen: FigureValue, live: FigureValue) -> FigureChange:
    numeric = (int, Decimal)
    both = isinstance(frozen, numeric) and isinstance(live, numeric) and not isinstance(frozen, bool)
    difference = live - frozen if both else None  # type: ignore[operator]
    return FigureChange(figure.key, figure.label, frozen, live, difference)


def validate_section4(raw: Mapping[str, Any]) -> dict[str, FigureValue]:
    """Section 四 as typed values; a missing figure is left blank (None)."""
    known = {figure.key: figure for figure in MANUAL_FIGURES}
    for key in raw:
        if key in FROM_TIPS:
            raise InvalidInput(f"section4.{key}", "is computed from the tips' paid rewards, not entered")
        if key not in known:
            raise InvalidInput(f"section4.{key}", "is not a figure of section 四")
    return {key: _manual_value(figure, raw.get(key)) for key, figure in known.items()}


def _manual_value(figure: Figure, value: Any) -> FigureValue:
    field = f"section4.{figure.key}"
    if value is None:
        return None
    if figure.kind is Kind.FLAG:
        if not isinstance(value, bool):
            raise InvalidInput(field, "must be true or false")
        return value
    if figure.kind is Kind.AMOUNT:
        try:
            amount = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
        except InvalidOperation as exc:
            raise InvalidInput(field, "must be an amount in 万元") from exc
        if not amount.is_finite() or amount < 0:
            raise InvalidInput(field, "must be an amount in 万元, not negative")
        return amount
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(field, "must be a whole number, not negative")
    return value


async def _find(conn: AsyncConnection, period: str, region_code: str, industry: str | None) -> RowMapping | None:
    t = report_submissions
    query = select(t).where(t.c.period == period, t.c.region_code == region_code, t.c.industry == (industry or ""))
    return (await conn.execute(query)).mappings().first()


def _values(submission: Submission) -> dict[str, Any]:
    table, signoff, actor = submission.table, submission.signoff, submission.submitted_by
    frozen = encode_table(table)
    return {
        "id": submission.id,
        "period": table.period,
        "region_code": table.region_code,
        "industry": table.industry or "",
        "since": table.since,
        "cutoff": table.cutoff,
        "cutoff_day": submission.cutoff_day,
        "region_name": table.region_name,
        "filled_by": signoff.filled_by,
        "reviewed_by": signoff.reviewed_by,
        "filled_on": signoff.filled_on,
        "section4": encode(signoff.section4),
        "figures": frozen["figures"],
        "breakdown": frozen["breakdown"],
        "submitted_at": submission.submitted_at,
        "submitted_by_id": actor.id,
        "submitted_by_name": actor.name,
        "submitted_by_role": actor.role,
        "submitted_by_org": actor.organisation,
    }


def _submission(row: RowMapping) -> Submission:
    table = DispatchTable(
        period=row["period"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        industry=row["industry"] or None,
        since=row["since"],
        cutoff=row["cutoff"],
        figures=decode(row["figures"]),
        breakdown=decode_breakdown(row["breakdown"]),
    )
    actor = Actor(
        id=row["submitted_by_id"],
        name=row["submitted_by_name"],
        role=row["submitted_by_role"],
        organisation=row["submitted_by_org"],
    )
    signoff = Signoff(row["filled_by"], row["reviewed_by"], row["filled_on"], decode(row["section4"]))
    return Submission(row["id"], table, row["cutoff_day"], signoff, row["submitted_at"], actor)
