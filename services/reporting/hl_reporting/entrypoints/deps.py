"""What every reporting route shares: the handlers, the caller's region, the clock, the parameters.

A report is for a region: the caller's own unless it names one inside it (`application/access.py`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from pydantic import AwareDatetime

from hl_api.reports import AS_OF_TEXT, PERIOD_PATTERN, PERIOD_TEXT
from hl_catalogue import RegionCatalogue
from hl_platform.identity import Caller
from hl_reporting.application.access import READERS, region_in_scope
from hl_reporting.application.access import SUBMITTERS as SUBMITTERS  # the routes' and the roles test's
from hl_reporting.application.service import ReportingService
from hl_reporting.domain.calendar import business_day, check_moment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

PeriodQuery = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description=f"{PERIOD_TEXT}; default: this month's")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, description=PERIOD_TEXT)]
RegionParam = Annotated[str | None, Query(description="defaults to the caller's region")]
Industry = Annotated[str | None, Query(description="one industry code")]
Since = Annotated[date | None, Query(description="count from this day (default 1 January)")]
CutoffDay = Annotated[int, Query(ge=1, le=31, description="monthly: figures up to the end of this day of the month")]
AsOf = Annotated[AwareDatetime | None, Query(description=AS_OF_TEXT)]


async def reporting_service(request: Request) -> ReportingService:  # async: no worker thread
    """The handlers wired at start (`bootstrap.build`)."""
    service: ReportingService = request.app.state.reporting
    return service


ServiceDep = Annotated[ReportingService, Depends(reporting_service)]


def catalogue() -> RegionCatalogue:
    return RegionCatalogue.load_default()


def scope(caller: Caller, region_code: str | None, allowed: frozenset[str] = READERS) -> str:
    """The caller's region or the one it names inside it (`application/access.py`)."""
    return region_in_scope(caller, region_code, catalogue(), allowed)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return business_day(now())


def as_of_moment(as_of: datetime | None, clock: datetime) -> datetime | None:
    return check_moment("as_of", as_of, clock) if as_of is not None else None


def download(content: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content, media_type=media_type, headers=headers)
