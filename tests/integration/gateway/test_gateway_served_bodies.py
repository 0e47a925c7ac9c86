"""The documented response is the served response: driven by the public route table, every route
the fixture's services can answer is called through the real gateway (in front of the real hazard,
enterprise and reporting services), and its answer is validated against the served /openapi.json
with jsonschema. Models are read exactly (`tests.support.schemas.exact`): a key a body sends that
its schema does not name fails, and so does a documented key it does not send, so the document
and the service cannot drift apart either way. The routes of services the fixture does not run
are named below, with the reason, so that none is forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from hl_gateway.entrypoints.routes.spec import Route
from hl_gateway.entrypoints.routes.table import PUBLIC_ROUTES
from hl_stack.nats_server import NatsServer
from hl_stack.object_store import SeaweedFS
from tests.integration.gateway.conftest import ADMIN_KEY, Stack, Trio, hazard_body, started_trio
from tests.integration.tips.conftest import photo_store
from tests.integration.webhooks.support import hook_stack
from tests.support.events import found
from tests.support.schemas import exact
from tests.support.tips import jpeg_with_exif, register_enterprise, tip_body
from tests.support.uscc import random_uscc

REGION = "371002"
OTHER = "仓库消防通道被货物堵死，灭火器过期一年多，夜班只有一个人看守"  # unlike the first tip: no duplicate
REPEAT = "冷库二楼的氨气报警器拆掉了，说是误报太多，已经有两个多月没有装回去"
NOT_HERE = {
    "record_tip_enforcement": "the enterprise service is not behind the tips fixture",
    **dict.fromkeys(
        [
            "add_attachment",
            "get_attachment",
            "download_link",
            "withdraw_attachment",
            "offer_upload",
            "confirm_upload",
        ],
        "evidence needs the object store, which this fixture does not run (tests/e2e uploads for real)",
    ),
    "stream_events": "an endless text/event-stream, not a body (tests/integration/gateway/test_gateway_events.py)",
}

# Which walk below calls which rows: together with NOT_HERE, every row of the table.
TIPS_WALK = {row.name for row in PUBLIC_ROUTES if row.path.startswith(("/tips", "/public/tips"))} - set(NOT_HERE)
HOOKS_WALK = {row.name for row in PUBLIC_ROUTES if row.path.startswith("/webhooks")}
CORE_WALK = {row.name for row in PUBLIC_ROUTES} - TIPS_WALK - HOOKS_WALK - set(NOT_HERE)


def _strict(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every model exact: an undocumented key, or a documented one left out, is an error."""
    return {**document, "components": {**document["components"], "schemas": exact(document["components"]["schemas"])}}


class Conformance:
    """Checks answers against the served document and remembers which rows were exercised."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = _strict(document)
        self.rows = {row.name: row for row in PUBLIC_ROUTES}
        self.seen: set[str] = set()

    def check(self, name: str, answer: httpx.Response) -> Any:
        row: Route = self.rows[name]
        label = f"{row.method} {row.path} → {answer.status_code}: {answer.text[:400]}"
        assert 200 <= answer.status_code < 300, label
        operation = self.document["paths"][row.public_path][row.method.lower()]
        documented = operation["responses"].get(str(answer.status_code))
        assert documented is not None, f"undocumented status: {label}"
        self.seen.add(name)
        if answer.status_code == 204:
            assert answer.content == b"", label
            return None
        media = answer.headers["content-type"].split(";")[0].strip()
        assert media in documented.get("content", {}), f"undocumented content type {media}: {label}"
        if media != "application/json":
            return answer.content
        body = answer.json()
        schema = {**documented["content"][media]["schema"], "components": self.document["components"]}
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(body)]
        assert errors == [], f"{label}\n" + "\n".join(errors[:20])
        return body


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _eventually(attempt: Callable[[], Awaitable[httpx.Response]], status: int) -> httpx.Response:
    """The first answer with `status` (a replica catching up), within 30 s; else the last one fails."""
    deadline = asyncio.get_running_loop().time() + 30
    while (answer := await attempt()).status_code != status:
        assert asyncio.get_running_loop().time() < deadline, f"{answer.status_code}: {answer.text[:400]}"
        await asyncio.sleep(0.1)
    return answer


async def test_every_public_route_serves_what_it_documents(full_stack: Stack) -> None:
    client = full_stack.client
    client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    conformance = Conformance((await client.get("/openapi.json")).json())
    check = conformance.check
    enterprise_id = await _enterprises(client, check)
    await _hazards(client, check, enterprise_id)
    await _reports(client, check)
    await _local(client, check)
    assert conformance.seen == CORE_WALK, "each row is exercised, or NOT_HERE says why not"


async def _enterprises(client: httpx.AsyncClient, check: Callable[[str, httpx.Response], Any]) -> str:
    def profile() -> dict[str, Any]:
        return {
            "uscc": random_uscc(REGION),
            "name": "威海港化工有限公司",
            "region_code": REGION,
            "industry": "hazardous_chemicals",
            "principal": {"name": "张主任", "phone": "0631-5200000"},
        }

    created = check("register_enterprise", await client.post("/api/v1/enterprises", json=profile()))
    one = f"/api/v1/enterprises/{created['id']}"
    check("list_enterprises", await client.get("/api/v1/enterprises", params={"region_code": "3710"}))
    check("get_enterprise", await client.get(one))
    check("update_enterprise", await client.patch(one, json={"address": "威海市环翠区海港路1号"}))
    inspection = {"department": "威海市应急管理局", "inspected_on": _day(-2), "findings": []}
    check("record_inspection", await client.post(f"{one}/inspections", json=inspection))
    penalty = {"kind": "administrative_penalty", "department": "威海市应急管理局", "decided_on": _day(-2)}
    check("record_enforcement", await client.post(f"{one}/enforcement-actions", json=penalty | {"amount_wan": "1.5"}))
    inspections = check("list_inspections", await client.get(f"{one}/inspections"))
    assert [item["department"] for item in inspections["items"]] == ["威海市应急管理局"]
    actions = check("list_enforcement_actions", await client.get(f"{one}/enforcement-actions"))
    assert [item["kind"] for item in actions["items"]] == ["administrative_penalty"]
    other = check("register_enterprise", await client.post("/api/v1/enterprises", json=profile()))
    decision = {"reason": "未落实整改", "authority": "威海市应急管理局", "decided_on": _day(-2)}
    check("blacklist_enterprise", await client.post(f"/api/v1/enterprises/{other['id']}/blacklisting", json=decision))
    lifting = decision | {"reason": "已整改到位", "decided_on": _day(-1)}
    check("lift_blacklisting", await client.post(f"/api/v1/enterprises/{other['id']}/blacklist-lifting", json=lifting))
    closure = {"reason": "企业注销", "closed_on": _day(-1)}
    check("close_enterprise", await client.post(f"/api/v1/enterprises/{other['id']}/closure", json=closure))
    return str(created["id"])


async def _hazards(client: httpx.AsyncClient, check: Callable[[str, httpx.Response], Any], enterprise_id: str) -> None:
    # The hazard service knows the enterprise once its event reached the replica.
    body = hazard_body(enterprise_id, found_at=_ago(120))
    hazard = check("report_hazard", await _eventually(lambda: client.post("/api/v1/hazards", json=body), status=201))
    one = f"/api/v1/hazards/{hazard['id']}"
    check("list_hazards", await client.get("/api/v1/hazards", params={"enterprise_id": enterprise_id}))
    check("get_hazard", await client.get(one))
    listing = {"level": "city", "authority": "威海市安委办", "deadline": _day(30), "reason": "重大隐患挂牌督办"}
    check("escalate", await client.post(f"{one}/escalation", json=listing | {"escalated_at": _ago(100)}))
    receipt = {"receiving_unit": "威海港化工有限公司", "received_by": "张主任", "received_at": _ago(90)}
    check("receive_listing", await client.post(f"{one}/listing-receipt", json=receipt))
    plan = {
        "responsible_person": "李安全",
        "measures": "增设泄漏报警装置并联动切断",
        "funds_yuan": "12000",
        "deadline": _day(20),
        "emergency_plan": "液氨泄漏专项应急预案",
    }
    check("set_plan", await client.post(f"{one}/plan", json=plan))
    check("report_rectification", await client.post(f"{one}/rectification", json={"completed_at": _ago(60)}))
    acceptance = {"accepted": True, "reviewer": "王检查", "opinion": "整改到位", "decided_at": _ago(30)}
    check("decide_acceptance", await client.post(f"{one}/acceptance", json=acceptance))
    delisting = {"delisted_at": _ago(10), "authority": "威海市安委办", "reason": "验收合格"}
    check("delist", await client.post(f"{one}/delisting", json=delisting))
    check("get_history", await client.get(f"{one}/history"))
    check("list_attachments", await client.get(f"{one}/attachments"))
    general = hazard_body(enterprise_id, level="general", found_at=_ago(120), deadline=_day(10))
    second = check("report_hazard", await client.post("/api/v1/hazards", json=general))
    two = f"/api/v1/hazards/{second['id']}"
    extension = {"new_deadline": _day(20), "reason": "设备到货延迟", "approved_by": "王检查"}
    check("extend_deadline", await client.post(f"{two}/deadline-extension", json=extension))
    judged = {"level": "major", "reason": "复核为重大隐患", "production_halt": "partial"}
    check("reclassify", await client.post(f"{two}/reclassification", json=judged))
    check("void", await client.post(f"{two}/void", json={"reason": "重复上报"}))
    spot = hazard_body(enterprise_id, level="general", found_at=_ago(120), rectify_immediately=True)
    items = [
        {"key": f"served-{hazard['id']}", "hazard": spot},
        {"key": "late", "hazard": spot | {"found_at": _ago(-60)}},
    ]
    backfilled = check("backfill_hazards", await client.post("/api/v1/hazard-backfills", json={"items": items}))
    assert [item["outcome"] for item in backfilled["items"]] == ["created", "invalid"]


async def _reports(client: httpx.AsyncClient, check: Callable[[str, httpx.Response], Any]) -> None:
    region = {"region_code": "3710"}
    check("monthly_report", await client.get("/api/v1/reports/monthly", params=region))
    check("monthly_report_xlsx", await client.get("/api/v1/reports/monthly.xlsx", params=region))
    check("monthly_report_csv", await client.get("/api/v1/reports/monthly.csv", params=region))
    period = date.today().strftime("%Y-%m")
    submissions = f"/api/v1/reports/monthly/{period}/submissions"
    signed = {"region_code": "3710", "filled_by": "孙填表", "reviewed_by": "李审核"}
    submitted = check("submit_monthly_report", await client.post(submissions, json=signed))
    check("list_submissions", await client.get(submissions, params=region))
    check("submission", await client.get(f"{submissions}/{submitted['id']}"))
    check("submission_xlsx", await client.get(f"{submissions}/{submitted['id']}.xlsx"))
    check("submission_csv", await client.get(f"{submissions}/{submitted['id']}.csv"))
    units = f"/api/v1/reports/monthly/{period}/reporting-units"
    check("reporting_units", await client.get(units, params=region))
    check("reporting_units_xlsx", await client.get(f"{units}.xlsx", params=region))
    check("supervision_list", await client.get("/api/v1/reports/supervision-list", params=region | {"status": "all"}))
    check("supervision_list_xlsx", await client.get("/api/v1/reports/supervision-list.xlsx", params=region))
    check("supervision_list_csv", await client.get("/api/v1/reports/supervision-list.csv", params=region))
    check("ledger", await client.get("/api/v1/reports/ledger", params=region))
    evaluation = region | {"period": period}
    check("monthly_evaluation", await client.get("/api/v1/evaluations/monthly", params=evaluation))
    check("monthly_evaluation_xlsx", await client.get("/api/v1/evaluations/monthly.xlsx", params=evaluation))


async def _local(client: httpx.AsyncClient, check: Callable[[str, httpx.Response], Any]) -> None:
    """The routes the gateway answers itself: the event log, API keys, catalogues."""
    check("read_events", await client.get("/api/v1/events", params={"limit": 5}))
    identity = {"role": "inspector", "name": "王检查", "region_code": "3710", "department": "威海市应急管理局"}
    issued = check("issue_key", await client.post("/api/v1/api-keys", json=identity))
    check("list_keys", await client.get("/api/v1/api-keys"))
    check("revoke_key", await client.delete(f"/api/v1/api-keys/{issued['id']}"))
    check("list_regions", await client.get("/api/v1/regions", params={"under": "3710"}))
    check("list_industries", await client.get("/api/v1/industries"))


@pytest.fixture
async def tips_stack(nats_server: NatsServer, tmp_path: Path, seaweedfs: SeaweedFS) -> AsyncIterator[Trio]:
    limits = {"public_rate_limit_per_s": 1000.0, "public_rate_limit_burst": 1000}
    async with started_trio(nats_server, tmp_path, photo_store(seaweedfs), **limits) as trio:
        assert trio.tips.app is not None
        async with asyncio.timeout(15):
            await trio.tips.app.state.tips.bucket.ready.wait()
        yield trio


async def test_every_tips_route_serves_what_it_documents(tips_stack: Trio) -> None:
    client = tips_stack.client
    conformance = Conformance((await client.get("/openapi.json")).json())
    check = conformance.check
    enterprise = await register_enterprise(tips_stack.nats_url)
    inspector = await tips_stack.key(role="inspector", name="王检查", region_code="3710", department="威海市应急管理局")
    supervisor = await tips_stack.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    receipt = check(
        "file_tip", await client.post("/api/v1/public/tips", json=tip_body(identity=True, uscc=enterprise.uscc))
    )
    number, secret = receipt["tracking_number"], {"Tip-Secret": receipt["secret"]}
    public = f"/api/v1/public/tips/{number}"
    check("tip_status", await client.get(public, headers=secret))
    photo = {**secret, "Content-Type": "image/jpeg"}
    check("add_photo", await client.post(f"{public}/photos", content=jpeg_with_exif(), headers=photo))
    tips = check("list_tips", await client.get("/api/v1/tips", headers=inspector))
    one = f"/api/v1/tips/{tips['items'][0]['id']}"
    check("reward_rule", await client.get("/api/v1/tips/reward-rules", headers=inspector))
    tip = check("get_tip", await client.get(one, headers=inspector))
    check("tip_photo", await client.get(f"{one}/photos/{tip['photos'][0]['photo_id']}", headers=inspector))
    photo_link = f"{one}/photos/{tip['photos'][0]['photo_id']}/download"
    check("tip_photo_link", await client.get(photo_link, headers=inspector))
    check("take_up", await client.post(f"{one}/take-up", json={}, headers=inspector))
    view = {"purpose": "contact_for_details"}
    check("view_identity", await client.post(f"{one}/identity-views", json=view, headers=inspector))
    await _known_to_hazards(client, enterprise.id)
    hazard = {"title": "液氨储罐区报警器关闭", "found_by": "王检查", "production_halt": "partial"}
    verification = {"finding": "major_hazard", "enterprise_id": enterprise.id, "hazard": hazard}
    verified = await _eventually(
        lambda: client.post(f"{one}/verification", json=verification | {"decided_at": _ago(0)}, headers=inspector),
        status=200,
    )
    check("verify_tip", verified)
    check("record_tip_hazard", await client.post(f"{one}/hazard", json=hazard, headers=inspector))
    check("reward_computation", await client.post(f"{one}/reward-computation", json={}, headers=inspector))
    approval = {"approved_by": "市安委办", "approved_at": _ago(0)}
    check("reward_approval", await client.post(f"{one}/reward-approval", json=approval, headers=supervisor))
    check("claim_reward", await client.post(f"{public}/reward-claim", headers=secret))
    payment = {"paid_at": _ago(0), "method": "bank_transfer", "reference": "PZ-2025-001"}
    check("reward_payment", await client.post(f"{one}/reward-payment", json=payment, headers=supervisor))
    check("identity_erasure", await client.post(f"{one}/identity-erasure", json={}, headers=inspector))
    check("tip_history", await client.get(f"{one}/history", headers=inspector))
    await _other_tips(client, check, inspector, original=one.rsplit("/", 1)[1])
    assert conformance.seen == TIPS_WALK, "each row is exercised, or NOT_HERE says why not"


async def _other_tips(
    client: httpx.AsyncClient, check: Callable[[str, httpx.Response], Any], inspector: dict[str, str], original: str
) -> None:
    """A tip closed as unfounded, one linked as a repeat, and a tipster's own erasure."""
    closed = check(
        "file_tip", await client.post("/api/v1/public/tips", json=tip_body(identity=True, description=OTHER))
    )
    secret = {"Tip-Secret": closed["secret"]}
    erased = f"/api/v1/public/tips/{closed['tracking_number']}/identity-erasure"
    check("erase_own_identity", await client.post(erased, headers=secret))
    repeat = check("file_tip", await client.post("/api/v1/public/tips", json=tip_body(description=REPEAT)))
    ids = [item["id"] for item in (await client.get("/api/v1/tips", headers=inspector)).json()["items"]]
    newest, second = ids[0], ids[1]
    for tip_id in (newest, second):  # each handled by the inspector from here on
        taken = await client.post(f"/api/v1/tips/{tip_id}/take-up", json={}, headers=inspector)
        assert taken.status_code == 200, taken.text
    closure = {"reason": "现场核查未发现所述情况", "decided_at": _ago(0)}
    check("closure", await client.post(f"/api/v1/tips/{second}/closure", json=closure, headers=inspector))
    link = {"original_id": original, "reason": "与先前举报同一事实"}
    check("duplicate_link", await client.post(f"/api/v1/tips/{newest}/duplicate-link", json=link, headers=inspector))
    assert repeat["tracking_number"]


async def test_every_webhooks_route_serves_what_it_documents(nats_server: NatsServer, tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
    async with hook_stack(nats_server.url, database, tmp_path) as stack:
        conformance = Conformance((await stack.client.get("/openapi.json")).json())
        check = conformance.check
        receiver = await stack.receiver()
        _, key = await stack.key()
        client, auth = stack.client, stack.as_(key)
        subscription = {"url": receiver.url, "event_types": ["hazard.found"], "description": "省平台"}
        hook = check("create_webhook", await client.post("/api/v1/webhooks", json=subscription, headers=auth))
        one = f"/api/v1/webhooks/{hook['id']}"
        check("list_webhooks", await client.get("/api/v1/webhooks", headers=auth))
        check("get_webhook", await client.get(one, headers=auth))
        check("pause_webhook", await client.post(f"{one}/pause", headers=auth))
        check("resume_webhook", await client.post(f"{one}/resume", headers=auth))
        check("rotate_secret", await client.post(f"{one}/secret-rotation", headers=auth))
        await stack.publish(found(region="371002"))
        (delivery,) = await stack.settled(key, hook["id"], "delivered")
        check("list_deliveries", await client.get(f"{one}/deliveries", headers=auth))
        check("get_delivery", await client.get(f"{one}/deliveries/{delivery['id']}", headers=auth))
        check("redeliver", await client.post(f"{one}/deliveries/{delivery['id']}/redelivery", headers=auth))
        check("delete_webhook", await client.delete(one, headers=auth))
        assert conformance.seen == HOOKS_WALK, "each row is exercised, or NOT_HERE says why not"


async def _known_to_hazards(client: httpx.AsyncClient, enterprise_id: str) -> None:
    """Until the hazard service's replica knows the enterprise: then a future found_at is 422."""
    future = hazard_body(enterprise_id, found_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    await _eventually(lambda: client.post("/api/v1/hazards", json=future, headers=admin), status=422)
