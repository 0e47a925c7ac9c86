"""Handling a tip in its region: the handler alone reads the identity (audited), verification and its
links, rewards by rule with their inputs, duplicates that earn nothing, erasure, overdue once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jsonschema
import nats
import pytest
from sqlalchemy import select

from hl_contracts import CloudEvent
from hl_contracts.schemas import event_schema
from hl_platform.identity import Caller
from hl_tips.adapters.tables import sealed_identities, tip_keys
from tests.integration.tips.conftest import Tips
from tests.support.callers import ADMIN, CITY_SUPERVISOR, INSPECTOR, OTHER_CITY_INSPECTOR, headers_for
from tests.support.tips import TIPSTER_NAME, TIPSTER_PHONE, Registered, register_enterprise, tip_body

pytestmark = pytest.mark.asyncio
COLLEAGUE = Caller(id="u-insp-2", name="李检查", role="inspector", organisation="威海市应急管理局", region_code="3710")
COMPANY = Caller(id="u-ent", name="冷库安全员", role="enterprise", region_code="371002", enterprise_id="x")


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def _known(tips: Tips, region: str = "371002") -> Registered:
    """An enterprise on the stream, once the tips service's replica has it."""
    enterprise = await register_enterprise(tips.nats_url, region)
    async with asyncio.timeout(20):
        while True:
            async with tips.app.state.tips.deps.uow(write=False) as uow:
                if await uow.enterprises.by_id(enterprise.id) is not None:
                    return enterprise
            await asyncio.sleep(0.05)


async def _post(
    tips: Tips, caller: Caller, tip_id: str, action: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return await tips.client.post(f"/tips/{tip_id}/{action}", json=body or {}, headers=headers_for(caller))


async def _filed(tips: Tips, **body: Any) -> tuple[str, dict[str, Any]]:
    receipt = (await tips.file(tip_body(**body))).json()
    listed = (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"]
    tip = next(item for item in listed if item["tracking_number"] == receipt["tracking_number"])
    return tip["id"], receipt


async def test_only_the_handler_reads_the_identity_and_every_read_is_recorded(tips: Tips) -> None:
    tip_id, _receipt = await _filed(tips, identity=True)
    view = {"purpose": "contact_for_details"}
    assert (await _post(tips, INSPECTOR, tip_id, "identity-views", view)).status_code == 403  # not taken up
    assert (await _post(tips, ADMIN, tip_id, "identity-views", view)).status_code == 403  # no admin reads it
    assert (await _post(tips, INSPECTOR, tip_id, "take-up")).json()["handler"] == INSPECTOR.name
    read = await _post(tips, INSPECTOR, tip_id, "identity-views", view)
    assert read.status_code == 200, read.text
    assert read.json()["name"] == TIPSTER_NAME and read.json()["phone"] == TIPSTER_PHONE
    assert (await _post(tips, COLLEAGUE, tip_id, "identity-views", view)).status_code == 403
    assert (await _post(tips, INSPECTOR, tip_id, "identity-views", {"purpose": "curiosity"})).status_code == 422

    history = (await tips.client.get(f"/tips/{tip_id}/history", headers=headers_for(INSPECTOR))).json()
    viewed = [entry for entry in history if entry["type"] == "tip.identity_viewed"]
    assert len(viewed) == 1 and viewed[0]["actor"]["id"] == INSPECTOR.id
    assert viewed[0]["data"] == {"purpose": "contact_for_details"}  # who and why; never what
    assert history[0]["actor"]["name"] == "举报人" and TIPSTER_NAME not in str(history)

    for outsider in (OTHER_CITY_INSPECTOR, COMPANY):
        assert (await tips.client.get(f"/tips/{tip_id}", headers=headers_for(outsider))).status_code == 404
        assert (await tips.client.get("/tips", headers=headers_for(outsider))).json()["items"] == []


async def test_erasure_destroys_the_key_and_keeps_the_history(tips: Tips) -> None:
    tip_id, receipt = await _filed(tips, identity=True)
    await _post(tips, INSPECTOR, tip_id, "take-up")
    erased = await tips.client.post(
        f"/public/tips/{receipt['tracking_number']}/identity-erasure", headers=tips.as_tipster(receipt["secret"])
    )
    assert erased.status_code == 200 and erased.json()["identity_erased"] is True
    again = await _post(tips, INSPECTOR, tip_id, "identity-views", {"purpose": "reward_payment"})
    assert again.status_code == 409 and again.json()["rule"] == "identity-erased"

    async with tips.app.state.runtime.db.read() as conn:
        key = (await conn.execute(select(tip_keys).where(tip_keys.c.tip_id == tip_id))).one()
        sealed = (await conn.execute(select(sealed_identities).where(sealed_identities.c.tip_id == tip_id))).one()
    assert key.wrapped_key is None and key.destroyed_at is not None and sealed.ciphertext  # noise, kept
    history = (await tips.client.get(f"/tips/{tip_id}/history", headers=headers_for(INSPECTOR))).json()
    assert [entry["type"] for entry in history] == ["tip.filed", "tip.taken_up", "tip.identity_erased"]
    assert history[-1]["data"]["requested_by"] == "tipster"


async def test_a_verified_major_hazard_earns_fifteen_percent_of_the_fine_by_rule(tips: Tips) -> None:
    enterprise = await _known(tips)
    tip_id, receipt = await _filed(tips, uscc=enterprise.uscc, region_code="")
    tip = (await tips.client.get(f"/tips/{tip_id}", headers=headers_for(INSPECTOR))).json()
    assert tip["enterprise_id"] == enterprise.id and tip["region_code"] == enterprise.region_code

    too_early = await _post(tips, INSPECTOR, tip_id, "reward-computation")
    assert too_early.status_code == 409 and too_early.json()["rule"] == "not-verified"
    verified = await _post(
        tips, INSPECTOR, tip_id, "verification", {"finding": "major_hazard", "decided_at": _ago(seconds=0)}
    )
    assert verified.status_code == 200, verified.text
    assert (
        await _post(tips, INSPECTOR, tip_id, "hazard-link", {"hazard_id": "hz-1", "level": "major"})
    ).status_code == 200
    other = await _post(tips, INSPECTOR, tip_id, "hazard-link", {"hazard_id": "hz-2", "level": "major"})
    assert other.status_code == 409
    fine = {
        "action_id": "act-1",
        "kind": "administrative_penalty",
        "decided_on": _ago(seconds=0)[:10],
        "amount_wan": "20",
    }
    assert (await _post(tips, INSPECTOR, tip_id, "enforcement-link", fine)).status_code == 200

    computed = await _post(tips, INSPECTOR, tip_id, "reward-computation")
    reward = computed.json()["reward"]
    assert reward["amount_yuan"] == "30000.00" and reward["basis"] == "fine_share"
    assert reward["inputs"]["fines_yuan"] == "200000.00" and reward["inputs"]["fine_share"] == "0.15"
    assert "15% × fines 200,000.00 = 30,000.00" in reward["explanation"]

    assert (
        await _post(tips, INSPECTOR, tip_id, "reward-approval", {"approved_by": "x", "approved_at": _ago(seconds=0)})
    ).status_code == 403
    approved = await _post(
        tips,
        CITY_SUPERVISOR,
        tip_id,
        "reward-approval",
        {"approved_by": "威海市应急管理局局长", "approved_at": _ago(seconds=0)},
    )
    assert approved.status_code == 200 and approved.json()["reward"]["status"] == "approved"
    payment = {"paid_at": _ago(seconds=0), "method": "cash", "reference": "凭证 2026-001"}
    unclaimed = await _post(tips, INSPECTOR, tip_id, "reward-payment", payment)
    assert unclaimed.status_code == 409 and unclaimed.json()["rule"] == "anonymous-reward-needs-claim"

    tipster = tips.as_tipster(receipt["secret"])
    status = (await tips.client.get(f"/public/tips/{receipt['tracking_number']}", headers=tipster)).json()
    assert status["reward"] == {"status": "approved", "amount_yuan": "30000.00"} and status["claimable"] is True
    claimed = await tips.client.post(f"/public/tips/{receipt['tracking_number']}/reward-claim", headers=tipster)
    assert claimed.status_code == 200 and claimed.json()["reward"]["status"] == "claimed"
    paid = await _post(tips, INSPECTOR, tip_id, "reward-payment", payment)
    assert paid.status_code == 200 and paid.json()["reward"]["status"] == "paid"


async def test_a_repeat_of_an_open_tip_is_linked_and_earns_nothing(tips: Tips) -> None:
    enterprise = await _known(tips)
    first_id, _ = await _filed(tips, uscc=enterprise.uscc)
    second_id, second = await _filed(
        tips, uscc=enterprise.uscc, description="液氨储罐区报警器关闭了，工人说坏了三个月，有刺鼻气味"
    )
    assert second["status"] == "duplicate"
    other_id, other = await _filed(tips, uscc=enterprise.uscc, description="锅炉房司炉工无证上岗")
    assert other["status"] == "filed"  # the same enterprise, other facts

    duplicate = (await tips.client.get(f"/tips/{second_id}", headers=headers_for(INSPECTOR))).json()
    assert duplicate["duplicate_of"] == first_id and duplicate["status"] == "duplicate"
    refused = await _post(
        tips, INSPECTOR, second_id, "verification", {"finding": "major_hazard", "decided_at": _ago(seconds=0)}
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "duplicate-follows-original"
    assert (await _post(tips, INSPECTOR, second_id, "reward-computation")).status_code == 409
    late = await _post(tips, INSPECTOR, first_id, "duplicate-link", {"original_id": other_id, "reason": "x"})
    assert late.status_code == 422  # the first reporter is the earlier one


async def test_a_general_hazard_needs_a_local_amount_and_a_concealed_accident_its_deaths(tips: Tips) -> None:
    enterprise = await _known(tips)
    general_id, _ = await _filed(tips, uscc=enterprise.uscc)
    await _post(
        tips, INSPECTOR, general_id, "verification", {"finding": "general_hazard", "decided_at": _ago(seconds=0)}
    )
    none_set = await _post(tips, INSPECTOR, general_id, "reward-computation")
    assert none_set.status_code == 409 and none_set.json()["rule"] == "no-general-hazard-amount"

    accident_id, _ = await _filed(
        tips, uscc=enterprise.uscc, category="concealed_accident", description="上月车间爆炸死了两人，厂里没有上报"
    )
    body = {"finding": "concealed_accident", "decided_at": _ago(seconds=0), "enterprise_id": enterprise.id}
    missing = await _post(tips, INSPECTOR, accident_id, "verification", body)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "accident_grade"
    await _post(
        tips, INSPECTOR, accident_id, "verification", {**body, "accident_grade": "larger", "concealed_deaths": 2}
    )
    reward = (await _post(tips, INSPECTOR, accident_id, "reward-computation")).json()["reward"]
    assert reward["amount_yuan"] == "80000.00" and reward["basis"] == "concealed_deaths"
    assert reward["inputs"] == {
        "finding": "concealed_accident",
        "accident_grade": "larger",
        "concealed_deaths": "2",
        "per_death_yuan": "40000",
        "maximum_yuan": "300000",
    }


async def test_overdue_is_recorded_once_by_the_system(tips: Tips) -> None:
    tip_id, _ = await _filed(tips)
    deps = tips.app.state.tips.deps
    watch = tips.app.state.tips.watch
    later = datetime.now(UTC) + timedelta(days=61)
    object.__setattr__(deps, "clock", lambda: later)  # the clock is the watch's only input
    assert await watch.scan() == 1
    assert await watch.scan() == 0
    tip = (await tips.client.get(f"/tips/{tip_id}", headers=headers_for(INSPECTOR))).json()
    assert tip["overdue"] is True
    listed = (await tips.client.get("/tips", params={"overdue": "true"}, headers=headers_for(INSPECTOR))).json()
    assert [item["id"] for item in listed["items"]] == [tip_id]


async def test_the_tips_stream_carries_the_facts_and_never_the_person(tips: Tips) -> None:
    enterprise = await _known(tips)
    tip_id, _receipt = await _filed(
        tips, identity=True, uscc=enterprise.uscc, description=f"举报人{TIPSTER_NAME}反映：报警器坏了"
    )
    await _post(tips, INSPECTOR, tip_id, "take-up")
    await _post(tips, INSPECTOR, tip_id, "identity-views", {"purpose": "contact_for_details"})
    note = f"已电话联系{TIPSTER_NAME}（{TIPSTER_PHONE}）核实"  # an officer's slip: cleared before it is published
    await _post(
        tips, INSPECTOR, tip_id, "verification", {"finding": "illegal_act", "decided_at": _ago(seconds=0), "note": note}
    )
    nc = await nats.connect(tips.nats_url)
    try:
        subscription = await nc.jetstream().subscribe("hl.v1.tip.>", stream="HL_TIPS", ordered_consumer=True)
        received: list[CloudEvent] = []
        async with asyncio.timeout(20):
            while len(received) < 4:
                received.append(CloudEvent.from_json((await subscription.next_msg(timeout=10)).data))
    finally:
        await nc.close()
    assert [event.type for event in received] == ["tip.filed", "tip.taken_up", "tip.identity_viewed", "tip.verified"]
    for event in received:  # the published contract: each data validates against its JSON Schema
        jsonschema.validate(event.data, event_schema(event.type))
    assert received[0].regioncode == enterprise.region_code and received[0].data["uscc"] == enterprise.uscc
    raw = "".join(event.to_json().decode() for event in received)
    assert TIPSTER_NAME not in raw and TIPSTER_PHONE not in raw
    assert received[3].data["note"] == "已电话联系[已隐去]（[已隐去]）核实"


async def test_two_replicas_scanning_at_once_record_overdue_exactly_once(tips: Tips) -> None:
    """Each replica has its own database engine and lease holder; the version check decides any race."""
    from hl_platform.db import Database
    from hl_tips.adapters.master_key import load_master_key
    from hl_tips.adapters.unit_of_work import SqlUnitOfWork
    from hl_tips.application.overdue import OverdueWatch

    for facts in ("消防通道被货物堵死", "锅炉工无证上岗", "粉尘车间未设除尘装置"):  # three facts, not duplicates
        await _filed(tips, description=facts)
    service = tips.app.state.tips
    later = datetime.now(UTC) + timedelta(days=61)
    replicas = []
    master = load_master_key("", tips.settings.master_key_path, may_generate=False)  # shared by replicas
    for _ in range(2):
        db = Database(tips.settings.db_url)

        def uow(*, write: bool = True, db: Database = db) -> SqlUnitOfWork:
            return SqlUnitOfWork(db, master, write=write)

        deps = replace(service.deps, uow=uow, clock=lambda: later)
        replicas.append((db, OverdueWatch(deps, db, interval=3600)))
    try:
        counts = await asyncio.gather(*(watch.scan() for _, watch in replicas))
        again = await asyncio.gather(*(watch.scan() for _, watch in replicas))
    finally:
        for db, _ in replicas:
            await db.dispose()
    assert sum(counts) == 3 and sum(again) == 0
    history = [
        entry["type"]
        for item in (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"]
        for entry in (await tips.client.get(f"/tips/{item['id']}/history", headers=headers_for(INSPECTOR))).json()
    ]
    assert history.count("tip.overdue") == 3


async def test_a_sealed_identity_opens_only_under_its_own_tip_and_master_key(tips: Tips) -> None:
    from sqlalchemy import update

    from hl_tips.adapters.master_key import MasterKey, load_master_key
    from hl_tips.adapters.vault import SqlVault, VaultError

    first, _ = await _filed(tips, identity=True)
    second, _ = await _filed(tips, identity=True, description="另一件事：仓库消防栓没水")
    db = tips.app.state.runtime.db
    master = load_master_key("", tips.settings.master_key_path, may_generate=False)
    async with db.write() as conn:  # a sealed record moved onto another tip (tampering, or a bug)
        row = (await conn.execute(select(sealed_identities).where(sealed_identities.c.tip_id == first))).one()
        await conn.execute(
            update(sealed_identities)
            .where(sealed_identities.c.tip_id == second)
            .values(nonce=row.nonce, ciphertext=row.ciphertext)
        )
    async with db.read() as conn:
        assert (await SqlVault(conn, master).open(first)) is not None
        with pytest.raises(VaultError):
            await SqlVault(conn, master).open(second)
        with pytest.raises(VaultError):
            await SqlVault(conn, MasterKey(bytes(32))).open(first)  # another master key


async def test_the_reward_rule_in_force_is_shown_as_data(tips: Tips) -> None:
    rule = (
        await tips.client.get("/tips/reward-rules", params={"region_code": "371002"}, headers=headers_for(INSPECTOR))
    ).json()
    assert rule["fine_share"] == "0.15" and rule["minimum_yuan"] == "3000" and rule["maximum_yuan"] == "300000"
    assert rule["per_concealed_death_yuan"]["particularly_serious"] == "60000" and rule["general_hazard_yuan"] is None
    assert rule["rule"].startswith("安全生产领域举报奖励办法") and rule["handling_days"] == 60
    unknown = await tips.client.get(
        "/tips/reward-rules", params={"region_code": "999999"}, headers=headers_for(INSPECTOR)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "region_code"
