"""Who may call what (DOMAIN.md "Actors"), and the region a caller may ask about.

The table below is the whole of the gateway's role check: one row per operation, naming the roles
allowed to call it. The services then apply the finer rules a role cannot tell (the caller's
level, its own enterprise, the hazard's state) and scope every read to the caller's region, so a
record outside it is "not found". A region given as a *parameter* (reports, the event feed) is
checked here: outside the caller's region is 403, omitted means the caller's own region.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from hl_gateway.domain.errors import OutsideRegion, RoleNotPermitted
from hl_platform.caller import Caller

ROLES: Final = ("admin", "platform", "supervisor", "inspector", "enterprise", "bureau")


class Operation(StrEnum):
    REGISTER_ENTERPRISE = "register enterprises"
    READ_ENTERPRISES = "read enterprises"
    UPDATE_ENTERPRISE = "change enterprises"
    RECORD_INSPECTION = "record spot inspections"
    RECORD_ENFORCEMENT = "record enforcement actions"
    REPORT_HAZARD = "report hazards"
    READ_HAZARDS = "read hazards"
    SET_PLAN = "set rectification plans"
    REPORT_RECTIFICATION = "report rectifications"
    DECIDE_ACCEPTANCE = "accept or reject rectifications"
    ESCALATE = "list hazards for supervision"
    DELIST = "delist hazards"
    EXTEND_DEADLINE = "extend deadlines"
    RECLASSIFY = "reclassify hazards"
    VOID = "void hazards"
    ADD_EVIDENCE = "add or withdraw evidence"
    RECEIVE_LISTING = "sign for listing notices"
    READ_REPORTS = "read reports"
    SUBMIT_REPORT = "submit monthly reports"
    READ_EVENTS = "read the event feed"
    MANAGE_WEBHOOKS = "subscribe webhooks"
    MANAGE_KEYS = "manage API keys"
    READ_CATALOGUES = "read the catalogues"
    READ_TIPS = "read tips"
    HANDLE_TIPS = "handle tips"
    READ_TIP_IDENTITY = "read a tipster's identity"
    APPROVE_TIP_REWARDS = "approve tip rewards"
    PAY_TIP_REWARDS = "record tip reward payments"


def _roles(names: str) -> frozenset[str]:
    roles = frozenset(names.split())
    assert roles <= set(ROLES), roles - set(ROLES)
    return roles


EVERYONE_BUT_BUREAU = "admin platform supervisor inspector enterprise"

PERMISSIONS: Final[Mapping[Operation, frozenset[str]]] = {
    # enterprises (生产经营单位)
    Operation.REGISTER_ENTERPRISE: _roles("admin platform supervisor inspector"),
    Operation.READ_ENTERPRISES: _roles(EVERYONE_BUT_BUREAU),
    Operation.UPDATE_ENTERPRISE: _roles("admin platform supervisor inspector"),
    Operation.RECORD_INSPECTION: _roles("admin inspector"),
    Operation.RECORD_ENFORCEMENT: _roles("admin inspector"),
    # hazards (事故隐患)
    Operation.REPORT_HAZARD: _roles("admin platform inspector enterprise"),
    Operation.READ_HAZARDS: _roles(EVERYONE_BUT_BUREAU),
    Operation.SET_PLAN: _roles("admin enterprise"),
    Operation.REPORT_RECTIFICATION: _roles("admin enterprise"),
    Operation.DECIDE_ACCEPTANCE: _roles("admin supervisor inspector enterprise"),
    Operation.ESCALATE: _roles("admin supervisor"),
    Operation.DELIST: _roles("admin supervisor"),
    Operation.EXTEND_DEADLINE: _roles("admin supervisor inspector"),
    Operation.RECLASSIFY: _roles("admin inspector"),
    Operation.VOID: _roles("admin inspector enterprise"),
    Operation.ADD_EVIDENCE: _roles(EVERYONE_BUT_BUREAU),  # the hazard service checks the step
    Operation.RECEIVE_LISTING: _roles("admin enterprise"),
    # reports (调度表, 挂牌督办清单) and the public event log
    Operation.READ_REPORTS: _roles("admin platform supervisor inspector bureau"),
    Operation.SUBMIT_REPORT: _roles("admin supervisor"),
    Operation.READ_EVENTS: _roles("admin platform supervisor inspector bureau"),
    Operation.MANAGE_WEBHOOKS: _roles("admin platform supervisor inspector bureau"),  # the feed, pushed
    # identities and catalogues
    Operation.MANAGE_KEYS: _roles("admin"),
    Operation.READ_CATALOGUES: _roles("admin platform supervisor inspector enterprise bureau"),
    # tips from the public (有奖举报): never an enterprise's, nor the platform's or a bureau's to read
    Operation.READ_TIPS: _roles("admin supervisor inspector"),
    Operation.HANDLE_TIPS: _roles("admin inspector"),
    Operation.READ_TIP_IDENTITY: _roles("inspector"),
    Operation.APPROVE_TIP_REWARDS: _roles("admin supervisor"),
    Operation.PAY_TIP_REWARDS: _roles("admin supervisor inspector"),
}


def authorize(caller: Caller, operation: Operation) -> Caller:
    """The caller, if its role may perform `operation`; `RoleNotPermitted` otherwise."""
    if caller.role not in PERMISSIONS[operation]:
        raise RoleNotPermitted(caller.role, operation.value)
    return caller


def within(scope: str, region_code: str) -> bool:
    """Whether `region_code` lies in the region `scope` ("" is the whole country)."""
    return region_code.startswith(scope)


def region_for(caller: Caller, requested: str | None) -> str:
    """The region a report or feed covers: the one asked for, if inside the caller's; else 403."""
    if not requested:
        return caller.region_code
    if not within(caller.region_code, requested):
        raise OutsideRegion(requested, caller.region_code or "(none)")
    return requested
