"""The enterprise aggregate: every transition, every refusal, and replay from its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hl_catalogue import RegionCatalogue
from hl_contracts import Actor, CloudEvent
from hl_contracts.enterprise import EnterpriseInspected, EnterpriseRegistered, EnterpriseUpdated
from hl_enterprise.domain.business_time import SHANGHAI
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import parse_profile
from hl_enterprise.domain.validation import InvalidFields
from hl_platform.errors import InvalidInput, RuleViolation

ProfileData = Callable[..., dict[str, Any]]
MAY_1 = date(2024, 5, 1)


def types_of(enterprise: Enterprise) -> list[str]:
    return [change.data.event_type for change in enterprise.changes]


def shanghai_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


# -- register and update ------------------------------------------------------------------------


def test_register_records_the_whole_profile(profile_data: ProfileData, actor: Actor, now: datetime) -> None:
    profile = parse_profile(profile_data())
    enterprise = Enterprise.register("ent-9", profile, actor, now)
    [change] = enterprise.changes
    assert isinstance(change.data, EnterpriseRegistered)
    assert change.data.model_dump() == profile.model_dump()
    assert (change.actor, change.time, change.version) == (actor, now, 1)
    assert (enterprise.id, enterprise.region_code, enterprise.industry) == ("ent-9", "371002", "hazardous_chemicals")
    assert enterprise.uscc == profile.uscc
    assert not enterprise.is_closed
    assert not enterprise.is_blacklisted


def test_register_wants_an_aware_clock(profile_data: ProfileData, actor: Actor) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Enterprise.register("ent-9", parse_profile(profile_data()), actor, datetime(2024, 5, 1))


def test_update_records_only_changed_fields(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    changed = enterprise.update(
        {"address": "新地址", "name": "威海某化工有限公司", "principal": {"name": "李四", "phone": "0631-5812345"}},
        actor,
        now,
    )
    assert changed == {"address": "新地址", "principal": {"name": "李四", "phone": "0631-5812345"}}
    [change] = enterprise.changes
    assert isinstance(change.data, EnterpriseUpdated)
    assert change.data.changes == changed
    assert change.time == now
    assert enterprise.details["address"] == "新地址"


def test_update_with_nothing_new_records_nothing(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    assert enterprise.update({"name": " 威海某化工有限公司 ", "uscc": enterprise.uscc.lower()}, actor, now) == {}
    assert enterprise.update({}, actor, now) == {}
    assert enterprise.changes == []


def test_update_moves_the_region(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.update({"region_code": "371071004"}, actor, now)
    assert enterprise.region_code == "371071004"


def test_uscc_is_immutable(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        enterprise.update({"uscc": "9144030071526726XG"}, actor, now)
    assert caught.value.field == "uscc"
    assert caught.value.reason.startswith("immutable")
    assert enterprise.changes == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"industry": "mining"}, "industry"),
        ({"colour": "red"}, "colour"),
        ({"principal": {"phone": "1"}}, "principal.name"),
    ],
)
def test_update_validates_like_registration(
    enterprise: Enterprise, actor: Actor, now: datetime, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidFields) as caught:
        enterprise.update(changes, actor, now)
    assert field in [error["field"] for error in caught.value.errors]


def test_update_checks_regions_against_the_catalogue_given(
    enterprise: Enterprise, actor: Actor, now: datetime, tiny_regions: RegionCatalogue
) -> None:
    with pytest.raises(InvalidFields, match="region_code"):
        enterprise.update({"region_code": "371003"}, actor, now, regions=tiny_regions)


# -- close ----------------------------------------------------------------------------------------


def test_close_on_a_day_is_timed_at_shanghai_midnight(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.close("依法注销", MAY_1, actor, now)
    [change] = enterprise.changes
    assert change.time == shanghai_midnight(MAY_1)
    assert change.time.astimezone(UTC) == datetime(2024, 4, 30, 16, 0, tzinfo=UTC)
    assert enterprise.closed_on == MAY_1
    assert enterprise.is_closed


def test_a_closed_enterprise_cannot_be_updated_inspected_or_closed_again(
    enterprise: Enterprise, actor: Actor, now: datetime
) -> None:
    enterprise.close("依法注销", MAY_1, actor, now)
    attempts: list[Callable[[], object]] = [
        lambda: enterprise.update({"address": "x"}, actor, now),
        lambda: enterprise.record_inspection(department="应急局", inspected_on=MAY_1, actor=actor, now=now),
        lambda: enterprise.close("again", MAY_1, actor, now),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as caught:
            attempt()
        assert caught.value.rule == "enterprise-closed"
        assert caught.value.status == 409
        assert caught.value.current_state == {"closed_on": "2024-05-01", "blacklisted_on": None, "version": 2}


@pytest.mark.parametrize(("reason", "field"), [("", "reason"), ("   ", "reason")])
def test_close_needs_a_reason(enterprise: Enterprise, actor: Actor, now: datetime, reason: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        enterprise.close(reason, MAY_1, actor, now)
    assert caught.value.field == field


# -- future dates, judged by the Shanghai calendar ---------------------------------------------------


def test_future_dates_are_refused(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    tomorrow = date(2024, 5, 21)
    attempts: list[tuple[str, Callable[[], object]]] = [
        ("closed_on", lambda: enterprise.close("x", tomorrow, actor, now)),
        ("decided_on", lambda: enterprise.blacklist("x", "市应急局", tomorrow, actor, now)),
        (
            "inspected_on",
            lambda: enterprise.record_inspection(department="d", inspected_on=tomorrow, actor=actor, now=now),
        ),
        (
            "decided_on",
            lambda: enterprise.record_enforcement(
                kind="exposure", department="d", decided_on=tomorrow, actor=actor, now=now
            ),
        ),
    ]
    for field, attempt in attempts:
        with pytest.raises(InvalidInput) as caught:
            attempt()
        assert (caught.value.field, caught.value.reason[:13]) == (field, "in the future")
    assert enterprise.changes == []


def test_today_in_shanghai_is_not_the_future_even_when_utc_is_still_yesterday(
    enterprise: Enterprise, actor: Actor
) -> None:
    late_utc = datetime(2024, 5, 1, 17, 0, tzinfo=UTC)  # 2024-05-02 01:00 in Shanghai
    enterprise.record_inspection(department="应急局", inspected_on=date(2024, 5, 2), actor=actor, now=late_utc)
    with pytest.raises(InvalidInput):
        enterprise.record_inspection(department="应急局", inspected_on=date(2024, 5, 3), actor=actor, now=late_utc)


# -- blacklist ----------------------------------------------------------------------------------------


def test_blacklist_and_lift(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.blacklist("重大事故隐患拒不整改", "威海市应急管理局", MAY_1, actor, now)
    assert enterprise.blacklisted_on == MAY_1
    enterprise.lift_blacklist("信用修复", "威海市应急管理局", date(2024, 5, 10), actor, now)
    assert not enterprise.is_blacklisted
    enterprise.blacklist("再次违法", "威海市应急管理局", date(2024, 5, 15), actor, now)
    assert types_of(enterprise) == ["enterprise.blacklisted", "enterprise.blacklist_lifted", "enterprise.blacklisted"]
    assert enterprise.changes[1].time == shanghai_midnight(date(2024, 5, 10))


def test_blacklisting_twice_is_refused(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.blacklist("r", "市应急局", MAY_1, actor, now)
    with pytest.raises(RuleViolation) as caught:
        enterprise.blacklist("r", "市应急局", MAY_1, actor, now)
    assert caught.value.rule == "already-blacklisted"


def test_lifting_when_not_blacklisted_is_refused(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    with pytest.raises(RuleViolation) as caught:
        enterprise.lift_blacklist("r", "市应急局", MAY_1, actor, now)
    assert caught.value.rule == "not-blacklisted"


def test_lifting_before_the_blacklisting_is_refused(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.blacklist("r", "市应急局", MAY_1, actor, now)
    with pytest.raises(InvalidInput) as caught:
        enterprise.lift_blacklist("r", "市应急局", date(2024, 4, 30), actor, now)
    assert caught.value.field == "decided_on"


def test_blacklist_needs_an_authority(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        enterprise.blacklist("r", " ", MAY_1, actor, now)
    assert caught.value.field == "authority"


# -- inspections ----------------------------------------------------------------------------------------


def test_record_inspection(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    inspection_id = enterprise.record_inspection(
        department=" 威海市应急管理局 ",
        inspected_on=MAY_1,
        inspectors=["王检查", " 李检查 "],
        findings=["no_emergency_drill", "principal_not_studied", "no_emergency_drill"],
        note="四不两直",
        actor=actor,
        now=now,
    )
    [change] = enterprise.changes
    assert isinstance(change.data, EnterpriseInspected)
    assert change.data.inspection_id == inspection_id
    assert change.data.department == "威海市应急管理局"
    assert change.data.inspectors == ["王检查", "李检查"]
    assert change.data.findings == ["no_emergency_drill", "principal_not_studied"]
    assert change.time == shanghai_midnight(MAY_1)


def test_inspection_id_may_be_given(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    assert (
        enterprise.record_inspection(department="d", inspected_on=MAY_1, actor=actor, now=now, inspection_id="i-1")
        == "i-1"
    )


def test_unknown_findings_are_refused(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        enterprise.record_inspection(
            department="d", inspected_on=MAY_1, findings=["no_emergency_drill", "dirty_floor"], actor=actor, now=now
        )
    assert (caught.value.field, caught.value.reason) == ("findings", "unknown deficiency code(s): dirty_floor")


def test_inspection_needs_a_department(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        enterprise.record_inspection(department="", inspected_on=MAY_1, actor=actor, now=now)
    assert caught.value.field == "department"


# -- replay ---------------------------------------------------------------------------------------------


def test_replay_rebuilds_the_same_state(profile_data: ProfileData, actor: Actor, now: datetime) -> None:
    enterprise = Enterprise.register("ent-7", parse_profile(profile_data()), actor, now - timedelta(days=30))
    enterprise.update({"principal": {"name": "李四", "phone": "13900139000"}, "region_code": "371082102"}, actor, now)
    enterprise.blacklist("r", "市应急局", MAY_1, actor, now)
    enterprise.record_inspection(department="d", inspected_on=MAY_1, actor=actor, now=now)
    enterprise.close("停业", date(2024, 5, 2), actor, now)
    history = [
        CloudEvent.from_json(
            CloudEvent.create(
                data=change.data,
                service="enterprise",
                aggregate_id=enterprise.id,
                sequence=change.version,
                region_code=enterprise.region_code,
                industry=enterprise.industry,
                actor=change.actor,
                time=change.time,
            ).to_json()
        )
        for change in enterprise.changes
    ]
    replayed = Enterprise.replay("ent-7", history)
    assert replayed.details == enterprise.details
    assert (replayed.closed_on, replayed.blacklisted_on, replayed.version) == (date(2024, 5, 2), MAY_1, 5)
    assert replayed.changes == []
