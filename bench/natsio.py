"""NATS helpers for the benchmark: a fresh nats-server, the two streams, bulk publishing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path

import nats
from nats.aio.client import Client

from bench.datagen import Generated
from bench.procs import free_port


def fresh_server(folder: Path):  # type: ignore[no-untyped-def]
    from hl_stack.nats_server import NatsServer

    return NatsServer(folder, port=free_port()).start()


async def connect_with_streams(url: str) -> Client:
    from hl_platform.nats_io import ensure_stream, stream_for

    nc = await nats.connect(url, name="bench")
    js = nc.jetstream()
    for context in ("hazard", "enterprise"):  # as the hazard and enterprise services would
        await ensure_stream(js, stream_for(context))
    return nc


async def publish(nc: Client, events: Iterable[Generated], stream: str = "HL_HAZARD") -> tuple[int, float]:
    """Bulk-load a stream: core publishes (no PubAck each) with `Nats-Msg-Id` = event id, a flush every
    5,000, then the stream's message count is checked, so nothing was lost. Returns (count, seconds)."""
    js = nc.jetstream()
    before = (await js.stream_info(stream)).state.messages
    started = time.perf_counter()
    count = 0
    for item in events:
        await nc.publish(item.subject, item.payload, headers={"Nats-Msg-Id": item.event_id})
        count += 1
        if count % 5000 == 0:
            await nc.flush(timeout=60)
    await nc.flush(timeout=60)
    deadline = time.perf_counter() + 60
    while True:  # the server may still be storing the tail
        stored = (await js.stream_info(stream)).state.messages - before
        if stored >= count or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.1)
    if stored != count:
        raise RuntimeError(f"published {count} events but {stream} stored {stored}")
    return count, time.perf_counter() - started
