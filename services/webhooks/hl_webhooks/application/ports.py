"""What the deliverer needs from outside, each behind a small interface (fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hl_webhooks.domain.addresses import IPAddress
from hl_webhooks.domain.attempts import AttemptResult


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
