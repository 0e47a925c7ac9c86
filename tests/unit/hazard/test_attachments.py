"""The evidence handlers on fakes: the upload's order (check, dry run, pending put, commit,
promote), what is left behind by each failure, the sweep, links and scope."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_hazard.application.attachments import AttachmentService
from hl_hazard.application.direct_uploads import DirectUploads
from hl_hazard.application.evidence_ports import (
    PayloadTooLarge,
    SizeLimits,
    StoreUnavailable,
    UnsupportedContent,
    Upload,
    object_key,
    pending_key,
)
from hl_hazard.domain import Void
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_platform.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from hl_platform.identity import Caller
from tests.unit.hazard.builders import ADMIN as ADMIN_PRINCIPAL
from tests.unit.hazard.builders import ENTERPRISE, NOW, rectifying_major
from tests.unit.hazard.fakes import FakeCheck, FakeStore, FakeUnits

OWNER = Caller(id="u-ent", name="企业安全员", role="enterprise", region_code="371002", enterprise_id=ENTERPRISE.id)
INSPECTOR = Caller(id="u-insp", name="王检查", role="inspector", region_code="3710")
ELSEWHERE = Caller(id="u-jn", name="济南检查员", role="inspector", region_code="3701")
PHOTO = Upload(step=AttachmentStep.RECTIFICATION, kind=AttachmentKind.PHOTO, filename="整改后.jpg")
JPEG = b"JPEG" + b"\x01" * 100


def service(units: FakeUnits, store: FakeStore, **options: object) -> AttachmentService:
    limits = SizeLimits(photo_max_bytes=1_000, document_max_bytes=5_000)
    return AttachmentService(units, store, FakeCheck(), limits, clock=lambda: NOW, **options)  # type: ignore[arg-type]


@pytest.fixture
def units() -> FakeUnits:
    units = FakeUnits(EvidenceRules(rectification_photo_for_major=True))
    hazard = rectifying_major()
    hazard.changes.clear()
    units.tables.hazards[hazard.id] = hazard
    return units


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def only_hazard(units: FakeUnits) -> Hazard:
    return next(iter(units.tables.hazards.values()))


async def test_an_upload_is_committed_then_promoted_out_of_its_pending_key(units: FakeUnits, store: FakeStore) -> None:
    hazard = only_hazard(units)
    view = await service(units, store).add(OWNER, hazard.id, PHOTO, JPEG)
    assert view["sha256"] == hashlib.sha256(JPEG).hexdigest() and view["size_bytes"] == len(JPEG)
    assert units.tables.saved_events == ["hazard.attachment_added"]
    assert set(store.objects) == {object_key(hazard.id, view["id"])}
    assert units.tables.attachments[view["id"]].promoted


@pytest.mark.parametrize(
    ("upload", "data", "error"),
    [
        (PHOTO, b"MZ\x90\x00", UnsupportedContent),
        (PHOTO, b"JPEG" + b"\x00" * 2_000, PayloadTooLarge),
        (PHOTO, b"", InvalidInput),
        (Upload(step=AttachmentStep.RECTIFICATION, kind=AttachmentKind.PHOTO, filename="../x.jpg"), JPEG, InvalidInput),
        (
            Upload(step=AttachmentStep.FOUND, kind=AttachmentKind.ACCEPTANCE_RECORD, filename="a.pdf"),
            b"%PDF",
            InvalidInput,
        ),
    ],
)
async def test_bad_input_stores_nothing_and_records_nothing(
    units: FakeUnits, store: FakeStore, upload: Upload, data: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await service(units, store).add(OWNER, only_hazard(units).id, upload, data)
    assert store.objects == {} and units.tables.saved_events == []


async def test_a_caller_who_may_not_add_it_is_refused_before_anything_is_stored(
    units: FakeUnits, store: FakeStore
) -> None:
    with pytest.raises(Forbidden):
        await service(units, store).add(INSPECTOR, only_hazard(units).id, PHOTO, JPEG)  # the fix is the enterprise's
    with pytest.raises(NotFound):
        await service(units, store).add(ELSEWHERE, only_hazard(units).id, PHOTO, JPEG)
    assert store.objects == {}


async def test_the_store_down_is_503_and_no_event(units: FakeUnits, store: FakeStore) -> None:
    store.failing = {"put"}
    with pytest.raises(StoreUnavailable) as excinfo:
        await service(units, store).add(OWNER, only_hazard(units).id, PHOTO, JPEG)
    assert excinfo.value.status == 503 and excinfo.value.headers == {"Retry-After": "7"}
    assert units.tables.saved_events == []


async def test_a_lost_commit_leaves_only_a_pending_object_which_the_sweep_removes(
    units: FakeUnits, store: FakeStore
) -> None:
    units.fail_commit = True
    attachments = service(units, store, pending_grace=timedelta(minutes=10))
    with pytest.raises(ConnectionError):
        await attachments.add(OWNER, only_hazard(units).id, PHOTO, JPEG)
    assert [key.split("/")[0] for key in store.objects] == ["pending"] and units.tables.saved_events == []
    assert (await attachments.sweep()).removed == 0  # still within the grace period: maybe in flight
    store.now = NOW - timedelta(hours=1)
    store.objects = {key: (data, store.now) for key, (data, _) in store.objects.items()}
    result = await attachments.sweep()
    assert (result.removed, result.promoted, store.objects) == (1, 0, {})


async def test_a_promotion_that_failed_is_finished_by_the_sweep_or_the_first_download(
    units: FakeUnits, store: FakeStore
) -> None:
    store.failing = {"copy"}
    attachments = service(units, store, pending_grace=timedelta(0))
    hazard_id = only_hazard(units).id
    first = await attachments.add(OWNER, hazard_id, PHOTO, JPEG)  # committed: the answer is 201 all the same
    second = await attachments.add(OWNER, hazard_id, PHOTO, JPEG + b"2")
    assert set(store.objects) == {pending_key(hazard_id, first["id"]), pending_key(hazard_id, second["id"])}
    store.failing = set()
    link = await attachments.link(INSPECTOR, hazard_id, first["id"])  # promotes on demand
    assert object_key(hazard_id, first["id"]) in link.url and link.expires_at == NOW + timedelta(seconds=300)
    store.objects = {key: (data, NOW - timedelta(seconds=1)) for key, (data, _) in store.objects.items()}
    result = await attachments.sweep()
    assert (result.promoted, result.removed) == (1, 0)
    assert set(store.objects) == {object_key(hazard_id, first["id"]), object_key(hazard_id, second["id"])}


async def test_a_rule_refusal_after_the_put_removes_the_pending_object(units: FakeUnits, store: FakeStore) -> None:
    hazard = only_hazard(units)
    attachments = service(units, store)
    dry_run = attachments.dry_run

    async def then_voided(caller: Caller, hazard_id: str, command: object) -> None:
        await dry_run(caller, hazard_id, command)  # type: ignore[arg-type]
        hazard.void(Void(reason="重复"), ADMIN_PRINCIPAL, NOW)  # by someone else, before our commit
        hazard.changes.clear()

    attachments.dry_run = then_voided  # type: ignore[method-assign]
    with pytest.raises(RuleViolation) as refused:
        await attachments.add(OWNER, hazard.id, PHOTO, JPEG)
    assert refused.value.rule == "hazard-voided"
    assert store.puts and store.puts[-1].startswith("pending/")  # it was stored pending …
    assert store.objects == {} and units.tables.saved_events == []  # … and removed; nothing recorded


async def test_links_lists_and_withdrawal_are_scoped_like_the_hazard(units: FakeUnits, store: FakeStore) -> None:
    hazard_id = only_hazard(units).id
    attachments = service(units, store)
    view = await attachments.add(OWNER, hazard_id, PHOTO, JPEG)
    for call in (
        attachments.link(ELSEWHERE, hazard_id, view["id"]),
        attachments.list(ELSEWHERE, hazard_id),
        attachments.get(ELSEWHERE, hazard_id, view["id"]),
        attachments.withdraw(ELSEWHERE, hazard_id, view["id"], "错"),
    ):
        with pytest.raises(NotFound):
            await call
    with pytest.raises(NotFound):
        await attachments.link(INSPECTOR, hazard_id, "no-such-attachment")
    withdrawn = await attachments.withdraw(OWNER, hazard_id, view["id"], "拍错了")
    assert withdrawn["withdrawn"] and withdrawn["withdrawn_reason"] == "拍错了"
    assert [a["id"] for a in await attachments.list(INSPECTOR, hazard_id)] == [view["id"]]  # kept, marked
    assert units.tables.saved_events == ["hazard.attachment_added", "hazard.attachment_withdrawn"]


async def test_the_rule_counts_the_uploaded_photo(units: FakeUnits, store: FakeStore) -> None:
    hazard_id = only_hazard(units).id
    await service(units, store).add(OWNER, hazard_id, PHOTO, JPEG)
    assert only_hazard(units).evidence.has(AttachmentStep.RECTIFICATION, AttachmentKind.PHOTO, this_round=True)


async def test_a_direct_upload_is_offered_put_and_confirmed(units: FakeUnits, store: FakeStore) -> None:
    hazard_id = only_hazard(units).id
    direct = DirectUploads(service(units, store), slot_ttl_s=60)
    slot = await direct.offer(OWNER, hazard_id, PHOTO, len(JPEG))
    assert slot.headers == {"Content-Length": str(len(JPEG))} and slot.expires_at == NOW + timedelta(seconds=60)
    assert units.tables.saved_events == [] and store.objects == {}  # nothing recorded, nothing stored
    with pytest.raises(NotFound):  # not put yet
        await direct.confirm(OWNER, hazard_id, slot.upload_id, PHOTO)
    store.objects[pending_key(hazard_id, slot.upload_id)] = (JPEG, NOW)  # the client's PUT
    view = await direct.confirm(OWNER, hazard_id, slot.upload_id, PHOTO)
    assert view["id"] == slot.upload_id and view["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert set(store.objects) == {object_key(hazard_id, slot.upload_id)}
    with pytest.raises(NotFound):  # confirmed already
        await direct.confirm(OWNER, hazard_id, slot.upload_id, PHOTO)


async def test_a_direct_upload_is_refused_like_any_other(units: FakeUnits, store: FakeStore) -> None:
    hazard_id = only_hazard(units).id
    direct = DirectUploads(service(units, store))
    with pytest.raises(PayloadTooLarge):
        await direct.offer(OWNER, hazard_id, PHOTO, 5_000)
    with pytest.raises(Forbidden):
        await direct.offer(INSPECTOR, hazard_id, PHOTO, 10)
    slot = await direct.offer(OWNER, hazard_id, PHOTO, 4)
    store.objects[pending_key(hazard_id, slot.upload_id)] = (b"MZ\x90\x00", NOW)  # a renamed executable
    with pytest.raises(UnsupportedContent):
        await direct.confirm(OWNER, hazard_id, slot.upload_id, PHOTO)
    assert store.objects == {} and units.tables.saved_events == []  # removed at once
