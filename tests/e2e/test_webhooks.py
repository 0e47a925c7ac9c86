"""A webhook on the running system (`./hl up`'s code path): a hazard reported through the gateway
reaches a receiver on 127.0.0.1 as a signed CloudEvent, from the webhooks service `./hl up` runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from tests.e2e.conftest import Stack
from tests.support.uscc import random_uscc

RECEIVED: list[tuple[dict[str, str], bytes]] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RECEIVED.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def receiver_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_a_reported_hazard_is_pushed_signed_to_a_webhook(stack: Stack, receiver_url: str) -> None:
    admin = stack.client()
    issued = admin.post("/api-keys", json={"role": "inspector", "name": "王检查", "region_code": "3710"})
    inspector = stack.client(issued.json()["key"])
    hook = inspector.post("/webhooks", json={"url": receiver_url, "event_types": ["hazard.found"]})
    assert hook.status_code == 201, hook.text
    enterprise = inspector.post(
        "/enterprises",
        json={
            "uscc": random_uscc(),
            "name": "威海某机械加工有限公司",
            "region_code": "371002",
            "industry": "metallurgy_industry_trade",
            "principal": {"name": "孙总", "phone": "13806310001"},
        },
    )
    assert enterprise.status_code == 201, enterprise.text
    body = {
        "enterprise_id": enterprise.json()["id"],
        "source": "department_inspection",
        "level": "general",
        "title": "冲床光电保护装置失效",
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "王检查",
        "rectify_immediately": True,
    }
    deadline = time.monotonic() + 30
    while (answer := inspector.post("/hazards", json=body)).status_code == 409 and time.monotonic() < deadline:
        time.sleep(0.2)  # the hazard service learns of the enterprise from its stream
    assert answer.status_code == 201, answer.text
    hazard_id = answer.json()["id"]
    while not any(hazard_id.encode() in raw for _, raw in RECEIVED) and time.monotonic() < deadline + 30:
        time.sleep(0.1)
    ((headers, raw),) = [(h, r) for h, r in RECEIVED if hazard_id.encode() in r]
    event = Webhook(hook.json()["secret"]).verify(raw, headers)
    assert (event["type"], event["subject"], event["regioncode"]) == ("hazard.found", hazard_id, "371002")
    log = inspector.get(f"/webhooks/{hook.json()['id']}/deliveries").json()["items"]
    assert [(d["status"], d["last_status_code"]) for d in log] == [("delivered", 204)]
