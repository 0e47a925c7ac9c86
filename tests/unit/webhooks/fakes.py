"""Fakes of the webhooks service's ports: a resolver that says what the test wants, a sender that
records, and an in-memory unit of work for the subscription handlers."""

from __future__ import annotations

import asyncio
import copy
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from hl_webhooks.application.ports import OwnerUnknown
from hl_webhooks.application.views import AttemptView, DeliveryView
from hl_webhooks.domain.addresses import IPAddress
from hl_webhooks.domain.attempts import AttemptResult, DeliveryStatus
from hl_webhooks.domain.subscription import QUEUEING, Status, Subscription


@dataclass
class FakeResolver:
    answers: dict[str, list[str]] = field(default_factory=dict)

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in self.answers.get(host, [])]


@dataclass
class FakeSender:
    status: int = 200
    delay: float = 0.0
    sent: list[tuple[str, IPAddress, dict[str, str]]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    most_in_flight: dict[str, int] = field(default_factory=dict)

    async def post(
        self, url: str, address: IPAddress, headers: Mapping[str, str], body: bytes, timeout_s: float
    ) -> AttemptResult:
        self.in_flight[url] = self.in_flight.get(url, 0) + 1
        self.most_in_flight[url] = max(self.most_in_flight.get(url, 0), self.in_flight[url])
        try:
            await asyncio.sleep(self.delay)
            self.sent.append((url, address, dict(headers)))
            return AttemptResult(latency_ms=1, status_code=self.status)
        finally:
            self.in_flight[url] -= 1


@dataclass
class FakeOwners:
    revoked: set[str] = field(default_factory=set)
    unreachable: bool = False

    async def active(self, owner_id: str) -> bool:
        if self.unreachable:
            raise OwnerUnknown("the gateway is away")
        return owner_id not in self.revoked


@dataclass
class Rows:
    """What the fake database holds: subscriptions (deleted ones too), deliveries, attempts."""

    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    deliveries: dict[str, tuple[str, DeliveryView]] = field(default_factory=dict)  # id: (subscription, row)
    attempts: dict[str, list[AttemptView]] = field(default_factory=dict)


class FakeSubscriptions:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def get(self, subscription_id: str) -> Subscription | None:
        sub = self.rows.subscriptions.get(subscription_id)
        return sub if sub is not None and sub.status != Status.DELETED else None

    async def add(self, sub: Subscription) -> None:
        assert sub.id not in self.rows.subscriptions
        self.rows.subscriptions[sub.id] = sub

    async def save(self, sub: Subscription) -> None:
        self.rows.subscriptions[sub.id] = sub
        if sub.status not in QUEUEING:  # as the SQL store does: its queue will never go
            for delivery_id, (owner, row) in list(self.rows.deliveries.items()):
                if owner == sub.id and row.status == DeliveryStatus.PENDING:
                    cancelled = replace(row, status=DeliveryStatus.CANCELLED.value, next_attempt_at=None)
                    self.rows.deliveries[delivery_id] = (owner, cancelled)

    async def page(
        self, *, owner_id: str | None, region_prefix: str, after: str | None, limit: int
    ) -> list[Subscription]:
        found = [
            sub
            for sub in sorted(self.rows.subscriptions.values(), key=lambda s: s.id)
            if sub.status != Status.DELETED
            and (owner_id is None or sub.owner.id == owner_id)
            and sub.region_code.startswith(region_prefix)
            and (after is None or sub.id > after)
        ]
        return found[:limit]


class FakeDeliveries:
    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    async def page(
        self, subscription_id: str, status: str | None, before: str | None, limit: int
    ) -> list[DeliveryView]:
        found = [
            row
            for owner, row in sorted(self.rows.deliveries.values(), key=lambda pair: pair[1].id, reverse=True)
            if owner == subscription_id
            and (status is None or row.status == status)
            and (before is None or row.id < before)
        ]
        return found[:limit]

    async def get(self, subscription_id: str, delivery_id: str) -> DeliveryView | None:
        owner, row = self.rows.deliveries.get(delivery_id, ("", None))
        return row if owner == subscription_id else None

    async def attempts_of(self, delivery_id: str) -> list[AttemptView]:
        return list(self.rows.attempts.get(delivery_id, []))

    async def requeue(self, delivery_id: str, now: datetime) -> None:
        owner, row = self.rows.deliveries[delivery_id]
        pending = replace(
            row, status=DeliveryStatus.PENDING.value, next_attempt_at=now, delivered_at=None, parked_at=None
        )
        self.rows.deliveries[delivery_id] = (owner, pending)


class FakeUnitOfWork:
    """One transaction over `Rows`: its changes are kept if the block ends normally, dropped if it raises."""

    def __init__(self, committed: Rows, write: bool) -> None:
        self.committed = committed
        self.write = write

    async def __aenter__(self) -> Self:
        self.rows = copy.deepcopy(self.committed)
        self.subscriptions = FakeSubscriptions(self.rows)
        self.deliveries = FakeDeliveries(self.rows)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None and self.write:
            self.committed.__dict__.update(self.rows.__dict__)


@dataclass
class FakeUnitsOfWork:
    """The `UnitOfWorkFactory` over one in-memory database; `opened` counts the units begun."""

    rows: Rows = field(default_factory=Rows)
    opened: list[bool] = field(default_factory=list)  # write or not, in order

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        self.opened.append(write)
        return FakeUnitOfWork(self.rows, write)
