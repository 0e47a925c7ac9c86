"""The reporting service's handlers, each in one unit of work: the tables, the lists, the
submissions, who has reported, and the evaluation (wired in `bootstrap.py`).

The entrypoints check the caller's region and pass it here; the handlers read the clock and the
region catalogue they were given, never their own, so that unit tests pass a fixed day and a
small catalogue with the in-memory unit of work (`tests/unit/reporting/fakes.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from hl_contracts import Actor
from hl_reporting.application import queries, submissions
from hl_reporting.application.evaluation import SchemeSource, evaluate
from hl_reporting.application.evaluation_inputs import ReportingInputs
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery, UnitOfWorkFactory
from hl_reporting.application.regions import RegionTree
from hl_reporting.application.reporting_units import ReportingStatus, reporting_status
from hl_reporting.application.submissions import Comparison
from hl_reporting.application.views import Submission
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, PeriodKind, business_day, current_period
from hl_reporting.domain.evaluation import Evaluation
from hl_reporting.domain.listings import LedgerItem, ListedHazard
from hl_reporting.domain.report import ComputedTable

Clock = Callable[[], datetime]


class ReportingService:
    def __init__(
        self,
        units: UnitOfWorkFactory,
        regions: Callable[[], RegionTree],
        schemes: SchemeSource,
        clock: Clock | None = None,
    ) -> None:
        self.units = units
        self.regions = regions  # the catalogue, looked up when asked (it is loaded once per process)
        self.schemes = schemes
        self.clock = clock or (lambda: datetime.now(UTC))

    def this_period(self, period: str | None, now: datetime) -> str:
        """The period asked for, or the month whose dispatch window holds today."""
        return period or current_period(PeriodKind.MONTH, business_day(now)).label

    async def dispatch_table(
        self,
        *,
        period: str | None,
        region_code: str,
        industry: str | None = None,
        since: date | None = None,
        cutoff_day: int = DEFAULT_CUTOFF_DAY,
        as_of: datetime | None = None,
    ) -> ComputedTable:
        """The period's table (default: this month's) as known now, or at `as_of`: a draft."""
        now = self.clock()
        async with self.units(write=False) as uow:
            return await queries.dispatch_table(
                uow,
                period=self.this_period(period, now),
                region_code=region_code,
                industry=industry,
                since=since,
                cutoff_day=cutoff_day,
                as_of=as_of,
                now=now,
                catalogue=self.regions(),
            )

    async def supervision_list(self, query: SupervisionQuery) -> CursorPage[ListedHazard]:
        async with self.units(write=False) as uow:
            return await queries.supervision_list(uow, query, self.regions())

    async def supervision_items(self, query: SupervisionQuery) -> list[ListedHazard]:
        """Every listed hazard matching the filters (for the exports)."""
        async with self.units(write=False) as uow:
            return await queries.all_supervision_items(uow, query, self.regions())

    async def hazard_ledger(self, query: LedgerQuery) -> CursorPage[LedgerItem]:
        """The ledger; overdue judged as of today."""
        async with self.units(write=False) as uow:
            return await queries.hazard_ledger(uow, replace(query, today=business_day(self.clock())))

    async def submit(
        self,
        *,
        period: str,
        region_code: str,
        actor: Actor,
        filled_by: str,
        reviewed_by: str,
        section4: Mapping[str, Any],
        industry: str | None,
        since: date | None,
        cutoff_day: int,
    ) -> Submission:
        async with self.units() as uow:
            return await submissions.submit(
                uow,
                period=period,
                region_code=region_code,
                catalogue=self.regions(),
                actor=actor,
                filled_by=filled_by,
                reviewed_by=reviewed_by,
                section4=section4,
                industry=industry,
                since=since,
                cutoff_day=cutoff_day,
                now=self.clock(),
            )

    async def submissions(
        self, *, period: str, region_prefix: str, industry: str | None, cursor: str | None, limit: int
    ) -> CursorPage[Submission]:
        async with self.units(write=False) as uow:
            return await submissions.list_submissions(
                uow, period=period, region_prefix=region_prefix, industry=industry, cursor=cursor, limit=limit
            )

    async def submission(self, submission_id: str, *, period: str) -> Submission:
        async with self.units(write=False) as uow:
            return await submissions.submission_by_id(uow, submission_id, period=period)

    async def compare(self, submission_id: str, *, period: str) -> Comparison:
        async with self.units(write=False) as uow:
            return await submissions.compare(
                uow, submission_id=submission_id, period=period, catalogue=self.regions(), now=self.clock()
            )

    async def reporting_status(self, *, period: str, region_code: str) -> ReportingStatus:
        async with self.units(write=False) as uow:
            return await reporting_status(
                uow, period=period, region_code=region_code, catalogue=self.regions(), today=business_day(self.clock())
            )

    async def evaluation(self, *, period: str, region_code: str, as_of: datetime | None) -> Evaluation:
        catalogue = self.regions()
        async with self.units(write=False) as uow:
            return await evaluate(
                ReportingInputs(uow, catalogue),
                self.schemes,
                catalogue,
                period=period,
                region_code=region_code,
                now=self.clock(),
                as_of=as_of,
            )
