"""The gateway's evidence routes with the hazard service faked: a multipart upload is forwarded as
the file's bytes with its fields as parameters, bounded before it is parsed, and replayed once
per Idempotency-Key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.unit.gateway.test_gateway_http import ADMIN_KEY, PROBLEM, Harness, _harness, auth

UPLOAD = "/api/v1/hazards/hz-1/attachments"


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in _harness(tmp_path, attachment_max_body_bytes=64 * 1024):
        yield harness


def _form(content: bytes, filename: str = "整改后.jpg") -> dict[str, object]:
    return {"files": {"file": (filename, content, "image/jpeg")}, "data": {"step": "rectification", "kind": "photo"}}


async def test_an_upload_is_relayed_as_the_files_bytes_with_its_fields(gw: Harness) -> None:
    async def created(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"id": "a-1"}, headers={"Location": "/hazards/hz-1/attachments/a-1"})

    gw.services.answer = created
    answer = await gw.client.post(UPLOAD, headers=auth(ADMIN_KEY), **_form(b"\xff\xd8\xff photo bytes"))  # type: ignore[arg-type]
    assert answer.status_code == 201 and answer.headers["location"] == "/api/v1/hazards/hz-1/attachments/a-1"
    forwarded = gw.services.seen[-1]
    assert forwarded.url.path == "/hazards/hz-1/attachments" and forwarded.content == b"\xff\xd8\xff photo bytes"
    assert forwarded.headers["content-type"] == "application/octet-stream"
    assert dict(forwarded.url.params) == {
        "step": "rectification",
        "kind": "photo",
        "filename": "整改后.jpg",
        "description": "",
    }


async def test_a_body_over_the_limit_is_413_and_never_relayed(gw: Harness) -> None:
    answer = await gw.client.post(UPLOAD, headers=auth(ADMIN_KEY), **_form(b"\x00" * (65 * 1024)))  # type: ignore[arg-type]
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    assert gw.services.seen == []


async def test_a_missing_field_is_422_naming_it(gw: Harness) -> None:
    answer = await gw.client.post(
        UPLOAD, headers=auth(ADMIN_KEY), files={"file": ("a.jpg", b"x")}, data={"kind": "photo"}
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "step"
    assert gw.services.seen == []


async def test_the_same_idempotency_key_relays_the_upload_once(gw: Harness) -> None:
    async def created(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"id": f"a-{len(gw.services.seen)}"})

    gw.services.answer = created
    headers = {**auth(ADMIN_KEY), "Idempotency-Key": "upload-1"}
    first = await gw.client.post(UPLOAD, headers=headers, **_form(b"\xff\xd8\xff one"))  # type: ignore[arg-type]
    again = await gw.client.post(UPLOAD, headers=headers, **_form(b"\xff\xd8\xff one"))  # type: ignore[arg-type]
    other = await gw.client.post(UPLOAD, headers=headers, **_form(b"\xff\xd8\xff two"))  # type: ignore[arg-type]
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len(gw.services.seen) == 1


async def test_a_bureau_cannot_add_evidence(gw: Harness) -> None:
    bureau = await gw.key(role="bureau", name="交通局", region_code="3710")
    answer = await gw.client.post(UPLOAD, headers=auth(bureau), **_form(b"\xff\xd8\xff"))  # type: ignore[arg-type]
    assert answer.status_code == 403 and gw.services.seen == []
