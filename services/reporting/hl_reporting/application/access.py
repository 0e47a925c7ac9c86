"""Who may read or submit a region's reports, and for which region.

A report is for a region: the caller's own unless it names one inside it. A region outside the
caller's is 403 (the region is a parameter, so refusing it leaks nothing); an unknown one is 422.
"""

from __future__ import annotations

from hl_contracts.roles import Permission, roles_for
from hl_platform.errors import Forbidden, InvalidInput
from hl_platform.identity import Caller
from hl_reporting.application.regions import RegionTree

READERS = roles_for(Permission.READ_REPORTS)
SUBMITTERS = roles_for(Permission.SUBMIT_REPORT)


def region_in_scope(
    caller: Caller, region_code: str | None, regions: RegionTree, allowed: frozenset[str] = READERS
) -> str:
    """The region asked for (default: the caller's, or the catalogue's one root), checked."""
    if caller.role not in allowed:
        raise Forbidden(f"a {caller.role} may not read regional reports")
    region = region_code or caller.region_code or _single_root(regions)
    if regions.get(region) is None:
        raise InvalidInput("region_code", f"unknown region code {region}")
    if not region.startswith(caller.region_code):
        raise Forbidden(f"region {region} is outside your region {caller.region_code or 'scope'}")
    return region


def _single_root(regions: RegionTree) -> str:
    roots = regions.children("")
    if len(roots) != 1:
        raise InvalidInput("region_code", "required: the catalogue has several top-level regions")
    return roots[0].code
