"""Faults on the running production stack, each under a steady load through the gateway: NATS
nodes stopped (one, then a second: the quorum is lost) and restarted; a reporting replica killed;
PostgreSQL restarted; the hazard container killed. After each, every acknowledged report is
stored, published, projected and counted exactly once, and the test records how long writes and
reads through the gateway were unavailable (the longest stretch with no success)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.production.conftest import record_fault
from tests.production.load import County, Outcome, Reader, Writer, check_exactly_once, county, longest_gap
from tests.production.stack import Stack

pytestmark = [pytest.mark.timeout(420)]

NODES = ("nats-1", "nats-2", "nats-3")


async def _load(stack: Stack, code: str, tag: str) -> tuple[County, Writer, Reader]:
    place = await county(stack, code, f"威海{tag}测试企业")
    writer, reader = Writer(stack, place, tag), Reader(stack, place)
    writer.start()
    reader.start()
    await writer.acked_at_least(20)
    return place, writer, reader


async def _finish(stack: Stack, place: County, writer: Writer, reader: Reader, fault: str, since: float) -> Outcome:
    """A few more seconds of load on the recovered stack, then the exactly-once check."""
    recovered = len(writer.acked)
    await writer.acked_at_least(recovered + 20)
    end = time.monotonic()
    await writer.stop()
    await reader.stop()
    outcome = await check_exactly_once(stack, place, writer)
    record_fault(
        fault=fault,
        writes_unavailable_s=longest_gap(writer.ack_times, since, end),
        reads_unavailable_s=longest_gap(reader.ok_times, since, end),
        **vars(outcome),
    )
    return outcome


async def _stream_leader(stack: Stack) -> str:
    nc = await stack.nats("hl-admin")
    try:
        info = await nc.jetstream(timeout=10).stream_info("HL_HAZARD")
        assert info.cluster is not None and info.cluster.leader
        return str(info.cluster.leader)
    finally:
        await nc.close()


def _unpublished(stack: Stack) -> int:
    return int(stack.sql("hazard", "SELECT count(*) FROM outbox WHERE published_at IS NULL"))


async def test_nats_nodes_stopped_one_then_two_then_restarted(healthy_stack: Stack) -> None:
    stack = healthy_stack
    place, writer, reader = await _load(stack, "371003", "NATS节点停止")
    # The stream leader first (the worst one to lose), then one more: 1 of 3 left, no quorum.
    first = await _stream_leader(stack)
    second = next(node for node in reversed(NODES) if node != first)
    since = time.monotonic()
    await asyncio.to_thread(stack.stop, stack.container(first))
    with_one_down = len(writer.acked)
    await writer.acked_at_least(with_one_down + 30)
    await asyncio.sleep(2)  # the relay, reconnected, drains the outbox through the two nodes left
    assert await asyncio.to_thread(_unpublished, stack) <= writer.clients * 2, "R3 publishes with one node down"

    await asyncio.to_thread(stack.stop, stack.container(second))
    with_two_down = len(writer.acked)
    await writer.acked_at_least(with_two_down + 30)  # writes go on: the outbox is in PostgreSQL
    backlog = await asyncio.to_thread(_unpublished, stack)
    assert backlog > 0, "no quorum: the relay cannot publish, the outbox holds the events"

    for node in (second, first):
        await asyncio.to_thread(stack.start, stack.container(node))
    for node in NODES:
        await asyncio.to_thread(stack.wait_healthy, stack.container(node))
    outcome = await _finish(stack, place, writer, reader, f"nats: {first} stopped, then {second}", since)
    assert outcome.unanswered == 0, "writes never depended on NATS"
    print(f"outbox backlog with two nodes down: {backlog}")


async def test_a_reporting_replica_killed_mid_stream(healthy_stack: Stack) -> None:
    stack = healthy_stack
    place, writer, reader = await _load(stack, "371082", "报表副本被杀")
    victim = stack.container("reporting", 1)
    restarts = await asyncio.to_thread(stack.restarts, victim)
    since = time.monotonic()
    await asyncio.to_thread(stack.crash, victim)
    await writer.acked_at_least(len(writer.acked) + 40)  # the other replica projects meanwhile
    back_in = await asyncio.to_thread(stack.wait_healthy, victim, 120)
    assert await asyncio.to_thread(stack.restarts, victim) > restarts, "the restart policy brought it back"
    await _finish(stack, place, writer, reader, "reporting replica 1 killed", since)
    print(f"reporting replica healthy again {back_in:.1f} s after the kill's effects were seen")


async def test_postgres_restarted(healthy_stack: Stack) -> None:
    stack = healthy_stack
    place, writer, reader = await _load(stack, "371083", "数据库重启")
    since = time.monotonic()
    await asyncio.to_thread(stack.restart, stack.container("postgres"))
    await asyncio.to_thread(stack.wait_healthy, stack.container("postgres"))
    outcome = await _finish(stack, place, writer, reader, "postgres restarted", since)
    assert outcome.acknowledged > 0


async def test_the_hazard_container_killed_mid_load(healthy_stack: Stack) -> None:
    stack = healthy_stack
    place, writer, reader = await _load(stack, "371071", "隐患服务被杀")
    victim = stack.container("hazard")
    since = time.monotonic()
    await asyncio.to_thread(stack.crash, victim)
    await asyncio.to_thread(stack.wait_healthy, victim, 120)
    outcome = await _finish(stack, place, writer, reader, "hazard container killed", since)
    assert outcome.unanswered > 0, "the kill cut off requests (otherwise nothing was tested)"
    assert outcome.unanswered_but_stored <= writer.clients, "at most the requests in flight at the kill"
