"""Tip photos in the real object store (SeaweedFS): real images only, cleaned of their metadata,
kept in a private bucket of their own, read by officers through the service or a short-lived
signed link; a store that is away answers 503 and records nothing."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest

from hl_stack.nats_server import NatsServer, free_port
from hl_tips.application.handling import Handling
from hl_tips.entrypoints.app import create_app
from tests.integration.tips.conftest import GATEWAY, Tips, tips_settings
from tests.support.callers import INSPECTOR, OTHER_CITY_INSPECTOR, headers_for, service_client
from tests.support.db import migrated
from tests.support.tips import jpeg_with_exif, png_with_text, tip_body

pytestmark = pytest.mark.asyncio


async def _filed_with_photo(tips: Tips) -> tuple[str, dict[str, str], dict[str, object]]:
    receipt = (await tips.file(tip_body())).json()
    number, tipster = receipt["tracking_number"], tips.as_tipster(receipt["secret"])
    added = await tips.client.post(f"/public/tips/{number}/photos", content=jpeg_with_exif(), headers=tipster)
    assert added.status_code == 201, added.text
    tip = (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"][0]
    return number, tipster, tip


def _bucket(tips: Tips) -> list[str]:
    s = tips.settings
    client = boto3.client(
        "s3",
        endpoint_url=s.object_store_endpoint,
        aws_access_key_id=s.object_store_access_key,
        aws_secret_access_key=s.object_store_secret_key,
        region_name=s.object_store_region,
    )
    listing = client.list_objects_v2(Bucket=s.object_store_bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


async def test_photos_are_real_images_stored_without_their_metadata(tips: Tips) -> None:
    receipt = (await tips.file(tip_body())).json()
    number, tipster = receipt["tracking_number"], tips.as_tipster(receipt["secret"])
    jpeg = jpeg_with_exif()
    added = await tips.client.post(f"/public/tips/{number}/photos", content=jpeg, headers=tipster)
    assert added.status_code == 201, added.text
    assert added.json()["photos"] == 1
    again = await tips.client.post(f"/public/tips/{number}/photos", content=jpeg, headers=tipster)
    assert again.json()["photos"] == 1  # the same bytes are one photo
    png = await tips.client.post(f"/public/tips/{number}/photos", content=png_with_text(), headers=tipster)
    assert png.status_code == 201 and png.json()["photos"] == 2

    for bad in (b"MZ\x90\x00 renamed.exe", jpeg[:-10], png_with_text()[:-5], b""):
        refused = await tips.client.post(f"/public/tips/{number}/photos", content=bad, headers=tipster)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "photo", refused.text
    too_big = await tips.client.post(f"/public/tips/{number}/photos", content=b"\xff" * 1_100_000, headers=tipster)
    assert too_big.status_code == 413

    tip = (await tips.client.get("/tips", headers=headers_for(INSPECTOR))).json()["items"][0]
    photo = tip["photos"][0]
    download = await tips.client.get(f"/tips/{tip['id']}/photos/{photo['photo_id']}", headers=headers_for(INSPECTOR))
    assert download.status_code == 200 and download.headers["content-type"] == "image/jpeg"
    assert b"GPS" not in download.content and b"Exif" not in download.content and b"taken by" not in download.content
    assert hashlib.sha256(download.content).hexdigest() == photo["sha256"]
    assert download.content.startswith(b"\xff\xd8") and download.content.endswith(b"\xff\xd9")
    assert (await tips.client.get(f"/tips/{tip['id']}/photos/{photo['photo_id']}", headers=GATEWAY)).status_code == 401
    # In the store: one object per tip and content, under the tip, in the service's own bucket.
    assert sorted(_bucket(tips)) == sorted(f"tips/{tip['id']}/{p['sha256']}" for p in tip["photos"])


async def test_an_officer_gets_a_short_lived_signed_link_and_the_bucket_is_never_open(tips: Tips) -> None:
    _, _, tip = await _filed_with_photo(tips)
    photo = tip["photos"][0]  # type: ignore[index]
    path = f"/tips/{tip['id']}/photos/{photo['photo_id']}/download"
    before = datetime.now(UTC)
    answer = await tips.client.get(path, headers=headers_for(INSPECTOR))
    assert answer.status_code == 200, answer.text
    link = answer.json()
    query = parse_qs(urlsplit(link["url"]).query)
    assert query["X-Amz-Expires"] == ["300"]  # HL_TIPS_PHOTO_LINK_TTL_S
    assert 299 <= (datetime.fromisoformat(link["expires_at"]) - before).total_seconds() <= 310

    async with httpx.AsyncClient(timeout=10) as store:
        fetched = await store.get(link["url"])
        assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == photo["sha256"]
        assert (
            fetched.headers["content-type"] == "image/jpeg" and "attachment" in fetched.headers["content-disposition"]
        )
        endpoint, bucket = tips.settings.object_store_endpoint, tips.settings.object_store_bucket
        unsigned = await store.get(f"{endpoint}/{bucket}/tips/{tip['id']}/{photo['sha256']}")
        listing = await store.get(f"{endpoint}/{bucket}?list-type=2")
        assert unsigned.status_code == listing.status_code == 403  # personal data: never open
        tampered = link["url"].replace(photo["sha256"], "0" * 64)
        assert (await store.get(tampered)).status_code == 403  # the signature covers the key

    assert (await tips.client.get(path, headers=headers_for(OTHER_CITY_INSPECTOR))).status_code == 404
    unknown = await tips.client.get(f"/tips/{tip['id']}/photos/nope/download", headers=headers_for(INSPECTOR))
    assert unknown.status_code == 404


async def test_a_signed_link_stops_working_when_it_expires(tips: Tips) -> None:
    _, _, tip = await _filed_with_photo(tips)
    photo = tip["photos"][0]  # type: ignore[index]
    brief = Handling(replace(tips.app.state.tips.deps, photo_link_ttl_s=2))  # HL_TIPS_PHOTO_LINK_TTL_S=2
    link = await brief.photo_link(INSPECTOR, str(tip["id"]), photo["photo_id"])
    async with httpx.AsyncClient(timeout=10) as store:
        assert (await store.get(link.url)).status_code == 200
        await asyncio.sleep(3)
        assert (await store.get(link.url)).status_code == 403  # expired


async def test_a_store_that_is_away_answers_503_and_records_nothing(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    await (await migrated("tips", database_url)).dispose()
    away = {
        "object_store_endpoint": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "object_store_access_key": "key",
        "object_store_secret_key": "secret",
        "object_store_retry_after_s": 7,
    }
    app = create_app(tips_settings(database_url, nats_server.url, tmp_path, **away))
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        tips = Tips(app, client, app.state.settings, nats_server.url)
        receipt = (await tips.file(tip_body())).json()
        number, tipster = receipt["tracking_number"], tips.as_tipster(receipt["secret"])
        refused = await client.post(f"/public/tips/{number}/photos", content=jpeg_with_exif(), headers=tipster)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "7", refused.text
        status = await client.get(f"/public/tips/{number}", headers=tipster)
        assert status.json()["photos"] == 0  # the tip itself was filed and is followed as ever
