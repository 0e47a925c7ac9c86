"""Builders for the tips tests: a tip body, tiny real images (with EXIF), an enterprise on the stream."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hl_contracts import Actor, CloudEvent, subject_for
from hl_contracts.enterprise import EnterpriseRegistered, Person
from hl_platform.ids import new_id
from hl_platform.nats_io import ensure_stream, stream_for
from tests.support.uscc import random_uscc

TIPSTER_NAME = "刘举报"
TIPSTER_PHONE = "13912345678"
TIPSTER_ID_NUMBER = "37100219800101123X"


def tip_body(*, identity: bool = False, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "category": "hazard",
        "description": "夜间液氨储罐区报警器长期关闭，工人说已经坏了三个月，车间里有刺鼻气味",
        "occurred_on": (date.today() - timedelta(days=2)).isoformat(),
        "region_code": "371002",
        "enterprise_name": "威海某液氨冷库有限公司",
        "address": "环翠区工业路18号",
    }
    if identity:
        body["identity"] = {
            "name": TIPSTER_NAME,
            "phone": TIPSTER_PHONE,
            "id_number": TIPSTER_ID_NUMBER,
            "relationship": "employee",
        }
    body.update(overrides)
    return body


def jpeg_with_exif(marker: bytes = b"GPS 37.5N 122.1E Pixel-8") -> bytes:
    """A structurally complete JPEG (SOI, APP0, APP1/EXIF holding `marker`, a COM, SOS, EOI)."""

    def segment(code: int, payload: bytes) -> bytes:
        return bytes([0xFF, code]) + struct.pack(">H", len(payload) + 2) + payload

    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xE1, b"Exif\x00\x00" + marker)
        + segment(0xFE, b"taken by " + marker)
        + segment(0xDB, bytes(65))
        + segment(0xDA, b"\x00" * 10)
        + b"\x12\x34\x56\x78"
        + b"\xff\xd9"
    )


def png_with_text(text: bytes = b"Author\x00someone") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", text)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Registered:
    id: str
    uscc: str
    name: str
    region_code: str


async def register_enterprise(
    nats_url: str, region: str = "371002", name: str = "威海某液氨冷库有限公司"
) -> Registered:
    """Publish `enterprise.registered` as the enterprise service would (creating its stream)."""
    import nats

    enterprise = Registered(new_id(), random_uscc(region), name, region)
    event = CloudEvent.create(
        data=EnterpriseRegistered(
            uscc=enterprise.uscc,
            name=name,
            region_code=region,
            industry="metallurgy_industry_trade",
            principal=Person(name="赵总", phone="13806310000"),
        ),
        service="enterprise",
        aggregate_id=enterprise.id,
        sequence=1,
        region_code=region,
        industry="metallurgy_industry_trade",
        actor=Actor(id="a", name="管理员", role="admin"),
        time=datetime.now(UTC),
    )
    nc = await nats.connect(nats_url)
    try:
        await ensure_stream(nc.jetstream(), stream_for("enterprise"))
        await nc.jetstream().publish(
            subject_for(event.type, region), event.to_json(), headers={"Nats-Msg-Id": event.id}
        )
    finally:
        await nc.close()
    return enterprise
