"""The ports of the enterprise service: what its handlers need from the outside, as small interfaces.

The SQL adapters are in `adapters/unit_of_work.py`; unit tests pass in-memory fakes
(`tests/unit/enterprise/fakes.py`). A unit of work is one transaction: an enterprise's events
with their outbox rows, its directory row (unique by uscc) and an Idempotency-Key's record
commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hl_contracts import CloudEvent
from hl_enterprise.domain.model import Enterprise
from hl_platform.unit_of_work import KeyLedger
from hl_platform.unit_of_work import UnitOfWork as Transaction

Clock = Callable[[], datetime]


class UsccTaken(Exception):
    """Another registration of the same uscc committed first (the directory's unique index)."""


class EnterpriseRepository(Protocol):
    async def get(self, enterprise_id: str) -> Enterprise | None:
        """The enterprise replayed from its events, or None."""
        ...

    async def history(self, enterprise_id: str) -> list[CloudEvent]:
        """The enterprise's events, in order ([] if none)."""
        ...

    async def save(self, enterprise: Enterprise) -> None:
        """Append the enterprise's new events (with their outbox rows) and replace its directory
        row; `UsccTaken` when a concurrent registration holds its uscc."""
        ...


@dataclass(frozen=True)
class EnterpriseFilters:
    region_code: str = ""
    industry: str | None = None
    q: str | None = None


class Directory(Protocol):
    """The enterprises as rows: one per uscc, for the duplicate check, lists and search."""

    async def id_by_uscc(self, uscc: str) -> str | None: ...
    async def page(
        self, filters: EnterpriseFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of enterprise records in id order, and the cursor of the next page."""
        ...


class UnitOfWork(Transaction, Protocol):
    enterprises: EnterpriseRepository
    directory: Directory
    keys: KeyLedger


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work: a write transaction, or with `write=False` a read for queries."""
        ...
