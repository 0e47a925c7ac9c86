"""Who has reported (报送情况): a region's reporting units for a period, each with its submission
or "not yet" — what the city office checks every month to chase the late ones.

The units are the region's children in the catalogue (counties, development zones, towns, units),
each expected to submit its whole area's table. City departments (市直部门) report their own
figures as the city's table of their industry: the catalogue names no departments, so the ones
listed are those that have submitted for the region, by industry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hl_reporting.application.ports import UnitOfWork
from hl_reporting.application.regions import RegionTree, region_name
from hl_reporting.application.submissions import submissions_of
from hl_reporting.application.views import Submission
from hl_reporting.domain.calendar import business_day, report_window


@dataclass(frozen=True)
class ReportingUnit:
    code: str
    name: str
    kind: str  # county, zone, town, unit: a child region; department: an industry's report of the region
    industry: str | None
    submission: Submission | None

    @property
    def reported(self) -> bool:
        return self.submission is not None


@dataclass(frozen=True)
class ReportingStatus:
    period: str
    region_code: str
    region_name: str
    due: date  # the day after the cut-off: reported on the 25th
    units: tuple[ReportingUnit, ...]

    @property
    def missing(self) -> tuple[ReportingUnit, ...]:
        return tuple(unit for unit in self.units if not unit.reported)


async def reporting_status(
    uow: UnitOfWork, *, period: str, region_code: str, catalogue: RegionTree, today: date
) -> ReportingStatus:
    """Each child unit of the region with its submission of the period, or none yet."""
    window = report_window(period, today=today)
    children = list(catalogue.children(region_code))
    found = await submissions_of(uow, period=window.period, region_codes=[c.code for c in children] + [region_code])
    whole = {s.table.region_code: s for s in found if s.table.industry is None}
    units = [ReportingUnit(child.code, child.name, child.level, None, whole.get(child.code)) for child in children]
    departments = sorted(
        (s for s in found if s.table.region_code == region_code and s.table.industry is not None),
        key=lambda s: s.table.industry or "",
    )
    name = region_name(catalogue, region_code)
    units += [ReportingUnit(region_code, name, "department", s.table.industry, s) for s in departments]
    due = business_day(window.cutoff_at)
    return ReportingStatus(window.period, region_code, name, due, tuple(units))
