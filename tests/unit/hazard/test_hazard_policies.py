"""Who may do what to a hazard (DOMAIN.md "Actors"); rule-specific permissions are in the rules tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel
from hl_hazard.domain import MarkOverdue, Principal, Reclassify, Void
from hl_platform.errors import Forbidden
from tests.unit.hazard.builders import (
    ADMIN,
    DEADLINE,
    ENTERPRISE_USER,
    INSPECTOR,
    NOW,
    OTHER_ENTERPRISE_USER,
    PLATFORM,
    acceptance,
    general_report,
    major_report,
    plan,
    principal,
    rectification,
    rectified_major,
    rectifying_major,
    reported,
    supervisor,
)

BUREAU = principal("bureau")
STRANGER = principal("janitor")


@pytest.mark.parametrize("source", [HazardSource.DEPARTMENT_INSPECTION, HazardSource.PUBLIC_REPORT])
def test_an_enterprise_user_reports_only_its_self_inspection(source: HazardSource) -> None:
    with pytest.raises(Forbidden):
        reported(major_report(source=source), by=ENTERPRISE_USER)


def test_an_enterprise_user_reports_only_for_its_own_enterprise() -> None:
    with pytest.raises(Forbidden):
        reported(major_report(), by=OTHER_ENTERPRISE_USER)


def test_an_inspector_reports_what_departments_find_not_self_inspections() -> None:
    with pytest.raises(Forbidden):
        reported(major_report(), by=INSPECTOR)
    assert reported(major_report(source=HazardSource.PUBLIC_REPORT), by=INSPECTOR).version == 1


@pytest.mark.parametrize("source", list(HazardSource))
def test_the_platform_pushes_hazards_of_any_source(source: HazardSource) -> None:
    assert reported(major_report(source=source), by=PLATFORM).version == 1


@pytest.mark.parametrize("nobody", [BUREAU, STRANGER, supervisor(ListingLevel.CITY)])
def test_readers_and_unknown_roles_report_nothing(nobody: Principal) -> None:
    with pytest.raises(Forbidden):
        reported(major_report(source=HazardSource.OTHER), by=nobody)


@pytest.mark.parametrize("outsider", [INSPECTOR, OTHER_ENTERPRISE_USER, PLATFORM, BUREAU])
def test_plan_and_rectification_are_the_enterprises_own_work(outsider: Principal) -> None:
    hazard = reported(general_report())
    with pytest.raises(Forbidden):
        hazard.set_plan(plan(), outsider, NOW)
    with pytest.raises(Forbidden):
        hazard.report_rectification(rectification(), outsider, NOW)
    assert hazard.version == 1


def test_a_supervisor_decides_only_listed_hazards() -> None:
    hazard = rectified_major()
    with pytest.raises(Forbidden):
        hazard.decide_acceptance(acceptance(), supervisor(ListingLevel.PROVINCE), NOW)


def test_the_enterprise_may_not_decide_another_enterprises_general_hazard() -> None:
    hazard = reported(general_report(rectify_immediately=True))
    with pytest.raises(Forbidden):
        hazard.decide_acceptance(acceptance(), OTHER_ENTERPRISE_USER, NOW)


def test_only_departments_reclassify() -> None:
    hazard = reported()
    cmd = Reclassify(level=HazardLevel.GENERAL, reason="复核为一般")
    with pytest.raises(Forbidden):
        hazard.reclassify(cmd, ENTERPRISE_USER, NOW)
    hazard.reclassify(cmd, INSPECTOR, NOW)
    assert (hazard.level, hazard.production_halt) == (HazardLevel.GENERAL, None)


def test_the_enterprise_voids_only_its_unhandled_general_self_reports() -> None:
    with pytest.raises(Forbidden):
        reported().void(Void(reason="不想要了"), ENTERPRISE_USER, NOW)
    handled = reported(general_report())
    handled.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    with pytest.raises(Forbidden):
        handled.void(Void(reason="录错"), ENTERPRISE_USER, NOW)
    fresh = reported(general_report())
    fresh.void(Void(reason="录错"), ENTERPRISE_USER, NOW)
    assert fresh.snapshot()["voided"] is True


def test_a_supervisor_does_not_void() -> None:
    with pytest.raises(Forbidden):
        reported().void(Void(reason="误报"), supervisor(ListingLevel.PROVINCE), NOW)


def test_execute_runs_any_command_and_says_whether_it_recorded() -> None:
    hazard = rectifying_major()
    after_deadline = NOW.replace(year=DEADLINE.year + 1)
    assert hazard.execute(MarkOverdue(), ADMIN, NOW) is False
    assert hazard.execute(MarkOverdue(), ADMIN, after_deadline) is True
    assert hazard.execute(rectification(completed_at=NOW - timedelta(hours=1)), ENTERPRISE_USER, NOW) is True
    assert hazard.execute(acceptance(decided_at=NOW), INSPECTOR, NOW) is True
    assert hazard.snapshot()["status"] == "closed"
