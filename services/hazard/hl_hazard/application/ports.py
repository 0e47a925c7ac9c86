"""The ports of the hazard service: what its handlers need from the outside, as small interfaces.

The SQL adapters are in `adapters/unit_of_work.py`; unit tests pass in-memory fakes
(`tests/unit/hazard/fakes.py`). A unit of work is one transaction: a hazard's events with their
outbox rows, its summary row and an Idempotency-Key's record commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from hl_contracts import CloudEvent
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.unit_of_work import KeyLedger
from hl_platform.unit_of_work import UnitOfWork as Transaction

Clock = Callable[[], datetime]


class HazardRepository(Protocol):
    async def get(self, hazard_id: str) -> Hazard | None:
        """The hazard replayed from its events, or None."""
        ...

    async def history(self, hazard_id: str) -> list[CloudEvent]: ...
    async def save(self, hazard: Hazard) -> None:
        """Append the hazard's new events (with their outbox rows) and refresh its summary row."""
        ...


class Enterprises(Protocol):
    """The enterprises this service knows: its replica of the enterprise stream."""

    async def by_id(self, enterprise_id: str) -> EnterpriseSnapshot | None: ...


@dataclass(frozen=True)
class HazardFilters:
    region_code: str = ""
    enterprise_id: str | None = None
    industry: str | None = None
    level: str | None = None
    source: str | None = None
    status: str | None = None
    listed: bool | None = None
    overdue: bool | None = None


class HazardRows(Protocol):
    """The hazards as rows (their summaries): the ledger's pages and the clock's scans."""

    async def page(
        self, filters: HazardFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of hazards, newest first, and the cursor of the next page."""
        ...

    async def due_for_overdue(self, today: date) -> list[str]:
        """Hazards whose deadline ended before `today` and that still owe an overdue event."""
        ...

    async def due_for_reminders(self, today: date, now: datetime, schedule: ReminderSchedule) -> list[str]:
        """Hazards that may owe a reminder (a superset: the aggregate decides)."""
        ...


class UnitOfWork(Transaction, Protocol):
    hazards: HazardRepository
    enterprises: Enterprises
    rows: HazardRows
    keys: KeyLedger


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work: a write transaction, or with `write=False` a read for queries."""
        ...
