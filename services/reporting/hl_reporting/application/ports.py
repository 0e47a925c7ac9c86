"""The ports of the reporting service: what its query and submission handlers need, as small
interfaces over its read models.

The SQL adapters are in `adapters/unit_of_work.py` (over `bucket_reads.py`, `listings.py`,
`submission_store.py`, `late_fact_reads.py`); unit tests pass in-memory fakes
(`tests/unit/reporting/fakes.py`). A unit of work is one transaction: a read for the queries
(`write=False`), a write for a submission (checked, computed and stored together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Literal, Protocol, Self

from hl_reporting.application.late_facts import LateFact, Window
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.regions import RegionTree
from hl_reporting.application.views import Submission
from hl_reporting.domain.figures import Sums
from hl_reporting.domain.listings import LedgerItem, ListedHazard

ListingStatus = Literal["active", "delisted", "all"]


@dataclass(frozen=True)
class Scope:
    """Which buckets a table reads: a region subtree, optionally one industry, a window, a moment."""

    region_code: str
    since: date
    cutoff: date  # the last day counted (the cut-off, or the as-of day if earlier)
    industry: str | None = None
    children: tuple[str, ...] = ()  # the child regions' codes, for the breakdown
    as_of: datetime | None = None  # only facts recorded by then; None: all of them

    @property
    def child_length(self) -> int | None:
        """Group range reads by this code prefix length for the breakdown."""
        return min(len(code) for code in self.children) if self.children else None

    @property
    def from_new_year(self) -> bool:
        return (self.since.month, self.since.day) == (1, 1)


@dataclass
class ScopeSums:
    total: Sums = field(default_factory=Sums)
    by_child: dict[str, Sums] = field(default_factory=dict)

    def child(self, code: str) -> Sums:
        return self.by_child.setdefault(code, Sums())


class Buckets(Protocol):
    """The roll-ups and buckets the dispatch table is summed from."""

    async def sums(self, scope: Scope) -> ScopeSums:
        """The region's sums and each child's, in the window, from the facts recorded by `scope.as_of`."""
        ...


@dataclass(frozen=True, kw_only=True)
class SupervisionQuery:
    """What the supervision list (挂牌督办清单) is asked for: a region subtree, filters, a page.

    `overdue` is judged against `today`; as of a moment, the hazards listed by then, as they stood.
    """

    region_prefix: str
    today: date
    level: str | None = None
    status: ListingStatus = "active"
    overdue: bool | None = None
    as_of: datetime | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True, kw_only=True)
class LedgerQuery:
    """What the hazard ledger (隐患台账) is asked for. Voided hazards only with `status="voided"`;
    `overdue` is judged against `today` (as of a moment: its day)."""

    region_prefix: str
    enterprise_id: str | None = None
    status: str | None = None
    level: str | None = None
    source: str | None = None
    industry: str | None = None
    listed: bool | None = None
    overdue: bool | None = None
    today: date | None = None
    as_of: datetime | None = None
    cursor: str | None = None
    limit: int = 50


class Listings(Protocol):
    """The hazards as rows of the list views, live or as known at a moment."""

    async def supervision(
        self, query: SupervisionQuery, catalogue: RegionTree | None = None
    ) -> CursorPage[ListedHazard]:
        """Listed hazards in a region subtree, oldest listing first (names from `catalogue`)."""
        ...

    async def ledger(self, query: LedgerQuery) -> CursorPage[LedgerItem]:
        """The hazard ledger, newest found first."""
        ...


class Submissions(Protocol):
    """The submitted (frozen) tables."""

    async def find(self, period: str, region_code: str, industry: str | None) -> Submission | None: ...
    async def by_id(self, submission_id: str) -> Submission | None: ...
    async def add(self, submission: Submission) -> None:
        """Store it; `Conflict` (with the existing id) if its period, region and industry are taken."""
        ...

    async def page(
        self, *, period: str, region_prefix: str, industry: str | None, cursor: str | None, limit: int
    ) -> CursorPage[Submission]:
        """The period's submissions in a region subtree, by region code then industry."""
        ...

    async def of_regions(self, period: str, region_codes: list[str]) -> list[Submission]:
        """Every submission of the period by these regions (any industry)."""
        ...

    async def submitted_at(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        """When each of these regions submitted its whole table, for those submitted by `known_at`."""
        ...


class LateFacts(Protocol):
    async def after(self, window: Window, moment: datetime) -> tuple[list[LateFact], int]:
        """The facts recorded after `moment` that moved the window's figures, oldest first (at
        most `late_facts.MAX_FACTS`), and how many there are."""
        ...


class UnitOfWork(Protocol):
    buckets: Buckets
    listings: Listings
    submissions: Submissions
    late_facts: LateFacts

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Commit when the block ended normally, roll back when it raised."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work: a write transaction, or with `write=False` a read for queries."""
        ...
