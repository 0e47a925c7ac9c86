"""In-memory stand-ins for the tips service's ports: the use cases run on them without a database.

A `FakeUnitOfWork` works on a copy of the store's state and puts it back only when its block ends
without an error, so a refused command leaves nothing behind, as a rolled-back transaction would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from hl_contracts import CloudEvent
from hl_tips.application.deps import Deps
from hl_tips.application.ports import Credential, EnterpriseRecord, Filters, IdempotencyRecord
from hl_tips.domain.duplicates import Candidate, normalize
from hl_tips.domain.identity import Identity
from hl_tips.domain.model import Tip
from hl_tips.domain.rewards import RewardRules

NATIONAL: dict[str, Any] = {
    "region": "",
    "name": "全国",
    "fine_share": "0.15",
    "minimum_yuan": 3000,
    "maximum_yuan": 300000,
    "per_concealed_death_yuan": {"general": 30000, "larger": 40000, "major": 50000, "particularly_serious": 60000},
    "handling_days": 60,
}


@dataclass
class State:
    tips: dict[str, Tip] = field(default_factory=dict)
    facts_keys: dict[str, str | None] = field(default_factory=dict)
    sealed: dict[str, Identity] = field(default_factory=dict)
    shredded: set[str] = field(default_factory=set)
    credentials: dict[str, Credential] = field(default_factory=dict)
    enterprises: dict[str, EnterpriseRecord] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    published: list[CloudEvent] = field(default_factory=list)


class _Part:
    def __init__(self, state: State) -> None:
        self.state = state


class FakeTips(_Part):
    async def get(self, tip_id: str) -> Tip | None:
        tip = self.state.tips.get(tip_id)
        return copy.deepcopy(tip) if tip is not None else None

    async def history(self, tip_id: str) -> list[CloudEvent]:
        return [event for event in self.state.published if event.subject == tip_id]

    async def save(self, tip: Tip, facts_key: str | None = None) -> None:
        for change in tip.changes:
            self.state.published.append(
                CloudEvent.create(
                    data=change.data,
                    service="tips",
                    aggregate_id=tip.id,
                    sequence=change.version,
                    region_code=tip.region_code,
                    industry=tip.industry,
                    actor=change.actor,
                    time=change.time,
                )
            )
        tip.changes.clear()
        self.state.tips[tip.id] = copy.deepcopy(tip)
        self.state.facts_keys.setdefault(tip.id, facts_key)


class FakeVault(_Part):
    async def seal(self, tip_id: str, identity: Identity) -> None:
        self.state.sealed[tip_id] = identity

    async def open(self, tip_id: str) -> Identity | None:
        return None if tip_id in self.state.shredded else self.state.sealed.get(tip_id)

    async def shred(self, tip_id: str) -> None:
        self.state.shredded.add(tip_id)


class FakeCredentials(_Part):
    async def add(self, credential: Credential) -> bool:
        if credential.tracking_number in self.state.credentials:
            return False
        self.state.credentials[credential.tracking_number] = credential
        return True

    async def find(self, tracking_number: str) -> Credential | None:
        return self.state.credentials.get(tracking_number)

    async def replace_secret(self, tip_id: str, secret_hash: str) -> None:
        for number, credential in self.state.credentials.items():
            if credential.tip_id == tip_id:
                self.state.credentials[number] = Credential(tip_id, number, secret_hash)


class FakeEnterprises(_Part):
    async def by_id(self, enterprise_id: str) -> EnterpriseRecord | None:
        return self.state.enterprises.get(enterprise_id)

    async def resolve(self, uscc: str, name: str, region_code: str) -> EnterpriseRecord | None:
        found = [
            e for e in self.state.enterprises.values() if (uscc and e.uscc == uscc) or (not uscc and e.name == name)
        ]
        return found[0] if len(found) == 1 else None


class FakeIndex(_Part):
    async def lock_facts(self, facts_key: str) -> None:
        return None

    async def candidates(self, facts_key: str, since: datetime) -> list[Candidate]:
        found = []
        for tip_id, tip in self.state.tips.items():
            if self.state.facts_keys.get(tip_id) != facts_key or tip.filed_at is None or tip.filed_at < since:
                continue
            if tip.status.value in ("filed", "handling", "verified"):
                found.append(
                    Candidate(
                        tip_id,
                        tip.filed.tracking_number,
                        tip.filed.category,
                        normalize(tip.filed.description),
                        tip.filed_at,
                    )
                )
        return found

    async def page(self, filters: Filters, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        from hl_tips.application.views import officer_view

        tips = [t for t in self.state.tips.values() if t.region_code.startswith(filters.region_code)]
        return [officer_view(t).model_dump(mode="json") for t in tips][:limit], None

    async def due_for_overdue(self, today: date, limit: int = 500) -> list[str]:
        return [tip_id for tip_id, tip in self.state.tips.items() if tip.deadline < today and not tip.overdue]


class FakeIdempotency(_Part):
    async def get(self, client_id: str, key_hash: str) -> IdempotencyRecord | None:
        return self.state.idempotency.get((client_id, key_hash))

    async def put(self, record: IdempotencyRecord, now: datetime) -> None:
        self.state.idempotency[(record.client_id, record.key_hash)] = record


class FakeStore:
    def __init__(self) -> None:
        self.state = State()
        self.commits = 0

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, write)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore, write: bool) -> None:
        self.store = store
        self.write = write

    async def __aenter__(self) -> Self:
        self.working = copy.deepcopy(self.store.state)
        self.tips = FakeTips(self.working)
        self.vault = FakeVault(self.working)
        self.credentials = FakeCredentials(self.working)
        self.enterprises = FakeEnterprises(self.working)
        self.index = FakeIndex(self.working)
        self.idempotency = FakeIdempotency(self.working)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None and self.write:
            self.store.state = self.working
            self.store.commits += 1


class PlainHasher:
    """Not a hash at all: the unit tests check the flow, the integration tests scrypt."""

    async def hash(self, secret: str) -> str:
        return f"plain${secret}"

    async def verify(self, secret: str, hashed: str | None) -> bool:
        return hashed is not None and bool(secret) and hashed == f"plain${secret}"


class MemoryPhotos:
    """The photo bucket as a dict; links are fake URLs naming the key and its lifetime."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data

    async def get(self, key: str, max_bytes: int) -> bytes | None:
        return self.objects.get(key)

    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        return f"https://store.invalid/{key}?ttl={ttl_s}&filename={filename}"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fake_deps(store: FakeStore, clock: Clock, rules: list[dict[str, Any]] | None = None) -> Deps:
    counter = iter(range(1, 1_000_000))
    return Deps(
        uow=store,
        rules=RewardRules(rules or [NATIONAL]),
        hasher=PlainHasher(),
        photos=MemoryPhotos(),
        region_exists=lambda code: code.startswith("37"),
        clock=clock,
        random=lambda n: next(counter).to_bytes(n, "big"),
    )


NOW = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
