"""The backfill handler's unit of work in memory: the hazard tables of `fakes.py` and the items'
keys, committed only when the block ends without an error (as a transaction would)."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from hl_hazard.application.backfill import KeysTaken, TakenKey
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.model import Hazard
from hl_platform.repository import take_changes
from tests.unit.hazard.fakes import HazardTables


@dataclass
class BackfillTables:
    hazards: HazardTables = field(default_factory=HazardTables)
    keys: dict[tuple[str, str], TakenKey] = field(default_factory=dict)
    # Keys another transaction commits between this one's read and its write (a concurrent twin).
    raced: dict[tuple[str, str], TakenKey] = field(default_factory=dict)


class FakeBackfillStore:
    def __init__(self, tables: BackfillTables) -> None:
        self.tables = tables

    async def enterprises(self, enterprise_ids: Collection[str]) -> dict[str, EnterpriseSnapshot]:
        known = self.tables.hazards.enterprises
        return {i: known[i] for i in enterprise_ids if i in known}

    async def save_all(self, hazards: Sequence[Hazard]) -> None:
        for hazard in hazards:
            self.tables.hazards.events.setdefault(hazard.id, []).extend(take_changes(hazard, "hazard"))


class FakeBackfillKeys:
    def __init__(self, store: FakeBackfillUnits, tables: BackfillTables) -> None:
        self.store = store
        self.tables = tables

    async def taken(self, client_id: str, keys: Collection[str]) -> dict[str, TakenKey]:
        return {key: self.tables.keys[(client_id, key)] for key in keys if (client_id, key) in self.tables.keys}

    async def add(self, client_id: str, keys: Mapping[str, TakenKey]) -> None:
        if self.store.tables.raced:  # the twin commits first: its keys are in the database now
            self.store.tables.keys.update(self.store.tables.raced)
            self.store.tables.raced = {}
        if any((client_id, key) in self.store.tables.keys for key in keys):
            raise KeysTaken()
        self.tables.keys.update({(client_id, key): taken for key, taken in keys.items()})


class FakeBackfillUnit:
    def __init__(self, store: FakeBackfillUnits) -> None:
        self.store = store

    async def __aenter__(self) -> Self:
        self.working = copy.deepcopy(self.store.tables)
        self.backfill = FakeBackfillStore(self.working)
        self.items = FakeBackfillKeys(self.store, self.working)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.working.raced = {}
            self.store.tables = self.working
            self.store.commits += 1


class FakeBackfillUnits:
    """The backfill's units of work in memory; `commits` counts those that committed."""

    def __init__(self) -> None:
        self.tables = BackfillTables()
        self.commits = 0

    def __call__(self, *, write: bool = True) -> FakeBackfillUnit:
        return FakeBackfillUnit(self)
