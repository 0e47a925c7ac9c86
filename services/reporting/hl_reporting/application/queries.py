"""The reporting service's read side: the dispatch table (调度表) of a month, a quarter or a year.

Callers (the HTTP layer) pass an open connection (`Database.read()`), the region catalogue and the
clock's `now`: these queries never read the clock. A table stands at a moment (`as_of`, default
now): only facts recorded by then, and no deadline counted as passed before it has.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts.vocabulary import INDUSTRIES
from hl_platform.errors import InvalidInput
from hl_reporting.adapters.bucket_reads import Scope, read_sums
from hl_reporting.application.lists import ListingStatus, all_supervision_items, hazard_ledger, supervision_list
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.regions import RegionTree, region_name
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, business_day, check_moment, report_window
from hl_reporting.domain.figures import Sums, compute_figures
from hl_reporting.domain.listings import LedgerItem, ListedHazard
from hl_reporting.domain.report import BreakdownRow, ComputedTable

__all__ = [
    "CursorPage",
    "LedgerItem",
    "ListedHazard",
    "ListingStatus",
    "all_supervision_items",
    "dispatch_table",
    "hazard_ledger",
    "supervision_list",
]


async def dispatch_table(
    conn: AsyncConnection,
    *,
    period: str,
    region_code: str,
    catalogue: RegionTree,
    industry: str | None = None,
    since: date | None = None,
    cutoff_day: int = DEFAULT_CUTOFF_DAY,
    as_of: datetime | None = None,
    now: datetime | None = None,
) -> ComputedTable:
    """The table of `period` for a region subtree (and one industry), with its children's rows,
    from the facts recorded by `as_of` (default: all, now)."""
    now = now or datetime.now(UTC)
    window = report_window(period, since, cutoff_day, today=business_day(now))
    if industry is not None and industry not in INDUSTRIES:
        raise InvalidInput("industry", "is not an industry of the catalogue")
    moment = check_moment("as_of", as_of, now) if as_of is not None else now
    through = window.through(moment)
    if through < window.since:
        field = "as_of" if as_of is not None else "since"
        raise InvalidInput(field, f"the window starts on {window.since.isoformat()}, after {moment.isoformat()}")
    name = region_name(catalogue, region_code)
    children = list(catalogue.children(region_code))
    codes = tuple(child.code for child in children)
    scope = Scope(region_code, window.since, through, industry, codes, as_of)
    sums = await read_sums(conn, scope)
    breakdown = [BreakdownRow(c.code, c.name, compute_figures(sums.by_child.pop(c.code, Sums()))) for c in children]
    for code, rest in sorted(sums.by_child.items()):  # records on the node itself, or under unknown codes
        label = f"{name}(本级)" if code == region_code else catalogue.name(code)
        breakdown.append(BreakdownRow(code, label, compute_figures(rest)))
    return ComputedTable(
        period=window.period,
        region_code=region_code,
        region_name=name,
        industry=industry,
        since=window.since,
        cutoff=window.cutoff,
        figures=compute_figures(sums.total),
        breakdown=tuple(breakdown),
        as_of=moment,
        computed_at=now,
        kind=window.kind.value,
    )
