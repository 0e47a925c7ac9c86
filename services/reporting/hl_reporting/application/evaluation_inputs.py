"""What an evaluation reads of the reporting service: dispatch tables and report submissions.

This is the one place the evaluation touches the submissions and the report queries, so that it
can follow them when they change (submissions as a public resource, `as_of` on every report): only
this adapter needs to change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.errors import NotFound
from hl_reporting.adapters.tables import report_submissions
from hl_reporting.application import queries, submissions
from hl_reporting.application.evaluation import FrozenTable
from hl_reporting.application.regions import RegionTree
from hl_reporting.domain.report import ComputedTable


class ReportingInputs:
    """`EvaluationInputs` over the service's own read models, on one open connection."""

    def __init__(self, conn: AsyncConnection, catalogue: RegionTree) -> None:
        self.conn = conn
        self.catalogue = catalogue

    async def frozen_table(self, period: str, region_code: str) -> FrozenTable | None:
        try:
            submission = await submissions.get_submission(self.conn, period=period, region_code=region_code)
        except NotFound:
            return None
        return FrozenTable(submission.id, submission.submitted_at, submission.table)

    async def live_table(self, period: str, region_code: str, as_of: datetime | None) -> ComputedTable:
        return await queries.dispatch_table(
            self.conn, period=period, region_code=region_code, catalogue=self.catalogue, as_of=as_of
        )

    async def submission_times(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        if not codes:
            return {}
        t = report_submissions
        query = select(t.c.region_code, t.c.submitted_at).where(
            t.c.period == period, t.c.industry == "", t.c.region_code.in_(codes), t.c.submitted_at <= known_at
        )
        return {row.region_code: row.submitted_at for row in await self.conn.execute(query)}
