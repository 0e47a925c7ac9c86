"""What every reporting route shares: the handlers, the caller's region, the clock, the parameters.

A report is for a region: the caller's own unless it names one inside it. A region outside the
caller's is 403 (the region is a parameter, so refusing it leaks nothing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from pydantic import AwareDatetime

from hl_api.reports import AS_OF_TEXT, PERIOD_PATTERN, PERIOD_TEXT
from hl_catalogue import RegionCatalogue
from hl_contracts.roles import Permission, roles_for
from hl_platform.errors import Forbidden, InvalidInput
from hl_platform.identity import Caller
from hl_reporting.application.service import ReportingService
from hl_reporting.domain.calendar import business_day, check_moment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
READERS = roles_for(Permission.READ_REPORTS)
SUBMITTERS = roles_for(Permission.SUBMIT_REPORT)

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
    if caller.role not in allowed:
        raise Forbidden(f"a {caller.role} may not read regional reports")
    regions = catalogue()
    region = region_code or caller.region_code or _single_root(regions)
    if not regions.exists(region):
        raise InvalidInput("region_code", f"unknown region code {region}")
    if not region.startswith(caller.region_code):
        raise Forbidden(f"region {region} is outside your region {caller.region_code or 'scope'}")
    return region


def _single_root(regions: RegionCatalogue) -> str:
    roots = regions.children("")
    if len(roots) != 1:
        raise InvalidInput("region_code", "required: the catalogue has several top-level regions")
    return roots[0].code


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return business_day(now())


def as_of_moment(as_of: datetime | None, clock: datetime) -> datetime | None:
    return check_moment("as_of", as_of, clock) if as_of is not None else None


def download(content: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content, media_type=media_type, headers=headers)
