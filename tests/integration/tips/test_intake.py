"""Filing and following a tip without an account: number and secret, the secret hashed, the
identity sealed and never in an event, Idempotency-Key (photos: test_photos.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hl_platform.tables import events, outbox
from hl_tips.adapters.tables import sealed_identities, tip_credentials
from tests.integration.tips.conftest import Tips
from tests.support.callers import INSPECTOR, headers_for
from tests.support.tips import TIPSTER_ID_NUMBER, TIPSTER_NAME, TIPSTER_PHONE, tip_body

pytestmark = pytest.mark.asyncio


async def test_an_anonymous_tip_is_followed_with_its_number_and_secret_only(tips: Tips) -> None:
    filed = await tips.file(tip_body())
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    number, secret = receipt["tracking_number"], receipt["secret"]
    assert number.startswith("JB") and len(secret) == 19 and receipt["anonymous"] is True
    assert receipt["status"] == "filed" and receipt["deadline"]

    status = await tips.client.get(f"/public/tips/{number}", headers=tips.as_tipster(secret.lower().replace("-", " ")))
    assert status.status_code == 200, status.text  # case, spaces and dashes forgiven
    assert status.json()["status"] == "filed" and status.json()["reward"] is None

    wrong = await tips.client.get(f"/public/tips/{number}", headers=tips.as_tipster("AAAA-AAAA-AAAA-AAAA"))
    unknown = await tips.client.get("/public/tips/JB20000101-ZZZZZZ", headers=tips.as_tipster(secret))
    assert wrong.status_code == unknown.status_code == 404  # the same answer: existence does not leak
    assert wrong.json()["detail"] == unknown.json()["detail"]
    no_token = await tips.client.get(f"/public/tips/{number}", headers={"Tip-Secret": secret})
    assert no_token.status_code == 401  # only through the gateway, which limits the rate

    db = tips.app.state.runtime.db
    async with db.read() as conn:
        stored = (await conn.execute(select(tip_credentials.c.secret_hash))).scalar_one()
    assert stored.startswith("scrypt$") and secret not in stored and secret.replace("-", "") not in stored


async def test_a_named_tip_keeps_the_identity_out_of_every_event_and_out_of_the_facts(tips: Tips) -> None:
    description = f"我是{TIPSTER_NAME}，电话 139-1234-5678，车间报警器坏了三个月"
    filed = await tips.file(tip_body(identity=True, description=description))
    assert filed.status_code == 201, filed.text
    assert filed.json()["anonymous"] is False

    db = tips.app.state.runtime.db
    async with db.read() as conn:
        envelopes = [row.envelope for row in await conn.execute(select(events.c.envelope))]
        payloads = [row.payload for row in await conn.execute(select(outbox.c.payload))]
        sealed = (await conn.execute(select(sealed_identities.c.ciphertext))).scalar_one()
    for text in envelopes + payloads:
        for needle in (TIPSTER_NAME, TIPSTER_PHONE, TIPSTER_ID_NUMBER, "139-1234-5678"):
            assert needle not in text
    assert "[已隐去]" in envelopes[0]  # the tipster wrote their own name and number into the facts
    assert TIPSTER_NAME.encode() not in sealed and TIPSTER_PHONE.encode() not in sealed  # encrypted at rest

    listed = await tips.client.get("/tips", headers=headers_for(INSPECTOR))
    tip = listed.json()["items"][0]
    assert tip["identity_sealed"] is True and TIPSTER_NAME not in str(tip)


async def test_a_retry_with_the_same_idempotency_key_files_one_tip_and_reissues_its_secret(tips: Tips) -> None:
    body = tip_body()
    first = await tips.file(body, key="retry-key-1")
    again = await tips.file(body, key="retry-key-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    number = first.json()["tracking_number"]
    assert again.json()["tracking_number"] == number
    old, new = first.json()["secret"], again.json()["secret"]
    assert old != new  # only the hash was kept: the lost answer's secret is replaced
    assert (await tips.client.get(f"/public/tips/{number}", headers=tips.as_tipster(new))).status_code == 200
    assert (await tips.client.get(f"/public/tips/{number}", headers=tips.as_tipster(old))).status_code == 404

    other = await tips.file({**body, "description": "另一件事：消防通道被货物堵死"}, key="retry-key-1")
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    listed = await tips.client.get("/tips", headers=headers_for(INSPECTOR))
    assert len(listed.json()["items"]) == 1


async def test_bad_intake_is_422_naming_the_field(tips: Tips) -> None:
    cases = [
        ({"region_code": ""}, "region_code"),
        ({"region_code": "999999"}, "region_code"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"category": "gossip"}, "category"),
        ({"description": "x" * 5001}, "description"),
        ({"extra": 1}, "extra"),
    ]
    for change, field in cases:
        answer = await tips.file(tip_body(**change))
        assert answer.status_code == 422, (change, answer.text)
        assert any(field in error["field"] for error in answer.json()["errors"]), answer.json()
    assert (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"] == []
