"""Evidence on the pure `Hazard` aggregate: who may attach what to which step, the rules a city
may switch on, withdrawal, and the listing notice's document number and receipt (签收)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from hl_contracts.vocabulary import AttachmentKind, AttachmentStep, HazardLevel, ListingLevel
from hl_hazard.domain import Hazard, Void
from hl_hazard.domain.commands import AddAttachment, ReceiveListing, WithdrawAttachment
from hl_hazard.domain.evidence import EvidenceRules, check_filename
from hl_platform.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from tests.unit.hazard.builders import (
    ADMIN,
    ENTERPRISE_USER,
    FOUND_AT,
    INSPECTOR,
    NOW,
    OTHER_ENTERPRISE_USER,
    acceptance,
    closed_listed_major,
    delisting,
    escalation,
    event_types,
    general_report,
    history,
    listed_major,
    principal,
    rectification,
    rectified_major,
    rectifying_major,
    reported,
    supervisor,
)

ALL_RULES = EvidenceRules(
    rectification_photo_for_major=True,
    acceptance_record_for_major=True,
    listing_document_number=True,
    listing_receipt_before_delisting=True,
)
CITY = ListingLevel.CITY
SHA = "ab" * 32


def attach(
    step: AttachmentStep = AttachmentStep.RECTIFICATION, kind: AttachmentKind = AttachmentKind.PHOTO, **changes: Any
) -> AddAttachment:
    cmd = AddAttachment(
        attachment_id=f"att-{step}-{kind}",
        step=step,
        kind=kind,
        filename="整改后.jpg",
        content_type="image/jpeg",
        size_bytes=123_456,
        sha256=SHA,
    )
    return replace(cmd, **changes)


def with_rules(hazard: Hazard, rules: EvidenceRules = ALL_RULES) -> Hazard:
    hazard.rules = rules
    return hazard


def test_an_attachment_is_recorded_with_its_hash_size_type_step_kind_and_uploader() -> None:
    hazard = rectifying_major()
    hazard.add_attachment(attach(description="更换后的报警器"), ENTERPRISE_USER, NOW)
    added = hazard.changes[-1]
    assert added.data.event_type == "hazard.attachment_added"
    assert added.data.model_dump(mode="json", exclude={"uploaded_by", "added_at"}) == {
        "attachment_id": "att-rectification-photo",
        "step": "rectification",
        "kind": "photo",
        "filename": "整改后.jpg",
        "content_type": "image/jpeg",
        "size_bytes": 123_456,
        "sha256": SHA,
        "description": "更换后的报警器",
    }
    assert added.data.uploaded_by == ENTERPRISE_USER.actor and added.actor == ENTERPRISE_USER.actor
    assert hazard.snapshot()["evidence_count"] == 1


def test_replay_gives_the_same_evidence() -> None:
    hazard = rectifying_major()
    hazard.add_attachment(attach(), ENTERPRISE_USER, NOW)
    hazard.withdraw_attachment(
        WithdrawAttachment(attachment_id="att-rectification-photo", reason="拍错了"), ENTERPRISE_USER, NOW
    )
    replayed = Hazard.replay(hazard.id, history(hazard))
    assert replayed.snapshot() == hazard.snapshot()
    assert not replayed.evidence.attachments["att-rectification-photo"].live


@pytest.mark.parametrize(
    ("step", "who"),
    [
        (AttachmentStep.PLAN, INSPECTOR),  # the plan is the enterprise's own work
        (AttachmentStep.RECTIFICATION, OTHER_ENTERPRISE_USER),
        (AttachmentStep.ACCEPTANCE, ENTERPRISE_USER),  # a major hazard is accepted by a department
        (AttachmentStep.LISTING, INSPECTOR),
        (AttachmentStep.FOUND, principal("bureau")),
    ],
)
def test_only_who_takes_a_step_adds_its_evidence(step: AttachmentStep, who: Any) -> None:
    with pytest.raises(Forbidden):
        rectifying_major().add_attachment(attach(step), who, NOW)


@pytest.mark.parametrize(
    ("step", "kind", "who"),
    [
        (AttachmentStep.FOUND, AttachmentKind.PHOTO, INSPECTOR),
        (AttachmentStep.FOUND, AttachmentKind.PHOTO, ENTERPRISE_USER),
        (AttachmentStep.PLAN, AttachmentKind.PLAN, ENTERPRISE_USER),
        (AttachmentStep.ACCEPTANCE, AttachmentKind.ACCEPTANCE_RECORD, INSPECTOR),
        (AttachmentStep.EXTENSION, AttachmentKind.NOTICE, ENTERPRISE_USER),
        (AttachmentStep.VOID, AttachmentKind.OTHER, INSPECTOR),
        (AttachmentStep.LISTING, AttachmentKind.NOTICE, ADMIN),
    ],
)
def test_each_step_takes_evidence_from_whoever_takes_it(step: AttachmentStep, kind: AttachmentKind, who: Any) -> None:
    hazard = rectifying_major()
    hazard.add_attachment(attach(step, kind), who, NOW)
    assert event_types(hazard)[-1] == "hazard.attachment_added"


def test_a_kind_belongs_to_its_steps() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        rectifying_major().add_attachment(attach(AttachmentStep.FOUND, AttachmentKind.ACCEPTANCE_RECORD), ADMIN, NOW)
    assert excinfo.value.field == "kind"


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a/b.jpg", "c:\\photo.jpg", "photo\x00.jpg", "..", "x" * 201, " "]
)
def test_a_filename_is_a_plain_name(name: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        check_filename(name)
    assert excinfo.value.field == "filename"


def test_a_plain_chinese_filename_is_kept() -> None:
    assert check_filename(" 整改后照片 (1).jpg ") == "整改后照片 (1).jpg"


def test_a_voided_hazard_takes_only_evidence_of_its_voiding() -> None:
    hazard = reported(general_report())
    hazard.void(Void(reason="重复上报"), INSPECTOR, NOW)
    with pytest.raises(RuleViolation) as excinfo:
        hazard.add_attachment(attach(AttachmentStep.FOUND), INSPECTOR, NOW)
    assert excinfo.value.rule == "hazard-voided"
    hazard.add_attachment(attach(AttachmentStep.VOID, AttachmentKind.NOTICE), INSPECTOR, NOW)


def test_withdrawal_keeps_the_file_in_the_history_and_is_for_the_uploader() -> None:
    hazard = rectifying_major()
    hazard.add_attachment(attach(), ENTERPRISE_USER, NOW)
    withdraw = WithdrawAttachment(attachment_id="att-rectification-photo", reason="拍错了")
    with pytest.raises(Forbidden):
        hazard.withdraw_attachment(withdraw, INSPECTOR, NOW)
    hazard.withdraw_attachment(withdraw, ENTERPRISE_USER, NOW)
    assert hazard.changes[-1].data.model_dump(include={"attachment_id", "sha256", "reason"}) == {
        "attachment_id": "att-rectification-photo",
        "sha256": SHA,
        "reason": "拍错了",
    }
    assert hazard.snapshot()["evidence_count"] == 0 and "att-rectification-photo" in hazard.evidence.attachments
    with pytest.raises(RuleViolation):
        hazard.withdraw_attachment(withdraw, ADMIN, NOW)
    with pytest.raises(NotFound):
        hazard.withdraw_attachment(replace(withdraw, attachment_id="nope"), ADMIN, NOW)


# Rules a city may choose: each off by default, each refusing only what it names.


def test_rules_are_off_by_default() -> None:
    hazard = rectifying_major()
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert event_types(hazard)[-1] == "hazard.accepted"


def test_a_major_rectification_needs_an_after_photo() -> None:
    hazard = with_rules(rectifying_major())
    with pytest.raises(RuleViolation) as excinfo:
        hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    assert excinfo.value.rule == "evidence-missing" and excinfo.value.current_state["status"] == "rectifying"
    hazard.add_attachment(attach(AttachmentStep.RECTIFICATION, AttachmentKind.OTHER), ENTERPRISE_USER, NOW)
    with pytest.raises(RuleViolation):  # a document is not a photo
        hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    hazard.add_attachment(attach(), ENTERPRISE_USER, NOW)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    assert event_types(hazard)[-1] == "hazard.rectified"


def test_a_withdrawn_photo_does_not_count() -> None:
    hazard = with_rules(rectifying_major())
    hazard.add_attachment(attach(), ENTERPRISE_USER, NOW)
    hazard.withdraw_attachment(
        WithdrawAttachment(attachment_id="att-rectification-photo", reason="错"), ENTERPRISE_USER, NOW
    )
    with pytest.raises(RuleViolation):
        hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)


def test_after_a_rejection_the_new_fix_needs_a_new_photo() -> None:
    hazard = with_rules(rectifying_major())
    hazard.add_attachment(attach(attachment_id="first"), ENTERPRISE_USER, NOW)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    hazard.decide_acceptance(acceptance(accepted=False), INSPECTOR, NOW)  # a rejection needs no record
    with pytest.raises(RuleViolation):
        hazard.report_rectification(rectification(completed_at=NOW), ENTERPRISE_USER, NOW)
    hazard.add_attachment(attach(attachment_id="second"), ENTERPRISE_USER, NOW)
    hazard.report_rectification(rectification(completed_at=NOW), ENTERPRISE_USER, NOW)


def test_a_general_hazard_needs_no_photo() -> None:
    hazard = with_rules(reported(general_report()))
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    assert hazard.level == HazardLevel.GENERAL and event_types(hazard)[-1] == "hazard.rectified"


def test_accepting_a_major_hazard_needs_its_acceptance_record_of_this_review() -> None:
    hazard = rectified_major()
    with_rules(hazard)
    with pytest.raises(RuleViolation) as excinfo:
        hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert excinfo.value.rule == "evidence-missing"
    record = attach(AttachmentStep.ACCEPTANCE, AttachmentKind.ACCEPTANCE_RECORD, content_type="application/pdf")
    hazard.add_attachment(record, INSPECTOR, NOW)
    hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert event_types(hazard)[-1] == "hazard.accepted"


def test_a_listing_carries_its_document_number() -> None:
    hazard = with_rules(rectifying_major())
    with pytest.raises(InvalidInput) as excinfo:
        hazard.escalate(escalation(CITY), supervisor(CITY), NOW)
    assert excinfo.value.field == "document_number"
    hazard.escalate(escalation(CITY, document_number="威安委督〔2024〕3号", signatory="赵局长"), supervisor(CITY), NOW)
    assert hazard.snapshot()["listing"]["document_number"] == "威安委督〔2024〕3号"


def test_the_receiving_unit_signs_for_the_listing_once_with_its_time() -> None:
    hazard = listed_major(CITY)
    receipt = ReceiveListing(
        receiving_unit="威海某化工有限公司", received_by="张三", received_at=FOUND_AT + timedelta(days=2)
    )
    with pytest.raises(Forbidden):
        hazard.receive_listing(receipt, INSPECTOR, NOW)
    with pytest.raises(InvalidInput) as excinfo:
        hazard.receive_listing(replace(receipt, received_at=FOUND_AT), ENTERPRISE_USER, NOW)
    assert excinfo.value.field == "received_at"  # before the listing
    hazard.receive_listing(receipt, ENTERPRISE_USER, NOW)
    assert hazard.snapshot()["listing_receipt"]["received_by"] == "张三"
    with pytest.raises(RuleViolation) as refused:
        hazard.receive_listing(receipt, ENTERPRISE_USER, NOW)
    assert refused.value.rule == "listing-already-received"


def test_delisting_needs_the_receipt_when_the_city_says_so() -> None:
    hazard = with_rules(closed_listed_major(CITY))
    with pytest.raises(RuleViolation) as excinfo:
        hazard.delist(delisting(), supervisor(CITY), NOW)
    assert excinfo.value.rule == "listing-not-received"
    receipt = ReceiveListing(
        receiving_unit="威海某化工有限公司", received_by="张三", received_at=FOUND_AT + timedelta(days=2)
    )
    hazard.receive_listing(receipt, ENTERPRISE_USER, NOW)
    hazard.delist(delisting(), supervisor(CITY), NOW)
    assert event_types(hazard)[-1] == "hazard.delisted"


def test_a_new_listing_is_signed_for_anew() -> None:
    hazard = listed_major(CITY)
    receipt = ReceiveListing(receiving_unit="某公司", received_by="张三", received_at=NOW - timedelta(days=1))
    hazard.receive_listing(receipt, ENTERPRISE_USER, NOW)
    hazard.escalate(
        escalation(ListingLevel.PROVINCE, escalated_at=NOW - timedelta(hours=1)), supervisor(ListingLevel.PROVINCE), NOW
    )
    assert hazard.evidence.receipt is None
