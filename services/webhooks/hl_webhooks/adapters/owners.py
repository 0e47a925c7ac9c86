"""Whether a subscription's owner is still valid, as the gateway (which keeps the API keys) says.

The deliverer asks before an attempt and keeps the answer `ttl` seconds, so a revoked key stops
its deliveries within that time, on every replica, without the gateway having to reach anyone.
When the gateway cannot answer, nothing is sent (`OwnerUnknown`): deliveries wait rather than
go out for an identity that may have been revoked.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx

from hl_platform.identity import TOKEN_HEADER
from hl_webhooks.application.ports import OwnerUnknown

OWNER_PATH = "/internal/identities/{id}"


class GatewayOwners:
    def __init__(self, base_url: str, token: str, ttl_s: float, transport: httpx.AsyncBaseTransport | None = None):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=5.0, transport=transport, trust_env=False)
        self.token = token
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[bool, float]] = {}

    async def active(self, owner_id: str) -> bool:
        known = self._known.get(owner_id)
        if known is not None and time.monotonic() - known[1] < self.ttl_s:
            return known[0]
        try:
            answer = await self.client.get(
                OWNER_PATH.format(id=quote(owner_id, safe="")), headers={TOKEN_HEADER: self.token}
            )
        except httpx.HTTPError as exc:
            raise OwnerUnknown(f"the gateway did not answer: {exc!r}") from exc
        if answer.status_code == 404:
            active = False
        elif answer.status_code == 200:
            active = bool(answer.json().get("active"))
        else:
            raise OwnerUnknown(f"the gateway answered {answer.status_code}")
        self._known[owner_id] = (active, time.monotonic())
        return active

    async def aclose(self) -> None:
        await self.client.aclose()
