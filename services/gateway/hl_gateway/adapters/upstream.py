"""The internal services over HTTP: one pooled client, timeouts, and the gateway's credentials.

Every call carries the shared internal token and the caller (hl_platform.identity), so a service
knows the call comes from the gateway and for whom. Failures to get an answer become problems:
cannot connect → 503 (with Retry-After), no answer in time → 504, a broken answer → 502.
"""

from __future__ import annotations

import importlib.util
import sys
from urllib.parse import urlsplit

import httpx

from hl_gateway.application.forward import Call
from hl_gateway.domain.errors import BadGateway, UpstreamTimeout, UpstreamUnavailable
from hl_gateway.domain.reply import Reply
from hl_gateway.settings import GatewaySettings
from hl_platform.identity import CALLER_HEADER, TOKEN_HEADER, Caller

# httpcore imports `sniffio` (to tell asyncio from trio) every time it makes a lock or an event,
# several times per request. It is not installed (anyio no longer needs it), and a failed import
# searches the whole sys.path again each time: a fifth of the gateway's CPU. A None entry in
# sys.modules makes that import fail at once; httpcore then assumes asyncio, as it did anyway.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

PUBLIC_PREFIX = "/api/v1"
PASSED_BACK = ("content-type", "etag", "location", "content-disposition", "retry-after", "idempotent-replayed")


def new_client(settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s)
    limits = httpx.Limits(
        max_connections=settings.upstream_max_connections,
        max_keepalive_connections=settings.upstream_max_connections // 2,
    )
    return httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport, follow_redirects=False)


def public_location(location: str) -> str:
    """A service's Location (its internal path) as the public path."""
    path = urlsplit(location).path if "://" in location else location
    return PUBLIC_PREFIX + path if path.startswith("/") and not path.startswith(PUBLIC_PREFIX) else path


class HttpUpstream:
    def __init__(self, client: httpx.AsyncClient, settings: GatewaySettings) -> None:
        self.client = client
        self.bases = settings.upstreams
        self.token = settings.internal_token
        self.retry_after_s = settings.upstream_retry_after_s

    async def send(self, call: Call) -> Reply:
        headers = {**call.headers, TOKEN_HEADER: self.token, CALLER_HEADER: call.caller.encode()}
        if call.body is not None:
            headers.setdefault("Content-Type", "application/json")  # a file upload names its own
        url = self.bases[call.service].rstrip("/") + call.path
        try:
            answer = await self.client.request(call.method, url, params=call.params, content=call.body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise UpstreamUnavailable(call.service, self.retry_after_s) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(call.service) from exc
        except httpx.TransportError as exc:
            raise BadGateway(f"the {call.service} service gave no valid answer", service=call.service) from exc
        return _reply(answer)

    async def visible(self, caller: Caller, enterprise_id: str) -> bool:
        """Whether `caller` can see the enterprise (the enterprise service scopes the read)."""
        from urllib.parse import quote

        reply = await self.send(Call("enterprise", "GET", f"/enterprises/{quote(enterprise_id, safe='')}", caller))
        if reply.status in (200, 404):
            return reply.status == 200
        raise BadGateway(f"the enterprise service answered {reply.status}", service="enterprise")


def _reply(answer: httpx.Response) -> Reply:
    headers = {name: answer.headers[name] for name in PASSED_BACK if name in answer.headers}
    if "location" in headers:
        headers["location"] = public_location(headers["location"])
    return Reply(answer.status_code, headers, answer.content)
