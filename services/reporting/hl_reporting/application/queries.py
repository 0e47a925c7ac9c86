"""The reporting service's read side: the dispatch table (调度表) of a month, a quarter or a year.

Each handler takes a unit of work (`application/ports.py`; a read is enough), the region catalogue
and the clock's `now`: these queries never read the clock. The list views page the unit's
`listings`; the table sums its `buckets`. A table stands at a moment (`as_of`, default
now): only facts recorded by then, and no deadline counted as passed before it has.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from hl_contracts.vocabulary import INDUSTRIES
from hl_platform.errors import InvalidInput
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.ports import LedgerQuery, Scope, SupervisionQuery, UnitOfWork
from hl_reporting.application.regions import RegionTree, region_name
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, business_day, check_moment, report_window
from hl_reporting.domain.figures import Sums, compute_figures
from hl_reporting.domain.listings import LedgerItem, ListedHazard
from hl_reporting.domain.report import BreakdownRow, ComputedTable

EXPORT_PAGE = 500  # rows per page read for an export


async def dispatch_table(
    uow: UnitOfWork,
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
    sums = await uow.buckets.sums(scope)
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


async def supervision_list(
    uow: UnitOfWork, query: SupervisionQuery, catalogue: RegionTree | None = None
) -> CursorPage[ListedHazard]:
    """Listed hazards in a region subtree, oldest listing first; `overdue` is judged against `today`.

    As of a moment: the hazards listed by then, as they stood then, in the order first listed.
    """
    return await uow.listings.supervision(query, catalogue)


async def all_supervision_items(
    uow: UnitOfWork, query: SupervisionQuery, catalogue: RegionTree | None = None
) -> list[ListedHazard]:
    """Every page of the supervision list (for exports)."""
    items: list[ListedHazard] = []
    cursor: str | None = None
    while True:
        page = await uow.listings.supervision(replace(query, cursor=cursor, limit=EXPORT_PAGE), catalogue)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


async def hazard_ledger(uow: UnitOfWork, query: LedgerQuery) -> CursorPage[LedgerItem]:
    """The hazard ledger, newest found first. Voided hazards appear only when `status="voided"`.

    `overdue` is judged against `today` (as of a moment: its day); as of a moment the ledger holds
    the hazards known by then, as they stood then.
    """
    return await uow.listings.ledger(query)
