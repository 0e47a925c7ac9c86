"""One trace crosses HTTP → database → NATS publish → consumer (in-memory span exporter)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import APIRouter, Request
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import Actor, CloudEvent
from hl_contracts.hazard import HazardFound
from hl_platform.http import create_service_app
from hl_platform.nats_io import ConsumerSpec, stream_for
from hl_platform.repository import Repository
from hl_platform.runtime import Runtime, Subscription
from hl_platform.settings import ServiceSettings
from hl_platform.telemetry import instrument_engine
from hl_stack.nats_server import NatsServer
from tests.support.db import migrated
from tests.support.events import Probe, found, random_id

pytestmark = pytest.mark.asyncio
EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def _tracer_provider() -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)


class Seen:
    def __init__(self) -> None:
        self.events: list[CloudEvent] = []

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        self.events.append(event)


async def test_a_trace_crosses_http_nats_and_the_consumer(nats_server: NatsServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}"
    await (await migrated("hazard", url)).dispose()
    seen = Seen()
    settings = ServiceSettings(service_name="hazard", database_url=url, nats_url=nats_server.url)
    runtime = Runtime(
        settings,
        streams=[stream_for("hazard")],
        publishes=True,
        subscriptions=[Subscription(ConsumerSpec(stream="HL_HAZARD", durable="trace-test"), seen)],
    )
    router = APIRouter()

    @router.post("/probes", status_code=201)
    async def create_probe(request: Request) -> dict[str, str]:
        probe = Probe(random_id())
        data = found().payload()
        assert isinstance(data, HazardFound)
        probe.record(data, actor=Actor(id="u", name="u", role="inspector"), time=datetime.now(UTC))
        async with runtime.db.write() as conn:
            await Repository(Probe, "hazard").save(conn, probe)
        runtime.committed()
        return {"id": probe.id}

    app = create_service_app(runtime, [router], title="t", description="t")
    instrument_engine(runtime.db.writer)
    await runtime.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            answer = await client.post("/probes")
        assert answer.status_code == 201
        async with asyncio.timeout(20):
            while not seen.events:
                await asyncio.sleep(0.05)
    finally:
        await runtime.stop()

    spans = EXPORTER.get_finished_spans()
    server = next(s for s in spans if s.kind == SpanKind.SERVER and s.name == "POST /probes")
    trace_id = server.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    kinds = {s.kind for s in in_trace}
    assert SpanKind.PRODUCER in kinds, "the publish continues the request's trace"
    assert SpanKind.CONSUMER in kinds, "the consumer continues it from the message headers"
    assert any(s.kind == SpanKind.CLIENT and s.attributes and s.attributes.get("db.system") for s in in_trace), (
        "database statements are spans of the same trace"
    )
    consumer = next(s for s in in_trace if s.kind == SpanKind.CONSUMER)
    producer = next(s for s in in_trace if s.kind == SpanKind.PRODUCER)
    assert consumer.parent is not None and consumer.parent.span_id == producer.context.span_id
