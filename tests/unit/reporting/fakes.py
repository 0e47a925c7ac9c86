"""Fakes of the reporting side's ports: a tiny region catalogue with the `hl_catalogue.RegionCatalogue`
methods it uses, and an in-memory unit of work (its buckets, listings, submissions and late facts)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from hl_platform.errors import Conflict
from hl_reporting.application.late_facts import LateFact, Window
from hl_reporting.application.pages import CursorPage, decode_cursor, encode_cursor
from hl_reporting.application.ports import LedgerQuery, Scope, ScopeSums, SupervisionQuery
from hl_reporting.application.regions import RegionTree
from hl_reporting.application.views import Submission
from hl_reporting.domain.listings import LedgerItem, ListedHazard

CODE_LENGTHS = (2, 4, 6, 9)


@dataclass(frozen=True)
class FakeRegion:
    code: str
    name: str
    parent_code: str
    level: str = "unit"


class FakeCatalogue:
    def __init__(self, names: dict[str, str]) -> None:
        self._regions = {code: FakeRegion(code, name, _parent(code)) for code, name in sorted(names.items())}

    def get(self, code: str) -> FakeRegion | None:
        return self._regions.get(code)

    def name(self, code: str) -> str:
        region = self._regions.get(code)
        return region.name if region else code

    def children(self, code: str) -> list[FakeRegion]:
        return [region for region in self._regions.values() if region.parent_code == code]


def _parent(code: str) -> str:
    index = CODE_LENGTHS.index(len(code))
    return code[: CODE_LENGTHS[index - 1]] if index else ""


@dataclass
class Rows:
    """What the fake read models hold: each scope's sums, the list rows, submissions, late facts."""

    sums: dict[tuple[str, str | None], ScopeSums] = field(default_factory=dict)  # (region, industry)
    listed: list[ListedHazard] = field(default_factory=list)
    ledger: list[LedgerItem] = field(default_factory=list)
    submissions: dict[str, Submission] = field(default_factory=dict)
    late: list[LateFact] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)  # every scope summed, in order
    pages: list[dict[str, Any]] = field(default_factory=list)  # every list page asked for


class FakeBuckets:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def sums(self, scope: Scope) -> ScopeSums:
        self.rows.scopes.append(scope)
        return copy.deepcopy(self.rows.sums.get((scope.region_code, scope.industry), ScopeSums()))


def _page(items: list[Any], cursor: str | None, limit: int) -> CursorPage[Any]:
    """Pages by position: the cursor is the index of the next row."""
    start = int(decode_cursor(cursor, 1)[0]) if cursor else 0
    end = start + limit
    return CursorPage(items[start:end], encode_cursor(str(end)) if end < len(items) else None)


class FakeListings:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def supervision(
        self, query: SupervisionQuery, catalogue: RegionTree | None = None
    ) -> CursorPage[ListedHazard]:
        self.rows.pages.append(
            {"list": "supervision", "region": query.region_prefix, "today": query.today, "as_of": query.as_of}
        )
        items = [item for item in self.rows.listed if item.region_code.startswith(query.region_prefix)]
        items = [item for item in items if query.level is None or item.listing_level == query.level]
        return _page(items, query.cursor, query.limit)

    async def ledger(self, query: LedgerQuery) -> CursorPage[LedgerItem]:
        self.rows.pages.append(
            {"list": "ledger", "region": query.region_prefix, "today": query.today, "as_of": query.as_of}
        )
        items = [item for item in self.rows.ledger if item.region_code.startswith(query.region_prefix)]
        return _page(items, query.cursor, query.limit)


class FakeSubmissions:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def find(self, period: str, region_code: str, industry: str | None) -> Submission | None:
        for sub in self.rows.submissions.values():
            table = sub.table
            if (table.period, table.region_code, table.industry) == (period, region_code, industry):
                return sub
        return None

    async def by_id(self, submission_id: str) -> Submission | None:
        return self.rows.submissions.get(submission_id)

    async def add(self, submission: Submission) -> None:
        table = submission.table
        if (taken := await self.find(table.period, table.region_code, table.industry)) is not None:
            raise Conflict("already submitted", existing_id=taken.id)  # the unique key of the SQL store
        self.rows.submissions[submission.id] = submission

    async def page(
        self, *, period: str, region_prefix: str, industry: str | None, cursor: str | None, limit: int
    ) -> CursorPage[Submission]:
        found = sorted(
            (
                sub
                for sub in self.rows.submissions.values()
                if sub.table.period == period
                and sub.table.region_code.startswith(region_prefix)
                and (industry is None or sub.table.industry == industry)
            ),
            key=lambda sub: (sub.table.region_code, sub.table.industry or "", sub.id),
        )
        return _page(found, cursor, limit)

    async def of_regions(self, period: str, region_codes: list[str]) -> list[Submission]:
        codes = set(region_codes)
        return [s for s in self.rows.submissions.values() if s.table.period == period and s.table.region_code in codes]

    async def submitted_at(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        return {
            s.table.region_code: s.submitted_at
            for s in await self.of_regions(period, list(codes))
            if s.table.industry is None and s.submitted_at <= known_at
        }


class FakeLateFacts:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def after(self, window: Window, moment: datetime) -> tuple[list[LateFact], int]:
        facts = [fact for fact in self.rows.late if fact.recorded_at > moment]
        return facts, len(facts)


class FakeUnitOfWork:
    """One transaction over `Rows`: kept when a write block ends normally, dropped if it raises."""

    def __init__(self, committed: Rows, write: bool) -> None:
        self.committed = committed
        self.write = write

    async def __aenter__(self) -> Self:
        self.rows = copy.deepcopy(self.committed)
        self.buckets = FakeBuckets(self.rows)
        self.listings = FakeListings(self.rows)
        self.submissions = FakeSubmissions(self.rows)
        self.late_facts = FakeLateFacts(self.rows)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.committed.scopes += self.rows.scopes[len(self.committed.scopes) :]  # what was read, kept for the test
        self.committed.pages += self.rows.pages[len(self.committed.pages) :]
        if kind is None and self.write:
            self.committed.submissions = self.rows.submissions


@dataclass
class FakeUnitsOfWork:
    """The `UnitOfWorkFactory` over one in-memory store; `opened` says which units were begun."""

    rows: Rows = field(default_factory=Rows)
    opened: list[bool] = field(default_factory=list)  # write or not, in order

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        self.opened.append(write)
        return FakeUnitOfWork(self.rows, write)
