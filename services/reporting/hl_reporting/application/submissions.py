"""Submitting a period's table: its figures are frozen and never change afterwards.

A submission is unique per (period, region, industry); submitting again is a 409 Conflict. Its
figures are the table as known at the moment of submission (`as_of` = submitted_at), so reading
the live table as of that moment later gives them again. Submitting before the cut-off is allowed
(如遇节假日提前上报): the figures then stand at that moment. The live figures keep moving (late and
back-dated facts), and `compare` shows each cell that moved and the facts recorded since that moved it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hl_contracts import Actor
from hl_platform.errors import Conflict, InvalidInput, NotFound
from hl_reporting.application.late_facts import LateFact, Window, facts_for
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.ports import UnitOfWork
from hl_reporting.application.queries import dispatch_table
from hl_reporting.application.regions import RegionTree
from hl_reporting.application.views import Submission
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, business_day
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES, FROM_TIPS, MANUAL_FIGURES, Figure, Kind
from hl_reporting.domain.report import ComputedTable, FigureValue, Signoff


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    frozen: FigureValue
    live: FigureValue
    difference: int | Decimal | None  # live − frozen, for numbers
    facts: tuple[LateFact, ...] = ()  # the facts recorded after the submission that moved it


@dataclass(frozen=True)
class Comparison:
    submission: Submission
    live: ComputedTable
    figures: tuple[FigureChange, ...]
    facts_count: int = 0  # every fact recorded since that moved a figure (the lists hold at most MAX_FACTS)

    @property
    def changed(self) -> tuple[FigureChange, ...]:
        return tuple(change for change in self.figures if change.frozen != change.live)


async def submit(
    uow: UnitOfWork,
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
    existing = await uow.submissions.find(period, region_code, industry)
    if existing is not None:
        raise Conflict(f"the {period} report of {region_code} is already submitted", existing_id=existing.id)
    now = now or datetime.now(UTC)
    table = await dispatch_table(
        uow,
        period=period,
        region_code=region_code,
        catalogue=catalogue,
        industry=industry,
        since=since,
        cutoff_day=cutoff_day,
        as_of=now,
        now=now,
    )
    submission = Submission(
        id=str(uuid.uuid4()),
        table=replace(table, draft=False),
        cutoff_day=cutoff_day,
        signoff=Signoff(filled_by, reviewed_by, filled_on or business_day(now), manual),
        submitted_at=now,
        submitted_by=actor,
    )
    await uow.submissions.add(submission)  # a racing twin is a Conflict here (the store's unique key)
    return submission


async def get_submission(uow: UnitOfWork, *, period: str, region_code: str, industry: str | None = None) -> Submission:
    found = await uow.submissions.find(period, region_code, industry)
    if found is None:
        raise NotFound(f"no submitted {period} report for {region_code}")
    return found


async def submission_by_id(uow: UnitOfWork, submission_id: str, *, period: str | None = None) -> Submission:
    """One submission; NotFound if there is none by that id (in that period, when given)."""
    found = await uow.submissions.by_id(submission_id)
    if found is None or (period is not None and found.table.period != period):
        raise NotFound(f"no submission {submission_id}" + (f" for {period}" if period else ""))
    return found


async def list_submissions(
    uow: UnitOfWork,
    *,
    period: str,
    region_prefix: str,
    industry: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> CursorPage[Submission]:
    """The period's submissions in a region subtree, by region code then industry."""
    return await uow.submissions.page(
        period=period, region_prefix=region_prefix, industry=industry, cursor=cursor, limit=limit
    )


async def submissions_of(uow: UnitOfWork, *, period: str, region_codes: list[str]) -> list[Submission]:
    """Every submission of the period by these regions (any industry)."""
    return await uow.submissions.of_regions(period, region_codes)


async def compare(
    uow: UnitOfWork,
    *,
    submission_id: str,
    catalogue: RegionTree,
    period: str | None = None,
    now: datetime | None = None,
) -> Comparison:
    """The frozen figures beside the live ones (same window), the cells that moved and the facts
    recorded since the submission that moved them."""
    submission = await submission_by_id(uow, submission_id, period=period)
    frozen = submission.table
    live = await dispatch_table(
        uow,
        period=frozen.period,
        region_code=frozen.region_code,
        catalogue=catalogue,
        industry=frozen.industry,
        since=frozen.since,
        cutoff_day=submission.cutoff_day,
        now=now,
    )
    window = Window(frozen.region_code, frozen.industry, frozen.since, live.through)
    facts, count = await uow.late_facts.after(window, submission.submitted_at)
    changes = tuple(
        _change(figure, frozen.value(figure.key), live.value(figure.key), facts) for figure in COMPUTED_FIGURES
    )
    return Comparison(submission, live, changes, count)


def _change(figure: Figure, frozen: FigureValue, live: FigureValue, facts: list[LateFact]) -> FigureChange:
    numeric = (int, Decimal)
    both = isinstance(frozen, numeric) and isinstance(live, numeric) and not isinstance(frozen, bool)
    difference = live - frozen if both else None  # type: ignore[operator]
    moved_by = tuple(facts_for(figure.key, facts)) if frozen != live else ()
    return FigureChange(figure.key, figure.label, frozen, live, difference, moved_by)


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
