"""Fakes of the deliverer's ports: a resolver that says what the test wants, a sender that records."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from hl_webhooks.application.ports import OwnerUnknown
from hl_webhooks.domain.addresses import IPAddress
from hl_webhooks.domain.attempts import AttemptResult


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
