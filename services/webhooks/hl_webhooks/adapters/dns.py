"""Name resolution for outbound checks: the system resolver, without blocking the event loop."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from hl_webhooks.domain.addresses import IPAddress


class SystemResolver:
    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        found: dict[IPAddress, None] = {}
        for *_, sockaddr in infos:
            found[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None  # drop an IPv6 zone
        return list(found)
