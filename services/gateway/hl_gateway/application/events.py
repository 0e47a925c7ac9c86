"""The event feed over REST: CloudEvents from the public streams, in stream order, resumable.

Two streams are merged by publication time, head by head, so each stream's own order is kept.
A page scans at most `limit` events; events outside the reader's region (finer than the NATS
subject can say) are skipped but still move the cursor, so a page may hold fewer than `limit`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hl_gateway.domain.feed import Cursor, FeedFilter


@dataclass(frozen=True)
class LoggedEvent:
    stream: str
    sequence: int
    published_at: datetime
    envelope: dict[str, Any] | None  # None: not a readable CloudEvent (skipped)

    @property
    def region_code(self) -> str:
        return str((self.envelope or {}).get("regioncode", ""))


class EventLog(Protocol):
    async def next_after(self, stream: str, subject: str, sequence: int) -> LoggedEvent | None:
        """The first event after `sequence` on a subject matching `subject`, if any."""
        ...


@dataclass(frozen=True)
class FeedItem:
    event: dict[str, Any]
    cursor: str  # resume here to get the events after this one


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str


class EventFeed:
    def __init__(self, log: EventLog, poll_interval_s: float = 1.0) -> None:
        self.log = log
        self.poll_interval_s = poll_interval_s

    async def page(self, cursor: Cursor, feed_filter: FeedFilter, limit: int) -> FeedPage:
        subjects = feed_filter.subjects()
        heads = {s: await self.log.next_after(s, subject, cursor.position(s)) for s, subject in subjects.items()}
        items: list[FeedItem] = []
        for _ in range(limit):
            live = [head for head in heads.values() if head is not None]
            if not live:
                break
            event = min(live, key=lambda head: (head.published_at, head.stream))
            cursor = cursor.moved(event.stream, event.sequence)
            if event.envelope is not None and feed_filter.matches(event.region_code):
                items.append(FeedItem(event.envelope, cursor.encode()))
            heads[event.stream] = await self.log.next_after(event.stream, subjects[event.stream], event.sequence)
        return FeedPage(items, cursor.encode())

    async def follow(
        self, cursor: Cursor, feed_filter: FeedFilter, stop: asyncio.Event, batch: int = 100
    ) -> AsyncGenerator[FeedItem | None, None]:
        """Events as they arrive, for ever (until `stop`); None marks an idle poll."""
        while not stop.is_set():
            page = await self.page(cursor, feed_filter, batch)
            cursor = Cursor.decode(page.next_cursor)
            for item in page.items:
                yield item
            if not page.items:
                yield None
                await _sleep_or_stop(stop, self.poll_interval_s)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
