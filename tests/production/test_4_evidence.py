"""Evidence on the production stack: a photo uploaded through the gateway is stored in the S3
container (SeaweedFS, the compose service `s3`), which is never open to anonymous requests, and its
signed download link, published on the host, serves the same bytes."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.production.load import api, county
from tests.production.stack import Stack, compose_default
from tests.support import files

pytestmark = [pytest.mark.timeout(300)]

BUCKET = "hazard-evidence"  # docker-compose.yml: HL_HAZARD_OBJECT_STORE_BUCKET


def _stored_digests(stack: Stack) -> dict[str, str]:
    """Every object in the evidence bucket, by key → SHA-256, read from the S3 container with the
    key pair the compose file gives the hazard service."""
    client = boto3.client(
        "s3",
        endpoint_url=stack.s3_url,
        region_name="us-east-1",
        aws_access_key_id=compose_default("HL_S3_ACCESS_KEY"),
        aws_secret_access_key=compose_default("HL_S3_SECRET_KEY"),
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}, connect_timeout=5, read_timeout=10),
    )
    listed = client.list_objects_v2(Bucket=BUCKET, MaxKeys=1000).get("Contents", [])
    return {
        item["Key"]: hashlib.sha256(client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()).hexdigest()
        for item in listed
    }


async def test_a_photo_lands_in_the_s3_container_and_its_signed_link_serves_it(stack: Stack) -> None:
    place = await county(stack, "371002", "威海某粉尘涉爆企业有限公司")
    photo = files.png(64, 48)
    digest = hashlib.sha256(photo).hexdigest()
    report = {
        "enterprise_id": place.enterprise_id,
        "source": "department_inspection",
        "level": "general",
        "title": "除尘系统未设置泄爆装置",
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "王检查",
    }
    async with api(stack, place.inspector) as inspector:
        for _ in range(100):  # the hazard service learns of the enterprise from its stream
            created = await inspector.post("/hazards", json=report)
            if created.status_code != 409:
                break
            await asyncio.sleep(0.2)
        assert created.status_code == 201, created.text
        hazard_id = created.json()["id"]
        upload = await inspector.post(
            f"/hazards/{hazard_id}/attachments",
            files={"file": ("现场.png", photo, "image/png")},
            data={"step": "found", "kind": "photo"},
        )
        assert upload.status_code == 201, upload.text
        attachment_id = upload.json()["id"]
        link = await inspector.get(f"/hazards/{hazard_id}/attachments/{attachment_id}/download")
        assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert url.startswith(stack.s3_url + "/"), "signed for the store's published address"

    stored = await asyncio.to_thread(_stored_digests, stack)
    assert digest in stored.values(), "the photo's bytes are in the S3 container's bucket"

    async with httpx.AsyncClient(timeout=10) as anyone:
        fetched = await anyone.get(url)
        assert fetched.status_code == 200, fetched.text
        assert hashlib.sha256(fetched.content).hexdigest() == digest
        unsigned = await anyone.get(url.split("?", 1)[0])
        assert unsigned.status_code == 403, "without the signature the store answers nothing"
        listing = await anyone.get(f"{stack.s3_url}/{BUCKET}")
        assert listing.status_code == 403, "no anonymous listing"
