"""A full disk or a read-only database: a clear 503 problem, and nothing already stored is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from hl_hazard.entrypoints.app import create_app
from hl_hazard.settings import HazardSettings
from tests.integration.hazard.test_overdue import _enterprise
from tests.support.callers import INSPECTOR, headers_for, service_client
from tests.support.db import migrated

pytestmark = pytest.mark.asyncio


def _report(enterprise_id: str, title: str) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "general",
        "title": title,
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "王检查",
        "deadline": (datetime.now(UTC) + timedelta(days=5)).date().isoformat(),
    }


def _app(url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(HazardSettings(database_url=url, nats_url="nats://127.0.0.1:1", data_dir=tmp_path))


async def test_disk_full_and_read_only_database_answer_503_and_keep_what_was_stored(tmp_path: Path) -> None:
    path = tmp_path / "hazard.db"
    url = f"sqlite+aiosqlite:///{path}"
    db = await migrated("hazard", url)
    enterprise_id = await _enterprise(db)
    await db.dispose()

    app = _app(url, tmp_path)
    async with service_client(app) as client:
        stored = await client.post(
            "/hazards", json=_report(enterprise_id, "已保存的隐患"), headers=headers_for(INSPECTOR)
        )
        assert stored.status_code == 201
        hazard_id = stored.json()["id"]

        # A disk that is full: SQLite may not grow the file by a single page more.
        @event.listens_for(app.state.runtime.db.writer.sync_engine, "connect")
        def _fill_disk(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA max_page_count = 1")
            cursor.close()

        await app.state.runtime.db.writer.dispose()  # new connections carry the limit
        full = await client.post(
            "/hazards",
            json=_report(enterprise_id, "磁盘满时上报") | {"description": "很长" * 2400},
            headers=headers_for(INSPECTOR),
        )
        assert full.status_code == 503, full.text
        assert full.headers["content-type"] == "application/problem+json" and full.headers["retry-after"]
        assert "full" in full.json()["detail"]

    read_only = _app(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true", tmp_path)
    async with service_client(read_only) as client:
        refused = await client.post(
            "/hazards", json=_report(enterprise_id, "只读时上报"), headers=headers_for(INSPECTOR)
        )
        assert refused.status_code == 503 and refused.headers["content-type"] == "application/problem+json"

    async with service_client(_app(url, tmp_path)) as client:
        listed = (await client.get("/hazards", headers=headers_for(INSPECTOR))).json()["items"]
        assert [h["id"] for h in listed] == [hazard_id], "the acknowledged write is there, the refused ones are not"
