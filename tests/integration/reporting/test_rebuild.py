"""A rebuild replays the streams into a new generation and every reporting process switches to it
while it keeps answering: no request fails, no figure is ever partial, nothing frozen is lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from hl_contracts import subject_for
from hl_platform.nats_io import ensure_stream, stream_for
from hl_reporting.application.generations import rebuild
from hl_reporting.entrypoints.app import create_app
from hl_reporting.settings import ReportingSettings
from hl_stack.nats_server import NatsServer
from tests.integration.services.test_three_services import eventually, figure, period_covering
from tests.support.callers import CITY_SUPERVISOR, headers_for, service_client
from tests.support.db import migrated
from tests.support.events import found

pytestmark = pytest.mark.asyncio


async def test_rebuild_switches_over_without_downtime(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    await (await migrated("reporting", database_url)).dispose()
    settings = ReportingSettings(
        database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path, generation_check_interval_s=0.2
    )
    app = create_app(settings)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_stream(js, stream_for("hazard"))  # as the hazard service would; HL_ENTERPRISE stays absent

    async def publish(count: int) -> None:
        for _ in range(count):
            event = found()
            await js.publish(
                subject_for(event.type, event.regioncode), event.to_json(), headers={"Nats-Msg-Id": event.id}
            )

    params = {"period": period_covering(datetime.now(UTC)), "region_code": "3710"}
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        await publish(40)

        async def found_count() -> int:
            answer = await client.get("/reports/monthly", params=params, headers=headers_for(CITY_SUPERVISOR))
            assert answer.status_code == 200, answer.text
            return int(figure(answer.json(), "self_inspection_major_found"))

        await eventually(lambda: _equals(found_count(), 40))
        submission = {"region_code": "3710", "filled_by": "张填报", "reviewed_by": "李审核"}
        frozen = await client.post(
            f"/reports/monthly/{params['period']}/submissions", json=submission, headers=headers_for(CITY_SUPERVISOR)
        )
        assert frozen.status_code == 201

        seen: list[int] = []
        stop = asyncio.Event()

        async def keep_reading() -> None:
            while not stop.is_set():
                seen.append(await found_count())
                await asyncio.sleep(0.02)

        reader = asyncio.create_task(keep_reading())
        generation = await rebuild(database_url, js, lambda *_: None, switch_wait=0.5)
        await eventually(lambda: _true(app.state.runtime.db.url == generation.url))
        await asyncio.sleep(0.3)
        stop.set()
        await reader
        assert seen and set(seen) == {40}, "reads never failed and never saw a half-built table"

        async def old_durable_gone() -> bool:
            try:
                await js.consumer_info("HL_HAZARD", "reporting-hazard")
            except NotFoundError:
                return True
            return False

        await eventually(old_durable_gone)  # the old generation's durables are deleted after the switch
        await publish(2)
        await eventually(lambda: _equals(found_count(), 42))  # the new generation keeps consuming
        kept = await client.get(
            f"/reports/monthly/{params['period']}/submissions",
            params={"region_code": "3710"},
            headers=headers_for(CITY_SUPERVISOR),
        )
        assert kept.status_code == 200 and [item["id"] for item in kept.json()["items"]] == [frozen.json()["id"]]
        one = await client.get(
            f"/reports/monthly/{params['period']}/submissions/{frozen.json()['id']}",
            headers=headers_for(CITY_SUPERVISOR),
        )
        assert one.status_code == 200 and one.json()["submission"]["table"] == frozen.json()["table"]
    await nc.close()


async def _equals(value: asyncio.Future[int] | object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


async def _true(value: bool) -> bool:
    return value
