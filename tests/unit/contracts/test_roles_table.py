"""One role and permission table (hl_contracts.roles): every layer that names roles reads it, or
is checked against it here, so that a role or a permission cannot drift between layers."""

from __future__ import annotations

from typing import Literal, get_args

from hl_api.keys import ApiKeyCreate
from hl_contracts.roles import PERMISSIONS, ROLES, Permission, PublicRole, may, roles_for
from hl_enterprise.application import service as enterprise_service
from hl_gateway.domain import access, credentials
from hl_gateway.entrypoints.console.views import ROLE_LABELS
from hl_hazard.domain.policies import Role as HazardRole
from hl_platform.caller import Caller
from hl_platform.errors import Forbidden
from hl_platform.identity import Role
from hl_reporting.entrypoints import deps as reporting_deps
from hl_stack import operations
from hl_tips.application import handling as tips_handling
from hl_tips.domain import policies as tips_policies
from hl_webhooks.application import subscriptions


def test_every_permission_has_roles_and_only_known_ones() -> None:
    assert set(PERMISSIONS) == set(Permission)
    for permission, roles in PERMISSIONS.items():
        assert roles and roles <= set(ROLES), permission
    assert may("admin", Permission.MANAGE_KEYS) and not may("bureau", Permission.REPORT_HAZARD)


def test_the_role_types_are_the_table_s_roles() -> None:
    assert get_args(PublicRole) == ROLES
    assert get_args(Role) == (PublicRole, Literal["system"])  # the caller's role: the table's, or the system
    assert credentials.PublicRole is PublicRole
    assert ApiKeyCreate.model_json_schema()["properties"]["role"]["enum"] == list(ROLES)
    assert tuple(operations.ROLES) == ROLES  # the CLI's `keys create --role` choices
    assert {role.value for role in HazardRole} - {"system"} == set(ROLES)


def test_the_gateway_checks_the_table_itself() -> None:
    assert access.PERMISSIONS is PERMISSIONS and access.Operation is Permission


def test_the_services_apply_the_same_roles_as_the_gateway() -> None:
    assert reporting_deps.READERS == roles_for(Permission.READ_REPORTS)
    assert reporting_deps.SUBMITTERS == roles_for(Permission.SUBMIT_REPORT)
    assert set(subscriptions.SUBSCRIBERS) == roles_for(Permission.MANAGE_WEBHOOKS)
    assert tips_handling.OFFICERS == roles_for(Permission.READ_TIPS)
    assert tips_policies.HANDLERS == roles_for(Permission.HANDLE_TIPS)
    assert tips_policies.APPROVERS == roles_for(Permission.APPROVE_TIP_REWARDS)
    assert tips_policies.PAYERS == roles_for(Permission.PAY_TIP_REWARDS)
    enterprise_permissions = [p for p in Permission if p.name.endswith(("ENTERPRISE", "INSPECTION", "ENFORCEMENT"))]
    for permission in enterprise_permissions:
        for role in ROLES:
            caller = Caller(
                id="k", name="测试", role=role, region_code="37", enterprise_id="e" if role == "enterprise" else None
            )
            try:
                enterprise_service.require(caller, permission)
                allowed = True
            except Forbidden:
                allowed = False
            assert allowed == (role in roles_for(permission)), (role, permission)


def test_the_console_names_every_role_that_may_sign_in() -> None:
    assert set(ROLE_LABELS) == roles_for(Permission.READ_REPORTS)
