"""Deliveries over HTTP (httpx), to the very address that was checked.

The request goes to the checked IP address with the URL's host in `Host` and, for https, as the
TLS server name (SNI) that the certificate is verified against — so the connection cannot land
anywhere DNS says after the check. No redirects, no proxies from the environment, no kept
connections (a pooled connection is keyed by address and must not carry another host's traffic).
The whole attempt is bounded by a timeout; the answer's body is not read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx

from hl_webhooks.domain.addresses import IPAddress
from hl_webhooks.domain.attempts import AttemptResult

USER_AGENT = "HazardLedger-Webhooks/1.0"


def pinned_url(url: str, address: IPAddress) -> tuple[str, str]:
    """The URL with its host replaced by `address`, and the Host header the original implies."""
    parts = urlsplit(url)
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    netloc = f"{literal}:{port}"
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host


def retry_after(value: str | None) -> float | None:
    """A `Retry-After` in seconds (the delay form; an HTTP date is ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


class HttpSender:
    def __init__(self, connect_timeout_s: float) -> None:
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(None, connect=connect_timeout_s),
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def post(
        self, url: str, address: IPAddress, headers: Mapping[str, str], body: bytes, timeout_s: float
    ) -> AttemptResult:
        target, host = pinned_url(url, address)
        extensions = {"sni_hostname": urlsplit(url).hostname} if url.startswith("https:") else {}
        sent = {**headers, "Host": host, "User-Agent": USER_AGENT}
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            async with asyncio.timeout(timeout_s):
                request = self.client.build_request("POST", target, content=body, headers=sent, extensions=extensions)
                response = await self.client.send(request, stream=True)
                await response.aclose()
        except TimeoutError:
            return AttemptResult(elapsed(), error=f"no answer within {timeout_s:g} s")
        except httpx.HTTPError as exc:
            return AttemptResult(elapsed(), error=f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__)
        return AttemptResult(
            elapsed(), response.status_code, retry_after_s=retry_after(response.headers.get("retry-after"))
        )

    async def aclose(self) -> None:
        await self.client.aclose()
