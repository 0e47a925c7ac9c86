"""The authorisation table, row by row, and the region a report or feed may cover."""

from __future__ import annotations

import pytest

from hl_gateway.domain.access import PERMISSIONS, ROLES, Operation, authorize, region_for
from hl_gateway.domain.errors import OutsideRegion, RoleNotPermitted
from hl_platform.identity import Caller

Op = Operation
# The expected table, written out independently of the implementation: role initials that may.
#   a=admin p=platform s=supervisor i=inspector e=enterprise b=bureau
EXPECTED = {
    Op.REGISTER_ENTERPRISE: "apsi",
    Op.READ_ENTERPRISES: "apsie",
    Op.UPDATE_ENTERPRISE: "apsi",
    Op.CLOSE_ENTERPRISE: "apsi",
    Op.BLACKLIST_ENTERPRISE: "apsi",
    Op.RECORD_INSPECTION: "ai",
    Op.RECORD_ENFORCEMENT: "ai",
    Op.REPORT_HAZARD: "apie",
    Op.READ_HAZARDS: "apsie",
    Op.SET_PLAN: "ae",
    Op.REPORT_RECTIFICATION: "ae",
    Op.DECIDE_ACCEPTANCE: "asie",
    Op.ESCALATE: "as",
    Op.DELIST: "as",
    Op.EXTEND_DEADLINE: "asi",
    Op.RECLASSIFY: "ai",
    Op.VOID: "aie",
    Op.ADD_EVIDENCE: "apsie",
    Op.RECEIVE_LISTING: "ae",
    Op.READ_REPORTS: "apsib",
    Op.SUBMIT_REPORT: "as",
    Op.READ_EVENTS: "apsib",
    Op.MANAGE_WEBHOOKS: "apsib",
    Op.MANAGE_KEYS: "a",
    Op.READ_CATALOGUES: "apsieb",
    Op.READ_TIPS: "asi",  # never an enterprise's (the one reported on), nor a machine's or a bureau's
    Op.HANDLE_TIPS: "ai",
    Op.READ_TIP_IDENTITY: "i",  # the handling officer only; the tips service checks it is the handler
    Op.APPROVE_TIP_REWARDS: "as",
    Op.PAY_TIP_REWARDS: "asi",
}


def caller(role: str, region: str = "3710") -> Caller:
    return Caller(id=f"u-{role}", name=role, role=role, region_code=region)


def test_every_operation_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Operation) == set(EXPECTED)


@pytest.mark.parametrize("operation", list(Operation))
@pytest.mark.parametrize("role", ROLES)
def test_role_by_operation(operation: Operation, role: str) -> None:
    if role[0] in EXPECTED[operation]:
        assert authorize(caller(role), operation).role == role
    else:
        with pytest.raises(RoleNotPermitted) as refused:
            authorize(caller(role), operation)
        assert refused.value.status == 403 and operation.value in refused.value.detail


def test_the_bureau_writes_nothing_and_reads_only_the_log_reports_and_catalogues() -> None:
    bureau = {op for op, roles in PERMISSIONS.items() if "bureau" in roles}
    # A webhook subscription is the log pushed to the bureau: it records no fact.
    assert bureau == {Op.READ_EVENTS, Op.MANAGE_WEBHOOKS, Op.READ_REPORTS, Op.READ_CATALOGUES}


def test_the_system_role_is_never_granted_through_the_gateway() -> None:
    assert all("system" not in roles for roles in PERMISSIONS.values())
    with pytest.raises(RoleNotPermitted):
        authorize(caller("system"), Op.READ_HAZARDS)


@pytest.mark.parametrize(
    ("scope", "requested", "covered"),
    [
        ("3710", None, "3710"),
        ("3710", "", "3710"),
        ("3710", "371002", "371002"),
        ("3710", "3710", "3710"),
        ("", "37", "37"),
        ("", None, ""),
    ],
)
def test_a_report_covers_the_region_asked_for_inside_the_callers(
    scope: str, requested: str | None, covered: str
) -> None:
    assert region_for(caller("supervisor", scope), requested) == covered


@pytest.mark.parametrize("requested", ["37", "3701", "44", "371"])
def test_a_report_outside_the_callers_region_is_forbidden(requested: str) -> None:
    with pytest.raises(OutsideRegion) as refused:
        region_for(caller("supervisor", "3710"), requested)
    assert refused.value.status == 403
