"""A tip-off through the running system (有奖举报): filed anonymously with a photo and no account,
verified into a hazard, fined, rewarded by rule, approved, claimed with its number and secret,
paid, and counted in section 四 row 5; a duplicate earns nothing; an erased identity is gone while
the history and the figures stay; and no message on any stream names the tipster."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats

from hl_contracts import CloudEvent
from hl_platform.nats_io import inbox_prefix
from hl_stack.credentials import service_credentials
from hl_stack.nats_auth import ADMIN_USER
from tests.e2e.conftest import Stack
from tests.e2e.test_lifecycle import _eventually, _figure, _key, _period_covering_today
from tests.support.tips import TIPSTER_ID_NUMBER, TIPSTER_NAME, TIPSTER_PHONE, jpeg_with_exif
from tests.support.uscc import random_uscc

FACTS = "液氨制冷车间氨气泄漏报警器被人为关闭，夜班工人说已经三个月没开，车间里常有刺鼻气味"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _public(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=f"{stack.base_url}/api/v1/public", timeout=30)  # no key at all


def _enterprise(stack: Stack, inspector: httpx.Client) -> dict[str, Any]:
    created = inspector.post(
        "/enterprises",
        json={
            "uscc": random_uscc("371002"),
            "name": "威海某液氨冷库有限公司",
            "region_code": "371002",
            "industry": "metallurgy_industry_trade",
            "principal": {"name": "赵总", "phone": "13806310000"},
        },
    )
    assert created.status_code == 201, created.text
    enterprise = created.json()

    def hazard_service_knows() -> bool:  # a future found_at is 422 once the replica has the enterprise
        probe = inspector.post(
            "/hazards",
            json={
                "enterprise_id": enterprise["id"],
                "source": "department_inspection",
                "level": "general",
                "title": "probe",
                "found_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                "found_by": "probe",
            },
        )
        return probe.status_code == 422

    _eventually(hazard_service_knows)
    return dict(enterprise)


def _verified(inspector: httpx.Client, tip_id: str, body: dict[str, Any]) -> dict[str, Any]:
    def answer() -> httpx.Response | None:
        verified = inspector.post(f"/tips/{tip_id}/verification", json={**body, "decided_at": _now()})
        unknown = verified.status_code == 422 and "enterprise_id" in verified.text  # the replica catching up
        return None if unknown else verified

    verified = _eventually(answer)
    assert verified.status_code == 200, verified.text
    return dict(verified.json())


async def _every_message(stack: Stack) -> list[bytes]:
    """Every message stored on every stream of the stack, by sequence number (read as the operators'
    `hl-admin`, the one user allowed the whole JetStream API)."""
    admin = service_credentials(stack.data_dir)[ADMIN_USER.name]
    nc = await nats.connect(
        f"nats://127.0.0.1:{stack.nats_port}",
        user=admin.user,
        password=admin.password,
        inbox_prefix=inbox_prefix(admin.user),
    )
    try:
        js = nc.jetstream()
        messages = []
        for name in ("HL_TIPS", "HL_HAZARD", "HL_ENTERPRISE"):
            info = await js.stream_info(name)
            for sequence in range(info.state.first_seq, info.state.last_seq + 1):
                messages.append((await js.get_msg(name, sequence)).data or b"")
        return messages
    finally:
        await nc.close()


def test_an_anonymous_tip_is_verified_fined_rewarded_claimed_and_counted(stack: Stack) -> None:
    admin = stack.client()
    inspector = stack.client(
        _key(admin, role="inspector", name="王检查", region_code="3710", department="威海市应急管理局")
    )
    supervisor = stack.client(_key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"))
    public = _public(stack)
    enterprise = _enterprise(stack, inspector)

    filed = public.post(
        "/tips",
        json={
            "category": "hazard",
            "description": FACTS,
            "occurred_on": datetime.now(UTC).date().isoformat(),
            "region_code": "371002",
            "uscc": enterprise["uscc"],
            "address": "环翠区工业路18号",
        },
        headers={"Idempotency-Key": "e2e-tip-1"},
    )
    assert filed.status_code == 201, filed.text
    number, secret = filed.json()["tracking_number"], filed.json()["secret"]
    tipster = {"Tip-Secret": secret}
    photo = public.post(
        f"/tips/{number}/photos", content=jpeg_with_exif(), headers={**tipster, "Content-Type": "image/jpeg"}
    )
    assert photo.status_code == 201 and photo.json()["photos"] == 1, photo.text
    assert public.get(f"/tips/{number}", headers={"Tip-Secret": "0000-0000-0000-0000"}).status_code == 404

    tip = inspector.get("/tips", params={"region_code": "371002"}).json()["items"][0]
    tip_id = tip["id"]
    assert tip["tracking_number"] == number and tip["anonymous"] is True and len(tip["photos"]) == 1
    photo_path = f"/tips/{tip_id}/photos/{tip['photos'][0]['photo_id']}"
    assert admin.get(photo_path).content[:2] == b"\xff\xd8"
    link = admin.get(f"{photo_path}/download")  # signed for the object store, which serves it directly
    assert link.status_code == 200, link.text
    assert httpx.get(link.json()["url"], timeout=10).content == admin.get(photo_path).content
    assert inspector.post(f"/tips/{tip_id}/take-up", json={}).status_code == 200

    hazard = {
        "title": "液氨车间氨气泄漏报警器被关闭",
        "found_by": "王检查",
        "production_halt": "partial",
        "description": "现场核查属实",
    }
    verified = _verified(
        inspector, tip_id, {"finding": "major_hazard", "enterprise_id": enterprise["id"], "hazard": hazard}
    )
    assert verified["status"] == "verified" and verified["hazard_id"], verified
    recorded = inspector.get(f"/hazards/{verified['hazard_id']}").json()
    assert recorded["source"] == "public_report" and recorded["level"] == "major" and tip_id in recorded["description"]

    fine = {
        "kind": "administrative_penalty",
        "department": "威海市应急管理局",
        "decided_on": datetime.now(UTC).date().isoformat(),
        "amount_wan": "20",
    }
    fined = inspector.post(f"/tips/{tip_id}/enforcement-actions", json=fine)
    assert fined.status_code == 200, fined.text
    assert fined.json()["enforcement"][0]["amount_wan"] == "20"

    computed = inspector.post(f"/tips/{tip_id}/reward-computation", json={})
    reward = computed.json()["reward"]
    assert reward["amount_yuan"] == "30000.00" and reward["inputs"]["fines_yuan"] == "200000.00", computed.text
    approval = {"approved_by": "威海市应急管理局局长", "approved_at": _now()}
    assert supervisor.post(f"/tips/{tip_id}/reward-approval", json=approval).status_code == 200
    payment = {"paid_at": _now(), "method": "cash", "reference": "JL-2026-001"}
    before_claim = inspector.post(f"/tips/{tip_id}/reward-payment", json=payment)
    assert before_claim.status_code == 409 and before_claim.json()["rule"] == "anonymous-reward-needs-claim"
    claimed = public.post(f"/tips/{number}/reward-claim", headers=tipster)
    assert claimed.status_code == 200 and claimed.json()["reward"]["status"] == "claimed", claimed.text
    paid = inspector.post(f"/tips/{tip_id}/reward-payment", json={**payment, "paid_at": _now()})
    assert paid.status_code == 200 and paid.json()["reward"]["status"] == "paid", paid.text
    assert public.get(f"/tips/{number}", headers=tipster).json()["reward"] == {
        "status": "paid",
        "amount_yuan": "30000.00",
    }

    period = _period_covering_today()

    def row_5() -> dict[str, Any] | None:
        table = supervisor.get("/reports/monthly", params={"period": period, "region_code": "3710"}).json()
        return table if _figure(table, "report_rewards_wan") == "3.0000" else None

    table = _eventually(row_5)
    assert _figure(table, "anonymous_report_rewards_wan") == "3.0000"

    # The same facts again: linked to the first tip, no reward, nothing more in row 5.
    again = public.post(
        "/tips",
        json={
            "category": "hazard",
            "description": FACTS.replace("三个月", "好几个月"),
            "occurred_on": datetime.now(UTC).date().isoformat(),
            "uscc": enterprise["uscc"],
            "region_code": "371002",
        },
    )
    assert again.status_code == 201 and again.json()["status"] == "duplicate", again.text
    duplicate = next(
        t for t in inspector.get("/tips").json()["items"] if t["tracking_number"] == again.json()["tracking_number"]
    )
    assert duplicate["duplicate_of"] == tip_id
    refused = inspector.post(f"/tips/{duplicate['id']}/reward-computation", json={})
    assert refused.status_code == 409 and refused.json()["rule"] == "not-verified"
    assert (
        _figure(
            supervisor.get("/reports/monthly", params={"period": period, "region_code": "3710"}).json(),
            "report_rewards_wan",
        )
        == "3.0000"
    )


def test_an_erased_identity_is_unreadable_and_no_stream_names_the_tipster(stack: Stack) -> None:
    admin = stack.client()
    inspector = stack.client(
        _key(admin, role="inspector", name="李检查", region_code="3710", department="威海市应急管理局")
    )
    public = _public(stack)
    filed = public.post(
        "/tips",
        json={
            "category": "illegal_act",
            "description": f"我是{TIPSTER_NAME}（{TIPSTER_PHONE}），码头仓库无证储存危化品",
            "occurred_on": datetime.now(UTC).date().isoformat(),
            "region_code": "371002",
            "enterprise_name": "某物流仓库",
            "identity": {"name": TIPSTER_NAME, "phone": TIPSTER_PHONE, "id_number": TIPSTER_ID_NUMBER},
        },
    )
    assert filed.status_code == 201 and filed.json()["anonymous"] is False, filed.text
    number, secret = filed.json()["tracking_number"], filed.json()["secret"]
    tip = next(t for t in inspector.get("/tips").json()["items"] if t["tracking_number"] == number)
    assert TIPSTER_NAME not in str(tip) and tip["identity_sealed"] is True

    inspector.post(f"/tips/{tip['id']}/take-up", json={})
    read = inspector.post(f"/tips/{tip['id']}/identity-views", json={"purpose": "contact_for_details"})
    assert (
        read.status_code == 200 and read.json()["name"] == TIPSTER_NAME and read.headers["cache-control"] == "no-store"
    )
    closed = inspector.post(
        f"/tips/{tip['id']}/closure", json={"reason": f"经核查不属实，已告知{TIPSTER_NAME}", "decided_at": _now()}
    )
    assert closed.status_code == 200 and closed.json()["closed_reason"] == "经核查不属实，已告知[已隐去]"
    erased = public.post(f"/tips/{number}/identity-erasure", headers={"Tip-Secret": secret})
    assert erased.status_code == 200 and erased.json()["identity_erased"] is True
    gone = inspector.post(f"/tips/{tip['id']}/identity-views", json={"purpose": "legal_request"})
    assert gone.status_code == 409 and gone.json()["rule"] == "identity-erased"
    history = [entry["type"] for entry in inspector.get(f"/tips/{tip['id']}/history").json()]
    assert history == [
        "tip.filed",
        "tip.taken_up",
        "tip.identity_viewed",
        "tip.closed_unfounded",
        "tip.identity_erased",
    ]

    def published() -> list[bytes] | None:
        messages = asyncio.run(_every_message(stack))
        types = [CloudEvent.from_json(message).type for message in messages]
        return messages if "tip.identity_erased" in types else None

    messages = _eventually(published)
    assert len(messages) > 10
    for message in messages:
        text = message.decode()
        for needle in (TIPSTER_NAME, TIPSTER_PHONE, TIPSTER_ID_NUMBER, "139-1234", "13912345678"):
            assert needle not in text, text[:300]
