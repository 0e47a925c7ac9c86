"""Tip photos through the use cases, on an in-memory bucket: cleaned bytes under the tip's key,
read back by officers of the region, a signed link with its lifetime (the real store: the
integration tests)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from hl_hazard.settings import HazardSettings
from hl_platform.errors import NotFound
from hl_platform.http import MAX_BODY_BYTES
from hl_platform.object_store import S3ObjectStore, StoreUnavailable
from hl_tips.domain.photos import MAX_PHOTO_BYTES, photo_filename, photo_key
from hl_tips.settings import TipsSettings
from tests.support.tips import jpeg_with_exif
from tests.unit.tips.fakes import NOW, MemoryPhotos
from tests.unit.tips.test_tip_handlers import ELSEWHERE, INSPECTOR, World


@pytest.fixture
def world() -> World:
    return World()


async def test_a_photo_is_kept_cleaned_under_its_tip_and_content(world: World) -> None:
    tip_id, number, secret = await world.file()
    await world.intake.add_photo(number, secret, jpeg_with_exif())
    await world.intake.add_photo(number, secret, jpeg_with_exif())  # a retry: the same object again
    photos = world.deps.photos
    assert isinstance(photos, MemoryPhotos)
    ((key, data),) = photos.objects.items()
    assert (
        key
        == photo_key(tip_id, hashlib.sha256(data).hexdigest())
        == f"tips/{tip_id}/{hashlib.sha256(data).hexdigest()}"
    )
    assert b"GPS" not in data and b"Exif" not in data
    tip = await world.handling.get(INSPECTOR, tip_id)
    assert [p.sha256 for p in tip.photos] == [hashlib.sha256(data).hexdigest()]
    assert await world.handling.photo(INSPECTOR, tip_id, tip.photos[0].photo_id) == (data, "image/jpeg")


async def test_an_officer_gets_a_link_that_lasts_the_configured_time(world: World) -> None:
    tip_id, number, secret = await world.file()
    await world.intake.add_photo(number, secret, jpeg_with_exif())
    photo = (await world.handling.get(INSPECTOR, tip_id)).photos[0]
    link = await world.handling.photo_link(INSPECTOR, tip_id, photo.photo_id)
    assert link.url.startswith(f"https://store.invalid/tips/{tip_id}/{photo.sha256}?ttl=300")
    assert f"filename={photo.photo_id}.jpg" in link.url  # never the name the tipster's phone gave it
    assert link.expires_at == NOW + timedelta(seconds=300)
    with pytest.raises(NotFound):
        await world.handling.photo_link(ELSEWHERE, tip_id, photo.photo_id)
    with pytest.raises(NotFound):
        await world.handling.photo_link(INSPECTOR, tip_id, "no-such-photo")


async def test_a_recorded_photo_whose_bytes_are_gone_is_not_found_rather_than_empty(world: World) -> None:
    tip_id, number, secret = await world.file()
    await world.intake.add_photo(number, secret, jpeg_with_exif())
    photos = world.deps.photos
    assert isinstance(photos, MemoryPhotos)
    photos.objects.clear()
    photo = (await world.handling.get(INSPECTOR, tip_id)).photos[0]
    with pytest.raises(NotFound):
        await world.handling.photo(INSPECTOR, tip_id, photo.photo_id)


def test_a_photo_is_read_back_up_to_what_the_body_limit_lets_in() -> None:
    assert MAX_PHOTO_BYTES == MAX_BODY_BYTES
    assert photo_filename("p1", "image/png") == "p1.png"


async def test_without_a_store_photos_answer_503_naming_the_setting(tmp_path: Path) -> None:
    store = TipsSettings(data_dir=tmp_path).object_store()
    with pytest.raises(StoreUnavailable) as refused:
        await store.put("tips/t/x", b"bytes", "image/jpeg")
    assert refused.value.status == 503 and "HL_TIPS_OBJECT_STORE_ENDPOINT" in refused.value.detail
    with pytest.raises(ValidationError, match="object_store_access_key"):
        TipsSettings(data_dir=tmp_path, object_store_endpoint="http://127.0.0.1:8333")
    configured = TipsSettings(
        data_dir=tmp_path,
        object_store_endpoint="http://s3:8333",
        object_store_access_key="a",
        object_store_secret_key="b",
    ).object_store()
    assert isinstance(configured, S3ObjectStore) and configured.bucket == "tip-photos"
    hazard = HazardSettings(data_dir=tmp_path).object_store()  # the same settings, every service's own name
    with pytest.raises(StoreUnavailable, match="HL_HAZARD_OBJECT_STORE_ENDPOINT"):
        await hazard.put("x", b"bytes", "image/jpeg")
