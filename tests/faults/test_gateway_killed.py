"""The gateway SIGKILLed mid-load while clients report hazards through it, each logical write with
its own Idempotency-Key and retried with that key until it gets an answer: N logical writes are
N hazards in the event store, N in the reporting read model and N in the dispatch table, and a
retry of any of them after the restart gets the first answer (same status, body and id).

The kill cuts requests at every stage — not yet relayed, written by the hazard service but not
yet answered, answered but not yet remembered by the gateway — and the gateway's own record of a
key dies with it (in flight), so only the hazard service's record can make a retry come out right.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hl_stack.nats_server import NatsServer
from tests.faults.harness import (
    KINDS,
    MAJOR,
    dispatch_table,
    expected_figures,
    figure,
    read_truth,
    register_enterprise,
    wait_until_projected,
)
from tests.support.processes import ServiceStack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

TOTAL = 150
KILL_AFTER = 50
CLIENTS = 4
ADMIN_KEY = "hl_" + secrets.token_urlsafe(24)


@asynccontextmanager
async def stack_with_gateway(data_dir: Path, nats_url: str) -> AsyncIterator[ServiceStack]:
    stack = ServiceStack(data_dir, nats_url, services=("enterprise", "hazard", "reporting", "gateway"))
    gateway = stack["gateway"]
    gateway.env.update(
        {f"HL_GATEWAY_{name.upper()}_URL": stack[name].base_url for name in ("hazard", "enterprise", "reporting")}
    )
    gateway.env.update(
        {
            "HL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
            "HL_GATEWAY_METRICS_PORT": "0",
            "HL_GATEWAY_RATE_LIMIT_PER_S": "10000",
            "HL_GATEWAY_RATE_LIMIT_BURST": "10000",
            # A claim left by the killed gateway is taken over after 2 s: before the services held
            # the keys, the retry then made a second hazard.
            "HL_GATEWAY_IDEMPOTENCY_IN_FLIGHT_S": "2",
        }
    )
    await stack.migrate()
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop()


@dataclass
class Write:
    """One logical write: its key and body, and the first answer it got."""

    n: int
    key: str
    body: dict[str, Any]
    status: int | None = None
    answer: dict[str, Any] | None = None
    location: str | None = None
    attempts: int = 0
    cut_off: int = 0  # attempts that got no answer (the gateway was killed or down)


@dataclass
class KeyedWriter:
    base_url: str
    enterprise_id: str
    found_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=2))
    writes: list[Write] = field(default_factory=list)
    replayed_by_service: int = 0  # first answers that were replays: the write was done, its answer lost

    def __post_init__(self) -> None:
        for n in range(TOTAL):
            source, level = KINDS[n % len(KINDS)]
            body = {
                "enterprise_id": self.enterprise_id,
                "source": source,
                "level": level,
                "title": f"网关故障注入隐患 #{n:04d}",
                "found_at": self.found_at.isoformat(),
                "found_by": "王检查",
            }
            if level == MAJOR:
                body["production_halt"] = "partial"
            self.writes.append(Write(n, str(uuid.uuid4()), body))

    @property
    def acked(self) -> int:
        return sum(1 for write in self.writes if write.status == 201)

    async def run(self, timeout: float = 120.0) -> None:
        queue: asyncio.Queue[Write] = asyncio.Queue()
        for write in self.writes:
            queue.put_nowait(write)
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        async with asyncio.timeout(timeout), httpx.AsyncClient(base_url=self.base_url, headers=headers) as client:
            await asyncio.gather(*(self._client(client, queue) for _ in range(CLIENTS)))

    async def _client(self, client: httpx.AsyncClient, queue: asyncio.Queue[Write]) -> None:
        while not queue.empty():
            write = queue.get_nowait()
            while write.status is None:  # the same request, the same key, until it is answered
                await self._attempt(client, write)

    async def _attempt(self, client: httpx.AsyncClient, write: Write) -> None:
        write.attempts += 1
        try:
            answer = await client.post(
                "/api/v1/hazards", json=write.body, headers={"Idempotency-Key": write.key}, timeout=30
            )
        except httpx.TransportError:
            write.cut_off += 1
            await asyncio.sleep(0.1)  # the gateway is away: do not spin
            return
        retry = answer.status_code >= 500 or (
            answer.status_code == 409
            and answer.json().get("type", "").endswith(("idempotency-in-flight", "enterprise-unknown"))
        )
        if retry:
            await asyncio.sleep(0.1)
            return
        assert answer.status_code == 201, f"#{write.n}: {answer.status_code} {answer.text}"
        write.status, write.answer, write.location = 201, answer.json(), answer.headers["location"]
        self.replayed_by_service += answer.headers.get("idempotent-replayed") == "true"


async def test_gateway_killed_mid_load_and_every_write_retried_with_its_key(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    async with stack_with_gateway(tmp_path / "data", nats_server.url) as stack:
        gateway = stack["gateway"]
        writer = KeyedWriter(gateway.base_url, await register_enterprise(stack))
        writing = asyncio.ensure_future(writer.run())
        try:
            async with asyncio.timeout(60):
                while writer.acked < KILL_AFTER:
                    assert not writing.done(), writing
                    await asyncio.sleep(0.005)
            # Hold the hazard service's writes for a moment, so that some requests are surely
            # relayed and not yet answered when the gateway dies; they complete after it died.
            lock = sqlite3.connect(stack.sqlite_path("hazard"), isolation_level=None, timeout=30)
            lock.execute("BEGIN IMMEDIATE")
            try:
                await asyncio.sleep(0.5)
                gateway.kill()  # mid-load: requests in flight at every stage
            finally:
                lock.rollback()
                lock.close()
            killed_at = writer.acked
            await gateway.restart()
            await writing
        finally:
            writing.cancel()
        assert killed_at < TOTAL and writer.acked == TOTAL
        assert sum(write.cut_off for write in writer.writes) > 0, "the kill cut off requests (else nothing was tested)"

        # N logical writes are N hazards, each the one its first answer named.
        truth = read_truth(stack.sqlite_path("hazard"))
        titles = Counter(found.title for found in truth.found.values())
        assert len(truth.found) == TOTAL and max(titles.values()) == 1, titles.most_common(3)
        for write in writer.writes:
            assert write.answer is not None and truth.found[write.answer["id"]].title == write.body["title"]
        assert writer.replayed_by_service > 0, "some writes were done but their answers lost: the retry replayed them"

        # A retry of each after the restart: the first answer again, every byte of it.
        async with httpx.AsyncClient(
            base_url=gateway.base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30
        ) as client:
            for write in writer.writes:
                again = await client.post("/api/v1/hazards", json=write.body, headers={"Idempotency-Key": write.key})
                assert again.status_code == 201 and again.json() == write.answer, again.text
                assert again.headers["location"] == write.location and again.headers["idempotent-replayed"] == "true"
            changed = {**writer.writes[0].body, "title": "同一个键，另一个请求"}
            reused = await client.post(
                "/api/v1/hazards", json=changed, headers={"Idempotency-Key": writer.writes[0].key}
            )
            assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "Idempotency-Key"

        # N in the read model and N in the dispatch table.
        truth, projection = await wait_until_projected(stack)
        assert len(projection.versions) == TOTAL and projection.dead_letters == []
        table = await dispatch_table(stack, writer.found_at)
        expected = expected_figures(truth)
        assert {key: figure(table, key) for key in expected} == expected
        assert figure(table, "major_found") + figure(table, "general_found") == TOTAL
