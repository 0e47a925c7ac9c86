"""A joint report (联名举报) over HTTP on a real database and nats-server: its signatories are sealed
together under the tip's key, never in an event or on the stream (not even a co-signatory named in
an officer's note), read by the handler alone, and erased together."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import nats
import pytest
from sqlalchemy import select

from hl_contracts import CloudEvent
from hl_platform.tables import events, outbox
from hl_tips.adapters.tables import sealed_identities
from tests.integration.tips.conftest import Tips
from tests.integration.tips.test_handling import _known
from tests.support.callers import INSPECTOR, headers_for
from tests.support.tips import TIPSTER_NAME, TIPSTER_PHONE, tip_body

pytestmark = pytest.mark.asyncio
CO_SIGNATORIES = [
    {"name": "张联名", "phone": "13800001111", "id_number": "371002199001011234", "relationship": "employee"},
    {"name": "王联名", "email": "wang.joint@example.com"},
]
NEEDLES = (
    TIPSTER_NAME,
    TIPSTER_PHONE,
    "张联名",
    "13800001111",
    "371002199001011234",
    "王联名",
    "wang.joint@example.com",
)


def _joint(**overrides: Any) -> dict[str, Any]:
    body = tip_body(identity=True, **overrides)
    body["identity"] = {**body["identity"], "co_signatories": CO_SIGNATORIES}  # type: ignore[dict-item]
    return body


async def _post(tips: Tips, tip_id: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return await tips.client.post(f"/tips/{tip_id}/{action}", json=body or {}, headers=headers_for(INSPECTOR))


async def test_a_joint_report_is_sealed_whole_and_read_by_the_handler_alone(tips: Tips) -> None:
    enterprise = await _known(tips)
    facts = "我和张联名、王联名一起举报：夜间液氨储罐区报警器长期关闭"
    filed = await tips.file(_joint(uscc=enterprise.uscc, description=facts))
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert receipt["anonymous"] is False
    tip = (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"][0]
    assert tip["identity_sealed"] is True and "张联名" not in str(tip)
    assert tip["description"] == "我和[已隐去]、[已隐去]一起举报：夜间液氨储罐区报警器长期关闭"

    await _post(tips, tip["id"], "take-up")
    note = "已联系张联名（138-0000-1111）核实"  # an officer's slip about a co-signatory: cleared too
    verified = await _post(
        tips,
        tip["id"],
        "verification",
        {"finding": "illegal_act", "decided_at": datetime.now(UTC).isoformat(), "note": note},
    )
    assert verified.status_code == 200 and verified.json()["verification"]["note"] == "已联系[已隐去]（[已隐去]）核实"
    shown = await _post(tips, tip["id"], "identity-views", {"purpose": "reward_payment"})
    assert shown.status_code == 200, shown.text
    identity = shown.json()
    assert (identity["name"], identity["phone"]) == (TIPSTER_NAME, TIPSTER_PHONE)  # the first: the one paid
    assert [(s["name"], s["relationship"]) for s in identity["co_signatories"]] == [
        ("张联名", "employee"),
        ("王联名", "public"),
    ]

    async with tips.app.state.runtime.db.read() as conn:
        stored = [row.envelope for row in await conn.execute(select(events.c.envelope))]
        stored += [row.payload for row in await conn.execute(select(outbox.c.payload))]
        sealed = (await conn.execute(select(sealed_identities.c.ciphertext))).scalar_one()
    for needle in NEEDLES:
        assert all(needle not in text for text in stored), needle
        assert needle.encode() not in sealed, needle  # encrypted at rest, every signatory

    nc = await nats.connect(tips.nats_url)
    try:
        subscription = await nc.jetstream().subscribe("hl.v1.tip.>", stream="HL_TIPS", ordered_consumer=True)
        received: list[CloudEvent] = []
        async with asyncio.timeout(20):
            while len(received) < 4:
                received.append(CloudEvent.from_json((await subscription.next_msg(timeout=10)).data))
    finally:
        await nc.close()
    assert [e.type for e in received] == ["tip.filed", "tip.taken_up", "tip.verified", "tip.identity_viewed"]
    raw = "".join(event.to_json().decode() for event in received)
    assert all(needle not in raw for needle in NEEDLES)

    erased = await tips.client.post(
        f"/public/tips/{receipt['tracking_number']}/identity-erasure", headers=tips.as_tipster(receipt["secret"])
    )
    assert erased.status_code == 200
    gone = await _post(tips, tip["id"], "identity-views", {"purpose": "reward_payment"})
    assert gone.status_code == 409 and gone.json()["rule"] == "identity-erased"  # every signatory at once


async def test_a_joint_report_names_at_most_twenty_people(tips: Tips) -> None:
    body = tip_body(identity=True)
    body["identity"] = {**body["identity"], "co_signatories": [{"name": f"联名{n}"} for n in range(20)]}  # type: ignore[dict-item]
    refused = await tips.file(body)
    assert refused.status_code == 422
    assert any("co_signatories" in error["field"] for error in refused.json()["errors"]), refused.json()
    nameless = tip_body(identity=True)
    nameless["identity"] = {**nameless["identity"], "co_signatories": [{"phone": "13800001111"}]}  # type: ignore[dict-item]
    assert (await tips.file(nameless)).status_code == 422
    assert (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"] == []
