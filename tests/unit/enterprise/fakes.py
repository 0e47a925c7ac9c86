"""The enterprise handlers' unit of work in memory: events, the directory (one row per uscc) and
Idempotency-Keys. A unit works on a copy of the tables and puts it back only when its block ends
without an error, as a transaction commits or rolls back."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from hl_contracts import CloudEvent
from hl_enterprise.application.ports import EnterpriseFilters, UsccTaken
from hl_enterprise.application.views import enterprise_view
from hl_enterprise.domain.model import Enterprise
from hl_platform.repository import take_changes
from tests.support.fake_keys import FakeKeys, KeyRecords


@dataclass
class EnterpriseTables:
    events: dict[str, list[CloudEvent]] = field(default_factory=dict)
    directory: dict[str, str] = field(default_factory=dict)  # uscc → enterprise id (the unique index)
    keys: KeyRecords = field(default_factory=KeyRecords)

    def count(self) -> int:
        return sum(len(history) for history in self.events.values())


class FakeEnterprises:
    def __init__(self, tables: EnterpriseTables, committed: EnterpriseTables) -> None:
        self.tables = tables
        self.committed = committed  # what other transactions committed meanwhile

    async def get(self, enterprise_id: str) -> Enterprise | None:
        history = self.tables.events.get(enterprise_id)
        return Enterprise.replay(enterprise_id, history) if history else None

    async def history(self, enterprise_id: str) -> list[CloudEvent]:
        return list(self.tables.events.get(enterprise_id, []))

    async def save(self, enterprise: Enterprise) -> None:
        holders = {self.tables.directory.get(enterprise.uscc), self.committed.directory.get(enterprise.uscc)}
        if holders - {None, enterprise.id}:  # the unique index on uscc
            raise UsccTaken(enterprise.uscc)
        self.tables.events.setdefault(enterprise.id, []).extend(take_changes(enterprise, "enterprise"))
        self.tables.directory[enterprise.uscc] = enterprise.id


class FakeDirectory:
    def __init__(self, tables: EnterpriseTables, store: FakeUnitsOfWork) -> None:
        self.tables = tables
        self.store = store

    async def id_by_uscc(self, uscc: str) -> str | None:
        found = self.tables.directory.get(uscc)
        if uscc in self.store.racing:  # a rival registration commits just after this look
            self.store.tables.directory[uscc] = self.store.racing.pop(uscc)
        return found

    async def page(
        self, filters: EnterpriseFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        records = [
            enterprise_view(Enterprise.replay(enterprise_id, history))
            for enterprise_id, history in sorted(self.tables.events.items())
        ]
        found = [r for r in records if r["region_code"].startswith(filters.region_code)]
        return found[:limit], None


class FakeUnitOfWork:
    def __init__(self, store: FakeUnitsOfWork, write: bool) -> None:
        self.store = store
        self.write = write

    async def __aenter__(self) -> Self:
        self.working = copy.deepcopy(self.store.tables)
        self.enterprises = FakeEnterprises(self.working, self.store.tables)
        self.directory = FakeDirectory(self.working, self.store)
        self.keys = FakeKeys(self.working.keys)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None and self.write:
            self.store.tables = self.working
            self.store.commits += 1


class FakeUnitsOfWork:
    """The `UnitOfWorkFactory` in memory; `commits` counts the write units that committed, and
    `racing` names usccs that another registration (of the id given) takes while a unit runs."""

    def __init__(self) -> None:
        self.tables = EnterpriseTables()
        self.commits = 0
        self.racing: dict[str, str] = {}

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, write)
