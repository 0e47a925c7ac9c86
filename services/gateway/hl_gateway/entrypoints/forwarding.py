"""Turning a public request into an internal call, and the service's reply into the response.

Writes go through the Idempotency-Key guard: the key travels on to the service (which stores it
with the write), the gateway keeps a copy of each success per client and key, and a retry is
answered — from that copy or by the service — with `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from hl_gateway.application.idempotency import Redact
from hl_gateway.domain.idempotency import REPLAY_HEADER, check_key, fingerprint
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.deps import GatewayDep
from hl_platform.identity import Caller

Param = str | int | bool | date | Enum | None


def params(**values: Param) -> dict[str, str]:
    """Query parameters as given (None: not given), spelled as the services parse them."""
    spelled: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            spelled[name] = "true" if value else "false"
        elif isinstance(value, Enum):
            spelled[name] = str(value.value)
        elif isinstance(value, date):
            spelled[name] = value.isoformat()
        else:
            spelled[name] = str(value)
    return spelled


def segment(value: str) -> str:
    """A path parameter, quoted so it stays one segment of the internal path."""
    return quote(value, safe="")


def to_response(reply: Reply, replayed: bool = False) -> Response:
    headers = {name: value for name, value in reply.headers.items() if name != REPLAY_HEADER.lower()}
    if replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(content=reply.body, status_code=reply.status, headers=headers)


class Forward:
    """The request being forwarded, and the gateway that forwards it."""

    def __init__(self, request: Request, gateway: GatewayDep) -> None:
        self.request = request
        self.gateway = gateway

    async def once(
        self, caller: Caller, key: str | None, do: Callable[[], Awaitable[Reply]], redact: Redact | None = None
    ) -> Response:
        """Do a write of the gateway's own (no service behind it) at most once per Idempotency-Key."""
        if key is None:
            return to_response(await do())
        stamp = await self.fingerprint()
        reply, replayed = await self.gateway.guard.run(caller.id, check_key(key), stamp, do, redact)
        return to_response(reply, replayed)

    async def fingerprint(self) -> str:
        """The request as an Idempotency-Key remembers it: a retry must match it."""
        return fingerprint(self.request.method, self.request.url.path, await self.request.body())


async def forward_of(request: Request, gateway: GatewayDep) -> Forward:
    return Forward(request, gateway)  # a class as dependency would be built on a worker thread


ForwardDep = Annotated[Forward, Depends(forward_of)]
