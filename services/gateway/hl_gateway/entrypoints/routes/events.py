"""/api/v1/events: the public event log for integrators who do not speak NATS — a resumable
page at a time, or live as Server-Sent Events (each event's `id:` is the cursor after it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from hl_api.events import EventPage
from hl_gateway.application.authenticate import Validity
from hl_gateway.application.events import EventFeed, FeedItem
from hl_gateway.domain.access import Operation, region_for
from hl_gateway.domain.feed import Cursor, FeedFilter
from hl_gateway.entrypoints.deps import Credentials, GatewayDep
from hl_gateway.entrypoints.docs import READ
from hl_gateway.entrypoints.routes.spec import Route
from hl_gateway.settings import GatewaySettings
from hl_platform.identity import Caller

After = Annotated[str | None, Query(max_length=200, description="a cursor from an earlier answer; omit to start")]
Type = Annotated[
    str | None, Query(max_length=60, description="an event type (hazard.escalated) or a context (hazard, enterprise)")
]
Region = Annotated[str | None, Query(max_length=12, description="a region prefix inside yours (default: yours)")]
SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "text/event-stream: `id:` the cursor, `event:` the type, `data:` the CloudEvent",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **READ,
}


def _filter(caller: Caller, type_: str | None, region_code: str | None) -> FeedFilter:
    return FeedFilter.of(type_, region_for(caller, region_code))


async def read_events(
    caller: Caller,
    gateway: GatewayDep,
    after: After = None,
    type: Type = None,
    region_code: Region = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JSONResponse:
    """Up to `limit` events after `after`, oldest first; go on from `next_cursor`."""
    feed_filter = _filter(caller, type, region_code)
    limit = min(limit, gateway.settings.events_max_limit)
    page = await gateway.feed.page(Cursor.decode(after), feed_filter, limit)
    body = {"items": [item.event for item in page.items], "next_cursor": page.next_cursor}
    return JSONResponse(body)


async def stream_events(
    request: Request,
    caller: Caller,
    credentials: Credentials,
    gateway: GatewayDep,
    after: After = None,
    type: Type = None,
    region_code: Region = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=200)] = None,
) -> StreamingResponse:
    """Server-Sent Events from `after` (or the `Last-Event-ID` a reconnecting client sends) on.
    The stream ends when its credential stops holding (a revoked key, an expired JWT)."""
    feed_filter = _filter(caller, type, region_code)
    cursor = Cursor.decode(last_event_id or after)
    holds = await gateway.authenticator.validity(credentials.credentials if credentials else "")
    frames = _frames(gateway.feed, cursor, feed_filter, Live(request, gateway.stopping, holds), gateway.settings)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)


@dataclass(frozen=True)
class Live:
    """What keeps a stream going: its client, the gateway, and the caller's credential."""

    request: Request
    stop: asyncio.Event
    credential_holds: Validity


async def _frames(
    feed: EventFeed, cursor: Cursor, feed_filter: FeedFilter, live: Live, settings: GatewaySettings
) -> AsyncIterator[bytes]:
    yield b": hazard ledger event stream\n\n"
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    async with contextlib.aclosing(feed.follow(cursor, feed_filter, live.stop)) as items:
        async for item in items:
            if not await live.credential_holds():  # before every frame: nothing after a revocation
                yield b": credential revoked or expired; stream closed\n\n"
                return
            if item is not None:
                yield _frame(item)
                quiet_since = loop.time()
            elif await live.request.is_disconnected():
                return
            elif loop.time() - quiet_since >= settings.events_heartbeat_s:
                yield b": keep-alive\n\n"  # keeps proxies from closing an idle stream
                quiet_since = loop.time()


def _frame(item: FeedItem) -> bytes:
    return b"id: %s\nevent: %s\ndata: %s\n\n" % (
        item.cursor.encode(),
        str(item.event.get("type", "")).encode(),
        orjson.dumps(item.event),
    )


ROUTES = (
    Route(
        "read_events",
        "GET",
        "/events",
        "events",
        "Events after a cursor (CloudEvents)",
        "",
        Operation.READ_EVENTS,
        response_model=EventPage,
        responses=READ,
        endpoint=read_events,
    ),
    Route(
        "stream_events",
        "GET",
        "/events/stream",
        "events",
        "Follow events live (SSE)",
        "",
        Operation.READ_EVENTS,
        responses=SSE_RESPONSE,
        endpoint=stream_events,
    ),
)
