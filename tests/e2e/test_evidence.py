"""Evidence through the running system (`./hl up`'s code path): the photo goes to the SeaweedFS
server the stack started, its signed link serves the same bytes, and the supervision list's xlsx
counts it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
from openpyxl import load_workbook

from tests.e2e.conftest import Stack
from tests.e2e.test_lifecycle import _eventually, _key
from tests.support import files
from tests.support.uscc import random_uscc


def test_a_photo_is_stored_linked_and_counted(stack: Stack) -> None:
    admin = stack.client()
    inspector = stack.client(_key(admin, role="inspector", name="王检查", region_code="3710"))
    supervisor = stack.client(_key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"))
    enterprise = inspector.post(
        "/enterprises",
        json={
            "uscc": random_uscc(),
            "name": "威海某危化品仓储有限公司",
            "region_code": "371002",
            "industry": "hazardous_chemicals",
            "principal": {"name": "钱总", "phone": "13806310001"},
        },
    )
    assert enterprise.status_code == 201, enterprise.text
    report = {
        "enterprise_id": enterprise.json()["id"],
        "source": "department_inspection",
        "level": "major",
        "title": "危化品仓库未设置可燃气体报警",
        "found_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
    }
    created = _eventually(lambda: (a := inspector.post("/hazards", json=report)).status_code != 409 and a)
    hazard_id = created.json()["id"]
    photo = files.jpeg()
    upload = inspector.post(
        f"/hazards/{hazard_id}/attachments",
        files={"file": ("现场.jpg", photo, "image/jpeg")},
        data={"step": "found", "kind": "photo"},
    )
    assert upload.status_code == 201, upload.text
    link = inspector.get(f"/hazards/{hazard_id}/attachments/{upload.json()['id']}/download").json()
    fetched = httpx.get(link["url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == photo

    listing = {
        "level": "city",
        "authority": "威海市安委会",
        "deadline": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
        "reason": "重大事故隐患挂牌督办",
        "escalated_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "document_number": "威安委督〔2026〕9号",
    }
    assert supervisor.post(f"/hazards/{hazard_id}/escalation", json=listing).status_code == 200

    def counted() -> int | None:
        answer = supervisor.get("/reports/supervision-list.xlsx", params={"region_code": "3710"})
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        header = [cell.value for cell in sheet[2]]
        rows = {row[0].value: row[header.index("佐证材料(份)")].value for row in sheet.iter_rows(min_row=3)}
        return 1 if rows.get(report["title"]) == "1" else None

    assert _eventually(counted, timeout=30) == 1
