"""On the running stack: a revoked key's open event stream (SSE) ends — no event reported after
the revocation reaches it — and the gateway's public port serves no /metrics."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.conftest import Stack
from tests.support.uscc import random_uscc


def _registered_enterprise(admin: httpx.Client) -> str:
    body = {
        "uscc": random_uscc(),
        "name": "威海某化工有限公司",
        "region_code": "371002",
        "industry": "hazardous_chemicals",
        "principal": {"name": "赵总", "phone": "13806310000"},
    }
    created = admin.post("/enterprises", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _report(admin: httpx.Client, enterprise_id: str, title: str) -> str:
    body = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "general",
        "title": title,
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "王检查",
    }
    deadline = time.monotonic() + 20
    while True:
        answer = admin.post("/hazards", json=body)
        if answer.status_code != 409 or time.monotonic() > deadline:  # 409: the replica is catching up
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])
        time.sleep(0.1)


def test_revoking_a_key_ends_its_open_event_stream(stack: Stack) -> None:
    admin = stack.client()
    enterprise_id = _registered_enterprise(admin)
    issued = admin.post("/api-keys", json={"role": "bureau", "name": "威海市市场监管局", "region_code": "3710"})
    assert issued.status_code == 201, issued.text
    bureau = stack.client(issued.json()["key"])
    timeout = httpx.Timeout(30, read=8)  # a stream that does not end fails the test with a read timeout
    with bureau.stream("GET", "/events/stream", params={"type": "hazard"}, timeout=timeout) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        before = _report(admin, enterprise_id, "吊装作业未设警戒区")
        for line in lines:
            if line.startswith("data:") and json.loads(line[5:])["subject"] == before:
                break
        assert admin.delete(f"/api-keys/{issued.json()['id']}").status_code == 204
        revoked_at = time.monotonic()
        after = _report(admin, enterprise_id, "动火作业未审批")
        rest = list(lines)  # ends when the gateway closes the stream
        took = time.monotonic() - revoked_at
    assert not any(after in line for line in rest), rest
    assert any("revoked" in line for line in rest), rest
    assert took < 5, took
    assert bureau.get("/events").status_code == 401


def test_the_public_port_serves_no_metrics(stack: Stack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=10) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200
