"""What the webhooks service's handlers and its deliverer need from outside, each behind a small
interface: the SQL adapters are in `adapters/unit_of_work.py` (and `adapters/`), the fakes in
`tests/unit/webhooks/fakes.py`. A unit of work is one transaction of the service's database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from hl_webhooks.application.views import AttemptView, DeliveryView
from hl_webhooks.domain.addresses import IPAddress
from hl_webhooks.domain.attempts import AttemptResult
from hl_webhooks.domain.subscription import Subscription


class OwnerUnknown(Exception):
    """The identity directory could not say whether an owner is valid (the gateway is away)."""


class OwnerDirectory(Protocol):
    async def active(self, owner_id: str) -> bool:
        """Whether the owner's credential is still valid; `OwnerUnknown` when that cannot be told."""
        ...


class Resolver(Protocol):
    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to (an address literal resolves to itself); [] if none."""
        ...


class Sender(Protocol):
    async def post(
        self, url: str, address: IPAddress, headers: Mapping[str, str], body: bytes, timeout_s: float
    ) -> AttemptResult:
        """POST `body` to `url`, connecting to `address` (already checked) whatever DNS says now.

        Never raises for the receiver's failures: they are results (no answer, a timeout, a 500).
        """
        ...


@dataclass(frozen=True)
class Job:
    """A delivery this replica claimed: everything an attempt needs."""

    delivery_id: str
    subscription_id: str
    owner_id: str
    url: str
    event_id: str
    body: str
    attempts: int  # made before this one
    window_started_at: datetime | None
    signing_secrets: list[str]


class Subscriptions(Protocol):
    """The subscriptions, their signing secrets sealed at rest."""

    async def get(self, subscription_id: str) -> Subscription | None:
        """The subscription unless it is unknown or deleted."""
        ...

    async def add(self, sub: Subscription) -> None: ...
    async def save(self, sub: Subscription) -> None:
        """Store its new state; one that no longer queues has its pending deliveries cancelled."""
        ...

    async def page(
        self, *, owner_id: str | None, region_prefix: str, after: str | None, limit: int
    ) -> list[Subscription]:
        """Oldest first after `after`: an owner's own, or (owner_id None) every one of a region."""
        ...


class Deliveries(Protocol):
    """The delivery log, as the API reads and redelivers it."""

    async def page(
        self, subscription_id: str, status: str | None, before: str | None, limit: int
    ) -> list[DeliveryView]:
        """A subscription's deliveries, newest first, before `before`."""
        ...

    async def get(self, subscription_id: str, delivery_id: str) -> DeliveryView | None: ...
    async def attempts_of(self, delivery_id: str) -> list[AttemptView]: ...
    async def requeue(self, delivery_id: str, now: datetime) -> None:
        """Pending again at `now`, with a fresh retry window."""
        ...


class UnitOfWork(Protocol):
    subscriptions: Subscriptions
    deliveries: Deliveries

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Commit when the block ended normally, roll back when it raised."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work: a write transaction, or with `write=False` a read."""
        ...
