"""Bulk import through the operator command: valid rows registered, bad rows reported with their
row number, and a second import of the same file changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hl_platform.tables import events
from hl_stack.imports import import_enterprises
from tests.support.db import migrated
from tests.support.uscc import random_uscc

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


def _write_list(path: Path, good: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["统一社会信用代码", "企业名称", "所属区域(代码)", "行业领域", "主要负责人", "联系电话", "是否高危"]
        )
        codes: set[str] = set()
        while len(codes) < good:  # distinct: a repeated code would rightly be refused as a duplicate row
            codes.add(random_uscc())
        for i, code in enumerate(sorted(codes)):
            writer.writerow([code, f"威海第{i}化工厂", "371002", "危险化学品", "张三", "13800000000", "是"])
        writer.writerow(["91371002XXXXXXXXXX", "坏代码", "371002", "危险化学品", "张三", "", "是"])  # row good+2
        writer.writerow([random_uscc(), "未知区域", "379999", "危险化学品", "张三", "", "否"])  # row good+3


async def _event_count(db) -> int:  # type: ignore[no-untyped-def]
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(events)) or 0)


async def test_import_registers_valid_rows_reports_bad_ones_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'enterprise.db'}"
    monkeypatch.setenv("HL_ENTERPRISE_DATABASE_URL", url)
    db = await migrated("enterprise", url)
    sheet = tmp_path / "企业名单.csv"
    _write_list(sheet, good=9_998)  # 10,000 rows with the two bad ones

    assert await import_enterprises(sheet, "批量导入") == 1  # some rows were refused
    output = capsys.readouterr().err
    assert "registered: 9998" in output and "invalid: 2" in output
    assert "10000" in output and "uscc" in output and "10001" in output and "region_code" in output
    assert await _event_count(db) == 9_998

    assert await import_enterprises(sheet, "批量导入") == 1
    assert "already registered: 9998" in capsys.readouterr().err
    assert await _event_count(db) == 9_998, "a second import writes nothing"
    await db.dispose()
