"""Who may do what (DOMAIN.md "Actors"): the one table of roles and permissions every layer reads.

The gateway checks a caller's role against it before forwarding (`hl_gateway.domain.access`); the
services apply it again, with the finer rules a role cannot tell (the caller's level, its own
enterprise, the record's state, its region); API keys and tokens may carry only these roles. A
role outside `ROLES` (the system's own, `system`) is never given to a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final, Literal, get_args

PublicRole = Literal["admin", "platform", "supervisor", "inspector", "enterprise", "bureau"]
ROLES: Final[tuple[PublicRole, ...]] = get_args(PublicRole)


class Permission(StrEnum):
    """What a caller may be allowed to do; the value is how a refusal names it."""

    REGISTER_ENTERPRISE = "register enterprises"
    READ_ENTERPRISES = "read enterprises"
    UPDATE_ENTERPRISE = "change enterprises"
    CLOSE_ENTERPRISE = "close enterprises"
    BLACKLIST_ENTERPRISE = "change the credit blacklist"
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
REGISTRARS = "admin platform supervisor inspector"  # keep the register: governments and departments

PERMISSIONS: Final[Mapping[Permission, frozenset[str]]] = {
    # enterprises (生产经营单位)
    Permission.REGISTER_ENTERPRISE: _roles(REGISTRARS),
    Permission.READ_ENTERPRISES: _roles(EVERYONE_BUT_BUREAU),
    Permission.UPDATE_ENTERPRISE: _roles(REGISTRARS),
    Permission.CLOSE_ENTERPRISE: _roles(REGISTRARS),
    Permission.BLACKLIST_ENTERPRISE: _roles(REGISTRARS),
    Permission.RECORD_INSPECTION: _roles("admin inspector"),
    Permission.RECORD_ENFORCEMENT: _roles("admin inspector"),
    # hazards (事故隐患)
    Permission.REPORT_HAZARD: _roles("admin platform inspector enterprise"),
    Permission.READ_HAZARDS: _roles(EVERYONE_BUT_BUREAU),
    Permission.SET_PLAN: _roles("admin enterprise"),
    Permission.REPORT_RECTIFICATION: _roles("admin enterprise"),
    Permission.DECIDE_ACCEPTANCE: _roles("admin supervisor inspector enterprise"),
    Permission.ESCALATE: _roles("admin supervisor"),
    Permission.DELIST: _roles("admin supervisor"),
    Permission.EXTEND_DEADLINE: _roles("admin supervisor inspector"),
    Permission.RECLASSIFY: _roles("admin inspector"),
    Permission.VOID: _roles("admin inspector enterprise"),
    Permission.ADD_EVIDENCE: _roles(EVERYONE_BUT_BUREAU),  # the hazard service checks the step
    Permission.RECEIVE_LISTING: _roles("admin enterprise"),
    # reports (调度表, 挂牌督办清单) and the public event log
    Permission.READ_REPORTS: _roles("admin platform supervisor inspector bureau"),
    Permission.SUBMIT_REPORT: _roles("admin supervisor"),
    Permission.READ_EVENTS: _roles("admin platform supervisor inspector bureau"),
    Permission.MANAGE_WEBHOOKS: _roles("admin platform supervisor inspector bureau"),  # the feed, pushed
    # identities and catalogues
    Permission.MANAGE_KEYS: _roles("admin"),
    Permission.READ_CATALOGUES: _roles("admin platform supervisor inspector enterprise bureau"),
    # tips from the public (有奖举报): never an enterprise's, nor the platform's or a bureau's to read
    Permission.READ_TIPS: _roles("admin supervisor inspector"),
    Permission.HANDLE_TIPS: _roles("admin inspector"),
    Permission.READ_TIP_IDENTITY: _roles("inspector"),
    Permission.APPROVE_TIP_REWARDS: _roles("admin supervisor"),
    Permission.PAY_TIP_REWARDS: _roles("admin supervisor inspector"),
}


def roles_for(permission: Permission) -> frozenset[str]:
    """The roles that hold `permission`."""
    return PERMISSIONS[permission]


def may(role: str, permission: Permission) -> bool:
    """Whether a caller of `role` holds `permission` (the finer rules are the services')."""
    return role in PERMISSIONS[permission]
