"""The tipster protected: facts cleared of the person, credentials that forgive typing, photos
without metadata, duplicates told apart."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from hl_contracts.vocabulary import TipCategory
from hl_platform.errors import InvalidInput
from hl_tips.domain.credentials import new_secret, normalize_secret, tracking_number
from hl_tips.domain.duplicates import Candidate, enterprise_key, normalize, original_of
from hl_tips.domain.identity import REDACTED, Identity, redact
from hl_tips.domain.photos import clean_photo
from tests.support.tips import jpeg_with_exif, png_with_text
from tests.unit.tips.fakes import NOW

PERSON = Identity(name="刘举报", phone="13912345678", id_number="37100219800101123X", email="Liu@Example.com")


@pytest.mark.parametrize(
    "written",
    ["刘举报", "139 1234 5678", "139-1234-5678", "13912345678", "37100219800101123x", "liu@example.COM"],
)
def test_every_mention_of_the_tipster_is_cleared_from_the_facts(written: str) -> None:
    assert redact(f"联系人：{written}，报警器坏了", PERSON) == f"联系人：{REDACTED}，报警器坏了"


def test_nothing_is_cleared_for_an_anonymous_tip_or_from_unrelated_numbers() -> None:
    assert redact("刘举报报警器坏了", None) == "刘举报报警器坏了"
    assert redact("厂区电话 0631-5200000", PERSON) == "厂区电话 0631-5200000"


def test_credentials_are_written_and_read_the_way_people_copy_codes() -> None:
    number = tracking_number(date(2026, 12, 1), bytes([1, 2, 3, 4]))
    assert number.startswith("JB20261201-") and len(number) == 17
    secret = new_secret(bytes(range(10)))
    assert len(secret) == 19 and secret.count("-") == 3 and not set(secret) & set("ILOU")
    typed = secret.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize_secret(typed) == secret
    assert normalize_secret("too-short") == "" and normalize_secret("UUUU-UUUU-UUUU-UUUU") == ""


def test_the_place_a_tip_is_about_is_told_by_enterprise_then_uscc_then_name_then_address() -> None:
    assert enterprise_key("ent-1", "91", "某厂", "371002", "路") == "id:ent-1"
    assert enterprise_key(None, "91371000ma3c4xyz0j", "", "371002", "") == "uscc:91371000MA3C4XYZ0J"
    assert enterprise_key(None, "", "威海 某液氨冷库有限公司", "371002103", "") == enterprise_key(
        None, "", "威海某液氨冷库", "371002", ""
    )
    assert enterprise_key(None, "", "", "371002", "工业路１８号") == "address:371002:工业路18号"
    assert enterprise_key(None, "", "", "371002", "") is None


def test_the_same_facts_within_the_window_and_category_are_a_duplicate() -> None:
    facts = normalize("液氨储罐区报警器长期关闭，工人说已经坏了三个月")
    earlier = Candidate("t1", "JB1", TipCategory.HAZARD, facts, NOW - timedelta(days=3))
    similar = normalize("液氨储罐区的报警器关闭了，工人说坏了三个月")
    assert original_of(TipCategory.HAZARD, similar, NOW, [earlier], timedelta(days=30)) is not None
    assert original_of(TipCategory.ILLEGAL_ACT, similar, NOW, [earlier], timedelta(days=30)) is None
    assert original_of(TipCategory.HAZARD, similar, NOW, [earlier], timedelta(days=2)) is None
    assert original_of(TipCategory.HAZARD, normalize("锅炉工无证上岗"), NOW, [earlier], timedelta(days=30)) is None


def test_a_jpeg_keeps_its_image_and_loses_its_exif_and_comments() -> None:
    original = jpeg_with_exif(b"GPS 37.5N Pixel-8")
    photo = clean_photo(original)
    assert photo.content_type == "image/jpeg" and b"GPS" not in photo.data and b"Exif" not in photo.data
    assert photo.data.startswith(b"\xff\xd8\xff\xe0") and photo.data.endswith(b"\x12\x34\x56\x78\xff\xd9")
    assert len(photo.data) < len(original)


def test_a_png_loses_its_text_chunks_and_a_damaged_one_is_refused() -> None:
    photo = clean_photo(png_with_text(b"Author\x00someone"))
    assert photo.content_type == "image/png" and b"someone" not in photo.data and photo.data.endswith(b"IEND\xaeB`\x82")
    damaged = bytearray(png_with_text())
    damaged[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    for bad in (bytes(damaged), png_with_text()[:-4]):
        with pytest.raises(InvalidInput):
            clean_photo(bad)


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a....", b"MZ\x90\x00", jpeg_with_exif()[:-2], b"\xff\xd8\xff\xe0" + struct.pack(">H", 900) + b"x"],
)
def test_anything_but_a_whole_jpeg_or_png_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_photo(data)
    assert refused.value.field == "photo"
