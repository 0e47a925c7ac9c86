"""Fakes for the gateway's ports: in-memory stores, an event log, a clock and identities."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hl_gateway.application.events import LoggedEvent
from hl_gateway.domain.credentials import StoredKey
from hl_gateway.domain.idempotency import Record
from hl_gateway.domain.reply import Reply
from hl_platform.errors import Conflict
from hl_platform.identity import Caller

T0 = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)

ADMIN = Caller(id="k-admin", name="管理员", role="admin")
CITY_ADMIN = Caller(id="k-city-admin", name="威海管理员", role="admin", region_code="3710")


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class MemoryKeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, StoredKey] = {}
        self.touches = 0
        self.lookups = 0

    async def add(self, key: StoredKey) -> None:
        if any(k.key_hash == key.key_hash for k in self.keys.values()):
            raise Conflict("this API key exists already")
        self.keys[key.id] = key

    async def by_hash(self, key_hash: str) -> StoredKey | None:
        self.lookups += 1
        return next((k for k in self.keys.values() if k.key_hash == key_hash), None)

    async def get(self, key_id: str) -> StoredKey | None:
        return self.keys.get(key_id)

    async def page(self, region_prefix: str, after_id: str | None, limit: int, revoked: bool) -> list[StoredKey]:
        keys = sorted(self.keys.values(), key=lambda k: k.id)
        keys = [k for k in keys if k.identity.region_code.startswith(region_prefix) and (revoked or k.active)]
        return [k for k in keys if after_id is None or k.id > after_id][:limit]

    async def revoke(self, key_id: str, at: datetime) -> None:
        self.keys[key_id] = replace(self.keys[key_id], revoked_at=at)

    async def touch(self, key_id: str, at: datetime) -> None:
        self.touches += 1
        self.keys[key_id] = replace(self.keys[key_id], last_used_at=at)


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], Record] = {}

    async def get(self, client_id: str, key: str) -> Record | None:
        return self.records.get((client_id, key))

    async def claim(self, record: Record, replacing: Record | None) -> bool:
        slot = (record.client_id, record.key)
        if replacing is not None and self.records.get(slot) == replacing:
            del self.records[slot]
        if slot in self.records:
            return False
        self.records[slot] = record
        return True

    async def complete(self, client_id: str, key: str, reply: Reply) -> None:
        self.records[(client_id, key)] = replace(self.records[(client_id, key)], response=reply)

    async def remember(self, record: Record) -> None:
        self.records[(record.client_id, record.key)] = record

    async def release(self, client_id: str, key: str) -> None:
        record = self.records.get((client_id, key))
        if record is not None and record.response is None:
            del self.records[(client_id, key)]

    async def purge(self, now: datetime) -> int:
        expired = [slot for slot, record in self.records.items() if record.expired(now)]
        for slot in expired:
            del self.records[slot]
        return len(expired)


def envelope(event_type: str, region: str, subject: str = "agg-1", **extra: Any) -> dict[str, Any]:
    return {"type": event_type, "regioncode": region, "subject": subject, "id": f"{event_type}-{region}", **extra}


class MemoryEventLog:
    """Streams as lists; a subject filter is matched with NATS wildcard rules."""

    def __init__(self) -> None:
        self.streams: dict[str, list[tuple[str, LoggedEvent]]] = {"HL_HAZARD": [], "HL_ENTERPRISE": []}
        self.requests = 0

    def publish(self, stream: str, subject: str, body: dict[str, Any] | None, at: datetime) -> LoggedEvent:
        entries = self.streams[stream]
        event = LoggedEvent(stream, len(entries) + 1, at, body)
        entries.append((subject, event))
        return event

    async def next_after(self, stream: str, subject: str, sequence: int) -> LoggedEvent | None:
        self.requests += 1
        for published_subject, event in self.streams[stream]:
            if event.sequence > sequence and matches(subject, published_subject):
                return event
        return None


def matches(pattern: str, subject: str) -> bool:
    wanted, tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > i
        if i >= len(tokens) or token not in ("*", tokens[i]):
            return False
    return len(tokens) == len(wanted)
