"""Evidence end to end on real parts: the gateway and the hazard service served by uvicorn, a real
SeaweedFS S3 server, a real nats-server. Upload, the hash in the event (stored and published), the
signed download (and its expiry), scope, the rules, the listing receipt."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import nats
import pytest

from hl_contracts import CloudEvent
from hl_stack.nats_server import NatsServer
from tests.integration.evidence.conftest import EvidenceStack, evidence_stack
from tests.integration.gateway.conftest import ADMIN_KEY
from tests.support import files

pytestmark = pytest.mark.asyncio


def _plan() -> dict[str, str]:
    deadline = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    return {
        "responsible_person": "李四",
        "measures": "加装报警",
        "funds_yuan": "5000",
        "deadline": deadline,
        "emergency_plan": "有",
    }


async def _published(nats_url: str, subject: str) -> CloudEvent:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        async with asyncio.timeout(15):
            while True:
                try:
                    return CloudEvent.from_json((await js.get_last_msg("HL_HAZARD", subject)).data)
                except nats.js.errors.NotFoundError:
                    await asyncio.sleep(0.1)
    finally:
        await nc.close()


async def test_an_upload_is_sealed_in_the_history_and_its_signed_link_serves_the_bytes_then_expires(
    nats_server: NatsServer, tmp_path: Path, object_store_env: dict[str, str]
) -> None:
    async with evidence_stack(nats_server.url, tmp_path, object_store_env, attachment_link_ttl_s=2) as stack:
        enterprise = await stack.enterprise("371002")
        hazard = await stack.report(enterprise)
        photo = files.jpeg()
        answer = await stack.upload(hazard["id"], photo, filename="发现时.jpg", step="found")
        assert answer.status_code == 201, answer.text
        added = answer.json()
        digest = hashlib.sha256(photo).hexdigest()
        assert (added["sha256"], added["size_bytes"], added["content_type"]) == (digest, len(photo), "image/jpeg")
        assert answer.headers["location"] == f"/api/v1/hazards/{hazard['id']}/attachments/{added['id']}"

        history = (
            await stack.client.get(f"/api/v1/hazards/{hazard['id']}/history", headers=stack.as_(ADMIN_KEY))
        ).json()
        sealed = history[-1]
        assert sealed["type"] == "hazard.attachment_added" and sealed["data"]["sha256"] == digest
        assert sealed["data"]["uploaded_by"]["id"] == sealed["actor"]["id"]
        event = await _published(stack.nats_url, "hl.v1.hazard.attachment_added.37.3710.371002")
        assert event.subject == hazard["id"] and event.data["sha256"] == digest and event.data["step"] == "found"

        read = (await stack.client.get(f"/api/v1/hazards/{hazard['id']}", headers=stack.as_(ADMIN_KEY))).json()
        assert read["evidence_count"] == 1
        link = await stack.client.get(
            f"/api/v1/hazards/{hazard['id']}/attachments/{added['id']}/download", headers=stack.as_(ADMIN_KEY)
        )
        assert link.status_code == 200, link.text
        async with httpx.AsyncClient() as outside:  # the client fetches the store directly, no credentials
            fetched = await outside.get(link.json()["url"])
            assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == digest
            assert fetched.headers["content-type"] == "image/jpeg"
            assert fetched.headers["content-disposition"].startswith("attachment;")
            unsigned = await outside.get(link.json()["url"].split("?", 1)[0])
            assert unsigned.status_code == 403  # the store is not open
            await asyncio.sleep(3)
            assert (await outside.get(link.json()["url"])).status_code == 403  # expired


async def test_a_caller_who_cannot_see_the_hazard_gets_404_everywhere(evidence: EvidenceStack) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    added = (await evidence.upload(hazard["id"], files.jpeg(), step="found")).json()
    outsider = await evidence.key(role="inspector", name="济南检查员", region_code="3701")
    base = f"/api/v1/hazards/{hazard['id']}/attachments"
    for path in (base, f"{base}/{added['id']}", f"{base}/{added['id']}/download"):
        answer = await evidence.client.get(path, headers=evidence.as_(outsider))
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
    upload = await evidence.upload(hazard["id"], files.jpeg(), step="found", key=outsider)
    assert upload.status_code == 404
    bureau = await evidence.key(role="bureau", name="交通局", region_code="3710")
    assert (await evidence.upload(hazard["id"], files.jpeg(), step="found", key=bureau)).status_code == 403


async def test_the_rules_refuse_a_major_rectification_without_a_photo_and_an_acceptance_without_its_record(
    evidence: EvidenceStack,
) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    owner = await evidence.key(role="enterprise", name="企业安全员", region_code="371002", enterprise_id=enterprise)
    inspector = await evidence.key(role="inspector", name="王检查", region_code="3710")
    path = f"/api/v1/hazards/{hazard['id']}"
    assert (await evidence.client.post(f"{path}/plan", json=_plan(), headers=evidence.as_(owner))).status_code == 200
    done = {"completed_at": datetime.now(UTC).isoformat(), "description": "已加装"}
    refused = await evidence.client.post(f"{path}/rectification", json=done, headers=evidence.as_(owner))
    assert refused.status_code == 409 and refused.json()["type"].endswith(":evidence-missing")
    assert refused.json()["current_state"]["status"] == "rectifying"
    assert (await evidence.upload(hazard["id"], files.jpeg(), key=owner)).status_code == 201
    rectified = await evidence.client.post(f"{path}/rectification", json=done, headers=evidence.as_(owner))
    assert rectified.status_code == 200, rectified.text

    decision = {"accepted": True, "reviewer": "王检查", "decided_at": datetime.now(UTC).isoformat()}
    refused = await evidence.client.post(f"{path}/acceptance", json=decision, headers=evidence.as_(inspector))
    assert refused.status_code == 409 and "acceptance record" in refused.json()["detail"]
    record = await evidence.upload(
        hazard["id"], files.pdf(), filename="验收记录.pdf", step="acceptance", kind="acceptance_record", key=inspector
    )
    assert record.status_code == 201 and record.json()["content_type"] == "application/pdf"
    accepted = await evidence.client.post(f"{path}/acceptance", json=decision, headers=evidence.as_(inspector))
    assert accepted.status_code == 200 and accepted.json()["status"] == "closed"


async def test_a_listing_carries_its_document_number_and_the_enterprise_signs_for_it(evidence: EvidenceStack) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    path = f"/api/v1/hazards/{hazard['id']}"
    supervisor = await evidence.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    owner = await evidence.key(role="enterprise", name="企业安全员", region_code="371002", enterprise_id=enterprise)
    listing = {
        "level": "city",
        "authority": "威海市安委会",
        "deadline": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
        "reason": "重大事故隐患",
        "escalated_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    }
    missing = await evidence.client.post(f"{path}/escalation", json=listing, headers=evidence.as_(supervisor))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "document_number"
    listing["document_number"] = "威安委督〔2026〕7号"
    listed = await evidence.client.post(f"{path}/escalation", json=listing, headers=evidence.as_(supervisor))
    assert listed.status_code == 200 and listed.json()["listing"]["document_number"] == "威安委督〔2026〕7号"
    notice = await evidence.upload(
        hazard["id"], files.ofd(), filename="督办通知书.ofd", step="listing", kind="notice", key=supervisor
    )
    assert notice.status_code == 201 and notice.json()["content_type"] == "application/ofd"
    receipt = {
        "receiving_unit": "威海某化工有限公司",
        "received_by": "张三",
        "received_at": datetime.now(UTC).isoformat(),
    }
    signed = await evidence.client.post(f"{path}/listing-receipt", json=receipt, headers=evidence.as_(owner))
    assert signed.status_code == 200 and signed.json()["listing_receipt"]["received_by"] == "张三"
    again = await evidence.client.post(f"{path}/listing-receipt", json=receipt, headers=evidence.as_(owner))
    assert again.status_code == 409
    assert (await evidence.history_types(hazard["id"]))[-1] == "hazard.listing_received"


async def test_a_wrong_attachment_is_withdrawn_and_kept(evidence: EvidenceStack) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    added = (await evidence.upload(hazard["id"], files.png(), filename="错的.png", step="found")).json()
    path = f"/api/v1/hazards/{hazard['id']}/attachments"
    withdrawn = await evidence.client.post(
        f"{path}/{added['id']}/withdrawal", json={"reason": "传错了"}, headers=evidence.as_(ADMIN_KEY)
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    listed = (await evidence.client.get(path, headers=evidence.as_(ADMIN_KEY))).json()
    assert [(a["id"], a["withdrawn"]) for a in listed] == [(added["id"], True)]
    link = await evidence.client.get(f"{path}/{added['id']}/download", headers=evidence.as_(ADMIN_KEY))
    assert link.status_code == 200  # nothing is deleted: a reviewer can still see what was withdrawn
    read = (await evidence.client.get(f"/api/v1/hazards/{hazard['id']}", headers=evidence.as_(ADMIN_KEY))).json()
    assert read["evidence_count"] == 0


async def test_a_direct_upload_goes_to_the_store_and_is_checked_when_confirmed(evidence: EvidenceStack) -> None:
    enterprise = await evidence.enterprise("371002")
    hazard = await evidence.report(enterprise)
    base = f"/api/v1/hazards/{hazard['id']}/attachments/uploads"
    document = files.pdf(pages=3)
    offer = {"step": "found", "kind": "other", "filename": "检查记录.pdf", "size_bytes": len(document)}
    slot = await evidence.client.post(base, json=offer, headers=evidence.as_(ADMIN_KEY))
    assert slot.status_code == 201, slot.text
    async with httpx.AsyncClient() as outside:
        wrong = await outside.put(slot.json()["url"], content=document + b"x")
        assert wrong.status_code == 403  # the length is signed
        put = await outside.put(slot.json()["url"], content=document, headers=slot.json()["headers"])
        assert put.status_code == 200, put.text
    confirm = {"step": "found", "kind": "other", "filename": "检查记录.pdf"}
    confirmed = await evidence.client.post(
        f"{base}/{slot.json()['upload_id']}/confirm", json=confirm, headers=evidence.as_(ADMIN_KEY)
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["sha256"] == hashlib.sha256(document).hexdigest()
    assert confirmed.json()["content_type"] == "application/pdf"
    again = await evidence.client.post(
        f"{base}/{slot.json()['upload_id']}/confirm", json=confirm, headers=evidence.as_(ADMIN_KEY)
    )
    assert again.status_code == 404
    assert (await evidence.history_types(hazard["id"]))[-1] == "hazard.attachment_added"
