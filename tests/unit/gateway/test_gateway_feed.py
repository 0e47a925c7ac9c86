"""The event feed: cursors, subject filters, merging the two streams, region post-filtering."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta

import pytest

from hl_gateway.application.events import EventFeed
from hl_gateway.domain.feed import Cursor, FeedFilter
from hl_platform.errors import InvalidInput
from tests.unit.gateway.fakes import T0, MemoryEventLog, envelope


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


def test_a_cursor_round_trips_and_rejects_forgeries() -> None:
    cursor = Cursor().moved("HL_HAZARD", 41).moved("HL_ENTERPRISE", 7)
    assert Cursor.decode(cursor.encode()) == cursor and Cursor.decode(None) == Cursor()
    assert Cursor.decode(_b64("v1.1.2")).position("HL_ENTERPRISE") == 2
    for forged in ("%%%", _b64("v2.1.2"), _b64("v1.-1.2"), _b64("v1.a.2"), _b64("v1.1"), _b64("v1.1.2.3")):
        with pytest.raises(InvalidInput):
            Cursor.decode(forged)


def test_filters_become_the_narrowest_subjects() -> None:
    assert FeedFilter.of("hazard.escalated", "371002").subjects() == {
        "HL_HAZARD": "hl.v1.hazard.escalated.37.3710.371002"
    }
    assert FeedFilter.of("enterprise", "3710").subjects() == {"HL_ENTERPRISE": "hl.v1.enterprise.*.37.3710.>"}
    assert FeedFilter.of(None, "").subjects() == {
        "HL_HAZARD": "hl.v1.hazard.*.>",
        "HL_ENTERPRISE": "hl.v1.enterprise.*.>",
    }
    with pytest.raises(InvalidInput):
        FeedFilter.of("hazard.exploded", "")


def _log() -> MemoryEventLog:
    log = MemoryEventLog()
    at = iter(T0 + timedelta(seconds=i) for i in range(100))
    log.publish(
        "HL_ENTERPRISE",
        "hl.v1.enterprise.registered.37.3710.371002",
        envelope("enterprise.registered", "371002"),
        next(at),
    )
    log.publish("HL_HAZARD", "hl.v1.hazard.found.37.3710.371002", envelope("hazard.found", "371002"), next(at))
    log.publish("HL_HAZARD", "hl.v1.hazard.found.37.3701.370102", envelope("hazard.found", "370102"), next(at))
    log.publish("HL_HAZARD", "hl.v1.hazard.found.37.3710.371002", None, next(at))  # unreadable: skipped
    log.publish(
        "HL_ENTERPRISE",
        "hl.v1.enterprise.inspected.37.3710.371002",
        envelope("enterprise.inspected", "371002"),
        next(at),
    )
    log.publish(
        "HL_HAZARD",
        "hl.v1.hazard.found.37.3710.371002",
        envelope("hazard.found", "371002123", subject="town"),
        next(at),
    )
    return log


async def test_pages_merge_both_streams_in_publication_order_and_resume() -> None:
    feed = EventFeed(_log())
    first = await feed.page(Cursor(), FeedFilter.of(None, "3710"), limit=2)
    assert [item.event["type"] for item in first.items] == ["enterprise.registered", "hazard.found"]
    rest = await feed.page(Cursor.decode(first.next_cursor), FeedFilter.of(None, "3710"), limit=10)
    assert [(i.event["type"], i.event["regioncode"]) for i in rest.items] == [
        ("enterprise.inspected", "371002"),
        ("hazard.found", "371002123"),
    ]
    assert Cursor.decode(rest.next_cursor).positions == (("HL_HAZARD", 4), ("HL_ENTERPRISE", 2))
    assert (await feed.page(Cursor.decode(rest.next_cursor), FeedFilter.of(None, "3710"), 10)).items == []


async def test_each_item_carries_the_cursor_after_it() -> None:
    feed = EventFeed(_log())
    page = await feed.page(Cursor(), FeedFilter.of("hazard", ""), limit=10)
    after_first = await feed.page(Cursor.decode(page.items[0].cursor), FeedFilter.of("hazard", ""), limit=10)
    assert [i.event for i in after_first.items] == [i.event for i in page.items[1:]]


async def test_a_town_prefix_is_filtered_beyond_what_subjects_can_say() -> None:
    page = await EventFeed(_log()).page(Cursor(), FeedFilter.of("hazard.found", "371002123"), limit=10)
    assert [i.event["subject"] for i in page.items] == ["town"]


async def test_a_page_scans_at_most_limit_events() -> None:
    log = _log()
    page = await EventFeed(log).page(Cursor(), FeedFilter.of(None, "3710"), limit=1)
    assert len(page.items) == 1 and log.requests <= 3


async def test_following_yields_new_events_as_they_come() -> None:
    log, stop = MemoryEventLog(), asyncio.Event()
    feed = EventFeed(log, poll_interval_s=0.01)
    seen: list[str] = []

    async def follow() -> None:
        async for item in feed.follow(Cursor(), FeedFilter.of(None, ""), stop):
            if item is not None:
                seen.append(item.event["id"])
                stop.set()

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.05)
    log.publish("HL_HAZARD", "hl.v1.hazard.voided.37.3710.371002", envelope("hazard.voided", "371002"), T0)
    await asyncio.wait_for(task, 2)
    assert seen == ["hazard.voided-371002"]
