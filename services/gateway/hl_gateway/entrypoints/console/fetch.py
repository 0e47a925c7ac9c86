"""What the console reads, fetched exactly as the public API forwards it: same service, internal path,
parameters and caller, so a page shows the figures the API returns for the same query."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hl_gateway.application.forward import Call
from hl_gateway.bootstrap import Gateway
from hl_gateway.domain.access import region_for
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.console.session import ConsoleProblem
from hl_gateway.entrypoints.forwarding import params
from hl_platform.identity import Caller

MONTHLY = "/reports/monthly"
SUPERVISION = "/reports/supervision-list"
EVALUATION = "/evaluations/monthly"
EXPORTS = {  # the console's download links → the internal path the API forwards them to
    "monthly.xlsx": "/reports/monthly.xlsx",
    "monthly.csv": "/reports/monthly.csv",
    "supervision-list.xlsx": "/reports/supervision-list.xlsx",
    "supervision-list.csv": "/reports/supervision-list.csv",
    "evaluation.xlsx": "/evaluations/monthly.xlsx",
}


class Reader:
    """The signed-in caller's reads, scoped to its region like the API's."""

    def __init__(self, gateway: Gateway, caller: Caller) -> None:
        self.gateway = gateway
        self.caller = caller

    def region(self, requested: str | None) -> str:
        """The region a page covers: the one asked for if inside the caller's (else 403)."""
        return region_for(self.caller, requested or None)

    async def raw(self, path: str, query: dict[str, str]) -> Reply:
        return await self.gateway.upstream.send(Call("reporting", "GET", path, self.caller, params=query))

    async def json(self, path: str, **query: str | bool | int | None) -> dict[str, Any]:
        reply = await self.raw(path, params(**query))
        if reply.status != 200:
            raise ConsoleProblem(reply.status, _detail(reply))
        body: dict[str, Any] = json.loads(reply.body)
        return body

    async def monthly(self, period: str, region_code: str) -> dict[str, Any]:
        return await self.json(MONTHLY, period=period, region_code=region_code)

    async def months(self, periods: list[str], region_code: str) -> list[dict[str, Any]]:
        """Several periods' tables, fetched side by side (each a few index seeks in the service)."""
        return list(await asyncio.gather(*(self.monthly(period, region_code) for period in periods)))


def _detail(reply: Reply) -> str:
    """A service's problem detail, for the error page."""
    try:
        detail = json.loads(reply.body).get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else f"服务返回 {reply.status}"
