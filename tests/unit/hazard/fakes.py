"""Fakes of the evidence handlers' ports: an object store in memory (that can be made to fail at a
chosen call), hazards kept as event histories (a unit commits only when its block ends), and a
content check that trusts a marker in the bytes. Then the hazard handlers' unit of work in memory
(`FakeUnitsOfWork`): events, summaries, the enterprise replica and Idempotency-Keys."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from hl_contracts import CloudEvent
from hl_contracts.vocabulary import AttachmentKind
from hl_hazard.application.evidence_ports import (
    CheckedContent,
    PayloadTooLarge,
    StoredAttachment,
    StoreUnavailable,
    UnsupportedContent,
)
from hl_hazard.application.ports import HazardFilters
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.errors import NotFound
from hl_platform.identity import Caller
from hl_platform.repository import take_changes
from tests.support.fake_keys import FakeKeys, KeyRecords
from tests.unit.hazard.builders import NOW


class FakeStore:
    """Objects in a dict, each with the time it was written; `failing` names calls that raise."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, datetime]] = {}
        self.failing: set[str] = set()
        self.now = NOW
        self.puts: list[str] = []

    def _maybe_fail(self, call: str) -> None:
        if call in self.failing or "all" in self.failing:
            raise StoreUnavailable(f"fake store: {call} failed", retry_after_s=7)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self._maybe_fail("put")
        self.objects[key] = (data, self.now)
        self.puts.append(key)

    async def copy(self, source: str, target: str) -> None:
        self._maybe_fail("copy")
        self.objects[target] = self.objects[source]

    async def delete(self, key: str) -> None:
        self._maybe_fail("delete")
        self.objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        self._maybe_fail("exists")
        return key in self.objects

    async def keys(self, prefix: str, modified_before: datetime) -> list[str]:
        self._maybe_fail("keys")
        return [key for key, (_, at) in self.objects.items() if key.startswith(prefix) and at < modified_before]

    async def get(self, key: str, max_bytes: int) -> bytes | None:
        self._maybe_fail("get")
        found = self.objects.get(key)
        if found is not None and len(found[0]) > max_bytes:
            raise PayloadTooLarge(f"fake store: {key} is over {max_bytes} bytes")
        return found[0] if found else None

    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        self._maybe_fail("download_url")
        return f"https://store.example/{key}?ttl={ttl_s}"

    def upload_url(self, key: str, *, size_bytes: int, ttl_s: int) -> str:
        self._maybe_fail("upload_url")
        return f"https://store.example/{key}?put&length={size_bytes}&ttl={ttl_s}"


class FakeCheck:
    """Accepts bytes that start with b"JPEG" (a photo) or b"%PDF" (a document); refuses the rest."""

    def check(self, data: bytes, kind: AttachmentKind) -> CheckedContent:
        if data.startswith(b"JPEG"):
            return CheckedContent("image/jpeg", len(data), hashlib.sha256(data).hexdigest())
        if data.startswith(b"%PDF") and kind != AttachmentKind.PHOTO:
            return CheckedContent("application/pdf", len(data), hashlib.sha256(data).hexdigest())
        raise UnsupportedContent("fake check: not an accepted type")


@dataclass
class Tables:
    hazards: dict[str, Hazard] = field(default_factory=dict)
    attachments: dict[str, StoredAttachment] = field(default_factory=dict)
    saved_events: list[str] = field(default_factory=list)


class FakeUnit:
    def __init__(self, tables: Tables, rules: EvidenceRules) -> None:
        self.tables = tables
        self.rules = rules

    async def visible(self, caller: Caller, hazard_id: str) -> Hazard:
        hazard = self.tables.hazards.get(hazard_id)
        if hazard is None or not caller.sees(hazard.region_code, hazard.enterprise_id):
            raise NotFound(f"no hazard {hazard_id}")
        hazard = copy.deepcopy(hazard)
        hazard.rules = self.rules
        return hazard

    async def save(self, hazard: Hazard) -> None:
        self.tables.saved_events += [change.data.event_type for change in hazard.changes]
        hazard.changes.clear()
        self.tables.hazards[hazard.id] = hazard

    async def add(self, stored: StoredAttachment, at: datetime) -> None:
        self.tables.attachments[stored.attachment_id] = stored

    async def stored(self, attachment_ids: list[str]) -> dict[str, StoredAttachment]:
        return {i: self.tables.attachments[i] for i in attachment_ids if i in self.tables.attachments}

    async def mark_promoted(self, attachment_id: str, at: datetime) -> None:
        stored = self.tables.attachments[attachment_id]
        self.tables.attachments[attachment_id] = StoredAttachment(
            stored.attachment_id, stored.hazard_id, stored.object_key, True
        )


class FakeUnits:
    """A write unit works on a copy of the tables and commits it when its block ends without error;
    `fail_commit` makes the next commit fail after the block (a lost database)."""

    def __init__(self, rules: EvidenceRules | None = None) -> None:
        self.tables = Tables()
        self.rules = rules or EvidenceRules()
        self.fail_commit = False

    @asynccontextmanager
    async def write(self) -> AsyncIterator[FakeUnit]:
        draft = copy.deepcopy(self.tables)
        yield FakeUnit(draft, self.rules)
        if self.fail_commit:
            self.fail_commit = False
            raise ConnectionError("fake database: the commit was lost")
        self.tables = draft

    @asynccontextmanager
    async def read(self) -> AsyncIterator[FakeUnit]:
        yield FakeUnit(copy.deepcopy(self.tables), self.rules)


# -- the hazard handlers' unit of work ----------------------------------------------------------


@dataclass
class HazardTables:
    """What the hazard database holds: each hazard's events, the replica, the keys."""

    events: dict[str, list[CloudEvent]] = field(default_factory=dict)
    enterprises: dict[str, EnterpriseSnapshot] = field(default_factory=dict)
    keys: KeyRecords = field(default_factory=KeyRecords)

    def count(self) -> int:
        """How many events are stored (and so queued in the outbox)."""
        return sum(len(history) for history in self.events.values())


class FakeHazards:
    def __init__(self, tables: HazardTables) -> None:
        self.tables = tables

    async def get(self, hazard_id: str) -> Hazard | None:
        history = self.tables.events.get(hazard_id)
        return Hazard.replay(hazard_id, history) if history else None

    async def history(self, hazard_id: str) -> list[CloudEvent]:
        return list(self.tables.events.get(hazard_id, []))

    async def save(self, hazard: Hazard) -> None:
        self.tables.events.setdefault(hazard.id, []).extend(take_changes(hazard, "hazard"))


class FakeReplica:
    def __init__(self, tables: HazardTables) -> None:
        self.tables = tables

    async def by_id(self, enterprise_id: str) -> EnterpriseSnapshot | None:
        return self.tables.enterprises.get(enterprise_id)


class FakeRows:
    """The summaries, derived from the events on each read (a fake need not be fast)."""

    def __init__(self, tables: HazardTables) -> None:
        self.tables = tables

    def _hazards(self) -> list[Hazard]:
        return [Hazard.replay(hazard_id, history) for hazard_id, history in sorted(self.tables.events.items())]

    async def page(
        self, filters: HazardFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        found = [
            h.snapshot()
            for h in reversed(self._hazards())
            if h.region_code.startswith(filters.region_code)
            and filters.enterprise_id in (None, h.enterprise_id)
            and filters.level in (None, h.level)
        ]
        return found[:limit], None

    async def due_for_overdue(self, today: date) -> list[str]:
        return [h.id for h in self._hazards() if h.deadline is not None and h.deadline < today]

    async def due_for_reminders(self, today: date, now: datetime, schedule: ReminderSchedule) -> list[str]:
        return [h.id for h in self._hazards()]


class FakeUnitOfWork:
    """Works on a copy of the tables and puts it back only when its block ends without an error,
    so a refused command leaves nothing behind, as a rolled-back transaction would."""

    def __init__(self, store: FakeUnitsOfWork, write: bool) -> None:
        self.store = store
        self.write = write

    async def __aenter__(self) -> Self:
        self.working = copy.deepcopy(self.store.tables)
        self.hazards = FakeHazards(self.working)
        self.enterprises = FakeReplica(self.working)
        self.rows = FakeRows(self.working)
        self.keys = FakeKeys(self.working.keys)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None and self.write:
            self.store.tables = self.working
            self.store.commits += 1


class FakeUnitsOfWork:
    """The `UnitOfWorkFactory` in memory; `commits` counts the write units that committed."""

    def __init__(self) -> None:
        self.tables = HazardTables()
        self.commits = 0

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, write)
