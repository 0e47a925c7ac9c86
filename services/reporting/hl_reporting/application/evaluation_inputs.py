"""What an evaluation reads of the reporting service: dispatch tables and report submissions.

This is the one place the evaluation touches the submissions and the report queries, so that it
can follow them when they change (submissions as a public resource, `as_of` on every report): only
this module needs to change. It reads through one unit of work.
"""

from __future__ import annotations

from datetime import datetime

from hl_platform.errors import NotFound
from hl_reporting.application import queries, submissions
from hl_reporting.application.evaluation import FrozenTable
from hl_reporting.application.ports import UnitOfWork
from hl_reporting.application.regions import RegionTree
from hl_reporting.domain.report import ComputedTable


class ReportingInputs:
    """`EvaluationInputs` over the service's own read models, in one open unit of work."""

    def __init__(self, uow: UnitOfWork, catalogue: RegionTree) -> None:
        self.uow = uow
        self.catalogue = catalogue

    async def frozen_table(self, period: str, region_code: str) -> FrozenTable | None:
        try:
            submission = await submissions.get_submission(self.uow, period=period, region_code=region_code)
        except NotFound:
            return None
        return FrozenTable(submission.id, submission.submitted_at, submission.table)

    async def live_table(self, period: str, region_code: str, as_of: datetime | None) -> ComputedTable:
        return await queries.dispatch_table(
            self.uow, period=period, region_code=region_code, catalogue=self.catalogue, as_of=as_of
        )

    async def submission_times(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        return await self.uow.submissions.submitted_at(period, codes, known_at)
