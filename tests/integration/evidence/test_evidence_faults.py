"""Bad input and faults on real parts: each bad upload is a clear 4xx problem with nothing stored
and nothing recorded; a store that is down is 503 with Retry-After for uploads while the rest goes
on; an upload that never committed leaves no reachable object, and the sweep removes it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from hl_stack.nats_server import NatsServer
from hl_stack.object_store import SeaweedFS
from tests.integration.evidence.conftest import EvidenceStack, evidence_stack
from tests.integration.gateway.conftest import ADMIN_KEY
from tests.support import files

pytestmark = pytest.mark.asyncio
PROBLEM = "application/problem+json"


def bucket_keys(env: dict[str, str]) -> list[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=env["HL_HAZARD_OBJECT_STORE_ENDPOINT"],
        aws_access_key_id=env["HL_HAZARD_OBJECT_STORE_ACCESS_KEY"],
        aws_secret_access_key=env["HL_HAZARD_OBJECT_STORE_SECRET_KEY"],
        region_name="us-east-1",
    )
    try:
        listed = s3.list_objects_v2(Bucket=env["HL_HAZARD_OBJECT_STORE_BUCKET"])
    except s3.exceptions.NoSuchBucket:
        return []
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.parametrize(
    ("filename", "content", "status", "field"),
    [
        ("photo.jpg", files.EXECUTABLE, 415, "file"),  # a renamed executable
        ("photo.jpg", files.jpeg()[:-500], 422, "file"),  # a truncated JPEG
        ("plan.pdf", files.pdf_bomb(), 422, "file"),  # a zip bomb in a PDF
        ("../../etc/passwd.jpg", files.jpeg(), 422, "filename"),
        ("photo\x00.jpg", files.jpeg(), 422, "filename"),
        ("big.jpg", files.jpeg() + b"\x00" * (6 << 20), 413, None),  # over the 5 MB photo limit
    ],
    ids=["renamed-executable", "truncated-jpeg", "pdf-zip-bomb", "dot-dot-filename", "nul-filename", "6-mb-photo"],
)
async def test_bad_uploads_are_clear_4xx_with_nothing_stored_or_recorded(
    evidence: EvidenceStack, filename: str, content: bytes, status: int, field: str | None
) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    kind = "plan" if filename.endswith(".pdf") else "photo"
    answer = await evidence.upload(
        hazard["id"], content, filename=filename, step="found" if kind == "photo" else "plan", kind=kind
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM and answer.json()["detail"]
    if field is not None:
        assert answer.json()["errors"][0]["field"] == field
    assert bucket_keys(evidence.store_env or {}) == []
    assert await evidence.history_types(hazard["id"]) == ["hazard.found"]


async def test_a_50_mb_body_is_refused_before_it_is_read(evidence: EvidenceStack) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    answer = await evidence.upload(
        hazard["id"], b"\xff\xd8\xff" + b"\x00" * (50 << 20), filename="huge.jpg", step="found"
    )
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    assert bucket_keys(evidence.store_env or {}) == []
    assert await evidence.history_types(hazard["id"]) == ["hazard.found"]


async def test_the_store_down_is_503_for_uploads_and_the_rest_keeps_working(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    store = SeaweedFS(tmp_path / "weed").start()
    try:
        async with evidence_stack(nats_server.url, tmp_path, store.service_environment()) as stack:
            enterprise = await stack.enterprise("371002")
            hazard = await stack.report(enterprise)
            before = (await stack.upload(hazard["id"], files.jpeg(), step="found")).json()
            store.kill()

            down = await stack.upload(hazard["id"], files.jpeg(), step="found")
            assert down.status_code == 503 and down.headers["content-type"] == PROBLEM
            assert int(down.headers["retry-after"]) > 0
            path = f"/api/v1/hazards/{hazard['id']}"
            assert (await stack.client.get(path, headers=stack.as_(ADMIN_KEY))).status_code == 200
            listed = await stack.client.get(f"{path}/attachments", headers=stack.as_(ADMIN_KEY))
            assert listed.status_code == 200 and len(listed.json()) == 1
            assert (await stack.report(enterprise))["status"] == "reported"
            plan = {
                "responsible_person": "李四",
                "measures": "加装报警",
                "funds_yuan": "1",
                "deadline": (datetime.now(UTC) + timedelta(days=9)).date().isoformat(),
                "emergency_plan": "有",
            }
            assert (await stack.client.post(f"{path}/plan", json=plan, headers=stack.as_(ADMIN_KEY))).status_code == 200
            assert await stack.history_types(hazard["id"]) == [
                "hazard.found",
                "hazard.attachment_added",
                "hazard.plan_set",
            ]

            store.start()  # back, on the same S3 port and data
            again = await stack.upload(hazard["id"], files.jpeg(), step="found")
            assert again.status_code == 201, again.text
            link = await stack.client.get(f"{path}/attachments/{before['id']}/download", headers=stack.as_(ADMIN_KEY))
            async with asyncio.timeout(10):
                import httpx

                async with httpx.AsyncClient() as outside:
                    assert (await outside.get(link.json()["url"])).status_code == 200  # kept across the outage
    finally:
        store.kill()


async def test_an_upload_that_never_committed_is_unreachable_and_swept(
    nats_server: NatsServer, tmp_path: Path, object_store_env: dict[str, str], database_url: str
) -> None:
    """On SQLite and PostgreSQL: the attachment rows the sweep reads are the hazard database's."""
    options = {"attachment_pending_grace_s": 0, "database_url": database_url}
    async with evidence_stack(nats_server.url, tmp_path, object_store_env, **options) as stack:
        enterprise = await stack.enterprise("371002")
        hazard = await stack.report(enterprise)
        kept = (await stack.upload(hazard["id"], files.jpeg(), step="found")).json()
        env = stack.store_env or {}
        s3 = boto3.client(
            "s3",
            endpoint_url=env["HL_HAZARD_OBJECT_STORE_ENDPOINT"],
            aws_access_key_id=env["HL_HAZARD_OBJECT_STORE_ACCESS_KEY"],
            aws_secret_access_key=env["HL_HAZARD_OBJECT_STORE_SECRET_KEY"],
            region_name="us-east-1",
        )
        orphan = f"pending/{hazard['id']}/0190f0f0-dead-7000-8000-000000000000"  # put, then the process died
        s3.put_object(Bucket=env["HL_HAZARD_OBJECT_STORE_BUCKET"], Key=orphan, Body=files.jpeg())
        path = f"/api/v1/hazards/{hazard['id']}/attachments/0190f0f0-dead-7000-8000-000000000000/download"
        assert (await stack.client.get(path, headers=stack.as_(ADMIN_KEY))).status_code == 404  # no event, no link
        await asyncio.sleep(1.1)  # the store's clock has a one-second grain
        assert stack.hazard.app is not None
        result = await stack.hazard.app.state.attachments.sweep()
        assert (result.removed, result.promoted) == (1, 0)
        assert bucket_keys(env) == [f"hazards/{hazard['id']}/{kept['id']}"]
