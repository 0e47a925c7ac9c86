"""Who may do what to a hazard (DOMAIN.md "Actors", rules 5 and 6). Every refusal is `Forbidden`.

The gateway has already checked that the hazard lies inside the caller's region; these policies
check what the region cannot tell: the caller's role, its level (county < city < province) and,
for an enterprise user, that the hazard belongs to its own enterprise. An admin may do anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hl_contracts import Actor
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ListingLevel
from hl_platform.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    PLATFORM = "platform"  # the provincial platform, a machine client
    SUPERVISOR = "supervisor"  # a government at a level
    INSPECTOR = "inspector"  # a supervising department
    ENTERPRISE = "enterprise"  # a user of one enterprise
    BUREAU = "bureau"  # another bureau: reads the event stream, writes nothing
    SYSTEM = "system"  # the service itself (the overdue scan)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The caller as the domain sees it: the actor recorded on events, and the scope it acts in."""

    actor: Actor
    level: ListingLevel | None = None
    region_code: str = ""
    enterprise_id: str | None = None

    @classmethod
    def system(cls, service: str = "hazard") -> Principal:
        return cls(actor=Actor.system(service))

    @property
    def role(self) -> Role | None:
        """The known role, or None for a role this build does not know (it may do nothing)."""
        try:
            return Role(self.actor.role)
        except ValueError:
            return None

    def holds(self, level: ListingLevel) -> bool:
        """Whether the caller's level is `level` or higher."""
        return self.level is not None and self.level.rank >= level.rank


@dataclass(frozen=True, kw_only=True)
class HazardFacts:
    """What a policy needs to know about the hazard it guards."""

    enterprise_id: str
    source: HazardSource
    level: HazardLevel
    status: HazardStatus
    listing: ListingLevel | None


def may_report(principal: Principal, source: HazardSource, enterprise_id: str) -> None:
    """Enterprises report their own self-inspections; departments report what they find."""
    role = principal.role
    if role in (Role.ADMIN, Role.PLATFORM):
        return
    if role is Role.ENTERPRISE:
        require_own(principal, enterprise_id)
        if source != HazardSource.SELF_INSPECTION:
            raise Forbidden("an enterprise user reports only hazards found by its own self-inspection")
    elif role is Role.INSPECTOR:
        if source == HazardSource.SELF_INSPECTION:
            raise Forbidden("a self-inspection hazard is reported by the enterprise itself")
    else:
        raise _refused(principal, "report hazards")


def may_rectify(principal: Principal, hazard: HazardFacts, doing: str) -> None:
    """The plan and the rectification are the enterprise's own work (主体责任)."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is not Role.ENTERPRISE:
        raise _refused(principal, doing)
    require_own(principal, hazard.enterprise_id)


def may_decide(principal: Principal, hazard: HazardFacts) -> None:
    """Rule 5: majors are closed by a department reviewer; listed ones at the listing level or above."""
    role = principal.role
    if role is Role.ADMIN:
        return
    if role is Role.ENTERPRISE:
        require_own(principal, hazard.enterprise_id)
        if hazard.level == HazardLevel.MAJOR:
            raise Forbidden("a major hazard is accepted by a department reviewer, never by the enterprise")
    elif role is Role.SUPERVISOR and hazard.listing is None:
        raise Forbidden("a supervisor decides acceptance only of hazards listed for supervision")
    elif role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise _refused(principal, "decide acceptance")
    _require_listing_level(principal, hazard.listing, "decide its acceptance")


def may_escalate(principal: Principal, level: ListingLevel) -> None:
    """Rule 6: a supervisor lists hazards at its own level."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is not Role.SUPERVISOR:
        raise _refused(principal, "list hazards for supervision")
    if principal.level != level:
        held = principal.level or "level-less"
        raise Forbidden(f"a {held} supervisor lists hazards at its own level, not at {level} level")


def may_delist(principal: Principal, hazard: HazardFacts) -> None:
    """Rule 6: delisting is for a supervisor of the listing level or higher."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is not Role.SUPERVISOR:
        raise _refused(principal, "delist hazards")
    _require_listing_level(principal, hazard.listing, "delist it")


def may_extend(principal: Principal, hazard: HazardFacts) -> None:
    """Extensions are approved by an authority; a listed hazard's by one of the listing level or higher."""
    if principal.role is Role.ADMIN:
        return
    if principal.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise _refused(principal, "approve deadline extensions")
    _require_listing_level(principal, hazard.listing, "extend its deadline")


def may_reclassify(principal: Principal) -> None:
    """Judging a hazard's level against the 判定标准 is the departments' work."""
    if principal.role not in (Role.ADMIN, Role.INSPECTOR):
        raise _refused(principal, "reclassify hazards")


def may_void(principal: Principal, hazard: HazardFacts) -> None:
    """Departments void hazards; an enterprise only its own general self-report nobody acted on yet.

    The enterprise may not void a major hazard: that would hide it from the supervisors.
    """
    role = principal.role
    if role is Role.ADMIN:
        return
    if role is Role.ENTERPRISE:
        require_own(principal, hazard.enterprise_id)
        if not _is_fresh_general_self_report(hazard):
            raise Forbidden("an enterprise user may void only its own general self-reports still unhandled")
    elif role is not Role.INSPECTOR:
        raise _refused(principal, "void hazards")
    _require_listing_level(principal, hazard.listing, "void it")


def may_mark_overdue(principal: Principal) -> None:
    """Rule 7: overdue is recorded by the system, not by whoever opens the record."""
    if principal.role not in (Role.SYSTEM, Role.ADMIN):
        raise _refused(principal, "mark hazards overdue")


def may_remind(principal: Principal) -> None:
    """Reminders, like overdue, come from the clock: the system records them, no caller does."""
    may_mark_overdue(principal)


def _is_fresh_general_self_report(hazard: HazardFacts) -> bool:
    return (
        hazard.level == HazardLevel.GENERAL
        and hazard.source == HazardSource.SELF_INSPECTION
        and hazard.status == HazardStatus.REPORTED
    )


def require_own(principal: Principal, enterprise_id: str) -> None:
    if principal.enterprise_id != enterprise_id:
        raise Forbidden("an enterprise user acts only on its own enterprise's hazards")


def _require_listing_level(principal: Principal, listing: ListingLevel | None, doing: str) -> None:
    if listing is not None and not principal.holds(listing):
        needed = f"a {listing}-level authority or higher"
        raise Forbidden(f"the hazard is listed at {listing} level; only {needed} may {doing}")


def _refused(principal: Principal, doing: str) -> Forbidden:
    return Forbidden(f"the role {principal.actor.role!r} may not {doing}")
