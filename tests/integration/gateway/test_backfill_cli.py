"""`./hl backfill FILE` against the real gateway and hazard service: the same hazards from an NDJSON,
a CSV and an xlsx file (the layouts of docs/BACKFILL.md), each bad row reported with its row and
field, the exit status saying whether any was invalid, and a second run answering duplicates."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from hl_stack.backfill import read_entries
from hl_stack.cli import main
from tests.integration.gateway.conftest import ADMIN_KEY, Stack

pytestmark = pytest.mark.asyncio
HEADER = [
    "key",
    "step",
    "actor_role",
    "actor_name",
    "enterprise_id",
    "source",
    "level",
    "title",
    "found_at",
    "found_by",
    "rectify_immediately",
    "production_halt",
    "responsible_person",
    "measures",
    "funds_yuan",
    "deadline",
    "emergency_plan",
    "decided_at",
    "completed_at",
    "accepted",
    "reviewer",
]


def _rows(prefix: str, enterprise_id: str) -> list[list[Any]]:
    """Three hazards: a major fixed and accepted, a general fixed on the spot, and one whose
    acceptance comes before its fix (row 7, its field decided_at)."""
    now = datetime.now(UTC).replace(microsecond=0)
    found = now - timedelta(days=20)
    at = {name: (found + timedelta(days=days)).isoformat() for name, days in (("plan", 1), ("fix", 5), ("ok", 6))}
    deadline = (now + timedelta(days=30)).date().isoformat()
    empty = [""] * (len(HEADER) - 10)
    major = [
        enterprise_id,
        "department_inspection",
        "major",
        "储罐区报警器失效",
        found.isoformat(),
        "王检查",
        "",
        "partial",
    ]
    early = (found - timedelta(days=1)).isoformat()  # before the hazard was found

    def spot(title: str) -> list[str]:
        return [enterprise_id, "department_inspection", "general", title, found.isoformat(), "王检查", "是", *empty[1:]]

    plan = ["李四", "更换报警器", "12000", deadline, "泄漏应急预案", at["plan"], "", "", ""]
    return [
        [f"{prefix}-1", "found", "", "", *major, *[""] * 9],
        [f"{prefix}-1", "plan", "enterprise", "安全员", *[""] * 8, *plan],
        [f"{prefix}-1", "rectification", "enterprise", "安全员", *[""] * 14, at["fix"], "", ""],
        [f"{prefix}-1", "acceptance", "inspector", "王检查", *[""] * 13, at["ok"], "", "是", "王检查"],
        [f"{prefix}-2", "found", "", "", *spot("灭火器过期")],
        [f"{prefix}-3", "found", "", "", *spot("通道堵塞")],
        [f"{prefix}-3", "acceptance", "inspector", "王检查", *[""] * 13, early, "", "是", "王检查"],
    ]


def _csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _ndjson(path: Path, csv_path: Path) -> Path:
    """The CSV's items as the API takes them, one per line, with a typo in the last one."""
    items = [entry.item for entry in read_entries(csv_path)]
    assert items[-1] is not None
    items[-1]["hazard"]["levle"] = "major"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path


async def _run(stack: Stack, path: Path) -> int:
    argv = ["backfill", str(path), "--url", stack.gateway.url, "--api-key", ADMIN_KEY, "--batch", "2"]

    def run() -> int:
        try:
            main(argv)
        except SystemExit as exit:
            return int(exit.code or 0)
        return 0

    return await asyncio.to_thread(run)  # the CLI is synchronous; the servers share this loop


async def test_backfill_from_csv_xlsx_and_ndjson(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    enterprise_id = await stack.enterprise("371002")
    for kind in ("csv", "xlsx", "ndjson"):
        source = _csv(tmp_path / f"{kind}.csv", _rows(kind, enterprise_id))
        path = {"csv": source, "xlsx": _xlsx(tmp_path / "x.xlsx", _rows(kind, enterprise_id))}.get(kind)
        path = path or _ndjson(tmp_path / "n.ndjson", source)
        assert await _run(stack, path) == 1, kind
        shown = capsys.readouterr().err
        assert "created" in shown and "│ 2       │ 0         │ 1" in shown, shown
        if kind == "ndjson":  # refused by the schema before sending: its line and field
            assert "│ 3   │ ndjson-3 │ /hazard/levle" in shown, shown
        else:  # refused by the rules: its acceptance's row and field
            assert f"│ 8   │ {kind}-3 │ /steps/0/decided_at" in shown, shown
        assert await _run(stack, path) == 1
        again = capsys.readouterr().err
        assert "│ 0       │ 2         │ 1" in again, again

    hazards = (await stack.client.get("/api/v1/hazards", headers=stack.as_(ADMIN_KEY))).json()["items"]
    assert sorted(h["status"] for h in hazards if h["title"] == "储罐区报警器失效") == ["closed"] * 3


async def test_a_batch_with_an_idempotency_key_is_answered_once(stack: Stack) -> None:
    enterprise_id = await stack.enterprise("371002")
    spot = {"enterprise_id": enterprise_id, "source": "department_inspection", "level": "general"}
    spot |= {"title": "灭火器过期", "found_at": datetime.now(UTC).isoformat(), "found_by": "王检查"}
    body = {"items": [{"key": "keyed-1", "hazard": spot | {"rectify_immediately": True}}]}
    headers = {**stack.as_(ADMIN_KEY), "Idempotency-Key": "backfill-batch-1"}
    first = await stack.client.post("/api/v1/hazard-backfills", json=body, headers=headers)
    again = await stack.client.post("/api/v1/hazard-backfills", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["items"][0]["outcome"] == "created" and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
