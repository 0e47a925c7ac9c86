"""The per-hazard record, section 四 input, and cursors: pure pieces of the reporting side."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from hl_contracts import Actor, CloudEvent
from hl_contracts.hazard import HazardEscalated, HazardFound, HazardOverdue, HazardPlanSet, HazardRejected
from hl_contracts.registry import EventData
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel
from hl_platform.errors import InvalidInput
from hl_reporting.application.pages import check_limit, decode_cursor, encode_cursor
from hl_reporting.application.submissions import validate_section4
from hl_reporting.domain.calendar import SHANGHAI
from hl_reporting.domain.hazard_record import HazardRecord

ACTOR = Actor(id="u1", name="王", role="inspector")


def event(data: EventData, sequence: int, time: datetime, region: str = "371002100") -> CloudEvent:
    return CloudEvent.create(
        data=data,
        service="hazard",
        aggregate_id="h1",
        sequence=sequence,
        region_code=region,
        industry="hazardous_chemicals",
        actor=ACTOR,
        time=time,
    )


def test_a_record_follows_the_hazard() -> None:
    found_at = datetime(2024, 5, 24, 23, 30, tzinfo=SHANGHAI)
    found = HazardFound(
        enterprise_id="e1",
        enterprise_name="甲公司",
        source=HazardSource.DEPARTMENT_INSPECTION,
        level=HazardLevel.MAJOR,
        title="报警器失效",
        found_at=found_at,
        found_by="张三",
    )
    record = HazardRecord.found(event(found, 1, found_at), found)
    assert (record.status, record.found_day, record.level) == ("reported", date(2024, 5, 24), "major")
    later = datetime(2024, 5, 26, 9, tzinfo=SHANGHAI)
    plan = HazardPlanSet(
        responsible_person="李",
        measures="换",
        funds_yuan=Decimal("1234.565"),
        deadline=date(2024, 6, 1),
        emergency_plan="有",
    )
    record.apply(event(plan, 2, later), plan)
    assert (record.status, record.funds_fen, record.deadline) == ("rectifying", 123457, date(2024, 6, 1))
    listing = HazardEscalated(
        level=ListingLevel.CITY, authority="市安委会", reason="重大", deadline=date(2024, 6, 10), escalated_at=later
    )
    record.apply(event(listing, 3, later, region="371002101"), listing)
    assert (record.listing_level, record.deadline, record.region_code) == ("city", date(2024, 6, 10), "371002101")
    record.apply(
        event(HazardOverdue(deadline=date(2024, 6, 10), detected_at=later), 4, later),
        HazardOverdue(deadline=date(2024, 6, 10), detected_at=later),
    )
    rejected = HazardRejected(reviewer="赵", decided_at=later)
    record.apply(event(rejected, 5, later), rejected)
    assert (record.overdue_recorded, record.status, record.version) == (True, "rectifying", 5)
    assert [fact.kind for fact in record.facts] == ["found", "plan", "escalated", "rejected"]
    assert {key[2] for key in record.contributions()} == {"371002100"}  # figures follow the latest envelope


def test_section4_values_are_typed() -> None:
    values = validate_section4({"technical_inspectors": 12, "media_column_broadcast": False})
    assert values["technical_inspectors"] == 12 and "report_rewards_wan" not in values
    assert values["media_column_broadcast"] is False and values["inspection_tours"] is None
    for bad in (
        {"technical_inspectors": True},
        {"technical_inspectors": -1},
        {"report_rewards_wan": 0.3},  # row 5 is computed from the tips' paid rewards, never typed in
        {"anonymous_report_rewards_wan": 0},
        {"x": 1},
    ):
        with pytest.raises(InvalidInput):
            validate_section4(bad)


def test_cursors_round_trip_and_refuse_forgeries() -> None:
    assert decode_cursor(encode_cursor("2024-05-13T02:00:00+00:00", "h1"), 2) == ["2024-05-13T02:00:00+00:00", "h1"]
    for forged in ("@@@", encode_cursor("only-one"), "bm90IGpzb24"):
        with pytest.raises(InvalidInput):
            decode_cursor(forged, 2)
    with pytest.raises(InvalidInput):
        check_limit(0)
    assert check_limit(500) == 500


def test_a_record_counts_the_evidence_that_is_not_withdrawn() -> None:
    from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn
    from hl_contracts.vocabulary import AttachmentKind, AttachmentStep

    at = datetime(2024, 5, 24, 10, tzinfo=SHANGHAI)
    found = HazardFound(
        enterprise_id="e1",
        enterprise_name="甲公司",
        source=HazardSource.SELF_INSPECTION,
        level=HazardLevel.GENERAL,
        title="消防通道堵塞",
        found_at=at,
        found_by="张三",
    )
    record = HazardRecord.found(event(found, 1, at), found)
    for sequence, attachment_id in ((2, "a1"), (3, "a2")):
        added = HazardAttachmentAdded(
            attachment_id=attachment_id,
            step=AttachmentStep.FOUND,
            kind=AttachmentKind.PHOTO,
            filename="现场.jpg",
            content_type="image/jpeg",
            size_bytes=10,
            sha256="0" * 64,
            uploaded_by=ACTOR,
            added_at=at,
        )
        record.apply(event(added, sequence, at), added)
    withdrawn = HazardAttachmentWithdrawn(attachment_id="a1", sha256="0" * 64, reason="错", withdrawn_at=at)
    record.apply(event(withdrawn, 4, at), withdrawn)
    assert (record.evidence_count, record.version, record.status) == (1, 4, "reported")
