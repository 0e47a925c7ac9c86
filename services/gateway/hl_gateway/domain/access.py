"""Who may call what (DOMAIN.md "Actors"), and the region a caller may ask about.

The role and permission table (`hl_contracts.roles`, read by every layer) is the whole of the
gateway's role check: one row per permission, naming the roles allowed to call it. The services
then apply the finer rules a role cannot tell (the caller's level, its own enterprise, the
hazard's state) and scope every read to the caller's region, so a record outside it is "not
found". A region given as a *parameter* (reports, the event feed) is
checked here: outside the caller's region is 403, omitted means the caller's own region.
"""

from __future__ import annotations

from hl_contracts.roles import PERMISSIONS, ROLES, Permission
from hl_gateway.domain.errors import OutsideRegion, RoleNotPermitted
from hl_platform.caller import Caller

# One table for every layer (hl_contracts.roles); the gateway's name for a permission is Operation.
Operation = Permission
__all__ = ["PERMISSIONS", "ROLES", "Operation", "authorize", "region_for", "within"]


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
