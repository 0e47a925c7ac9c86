"""Forwarding a public request to the internal service that owns it, as the authenticated caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hl_gateway.domain.reply import Reply
from hl_platform.identity import Caller


@dataclass(frozen=True)
class Call:
    """One internal call: the service, the internal path (the public one minus /api/v1), the rest as given."""

    service: str
    method: str
    path: str
    caller: Caller
    params: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Upstream(Protocol):
    async def send(self, call: Call) -> Reply:
        """The service's answer; `UpstreamUnavailable` / `UpstreamTimeout` / `BadGateway` when there is none."""
        ...
