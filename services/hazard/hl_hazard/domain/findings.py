"""How a report becomes a hazard's first events (rules 1–3), and what each level must state."""

from __future__ import annotations

from datetime import datetime

from hl_contracts.hazard import HazardFound, HazardRectified
from hl_contracts.vocabulary import HazardLevel, ProductionHalt
from hl_hazard.domain.commands import ReportHazard
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.inputs import deadline_from
from hl_platform.errors import InvalidInput
from hl_platform.inputs import build, business_time


def first_events(
    cmd: ReportHazard, enterprise: EnterpriseSnapshot, now: datetime
) -> tuple[HazardFound, HazardRectified | None]:
    """The hazard.found of a report and, for 即查即改, its hazard.rectified; both validated."""
    found = _found(cmd, enterprise, now)
    return found, _immediate_fix(cmd, found)


def require_level_details(level: HazardLevel, halt: ProductionHalt | None, clause: str | None) -> None:
    """Rules 1 and 3: a major hazard says whether production stopped and may cite its 判定标准 clause."""
    if level == HazardLevel.MAJOR:
        if halt is None:
            raise InvalidInput("production_halt", "is required for a major hazard: none, partial or full")
        return
    if clause is not None:
        raise InvalidInput("standard_clause", "only a major hazard cites a 判定标准 clause")
    if halt not in (None, ProductionHalt.NONE):
        raise InvalidInput("production_halt", "a general hazard does not stop production")


def _found(cmd: ReportHazard, enterprise: EnterpriseSnapshot, now: datetime) -> HazardFound:
    found_at = business_time("found_at", cmd.found_at, now)
    found = build(
        HazardFound,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        source=cmd.source,
        level=cmd.level,
        title=cmd.title,
        description=cmd.description,
        found_at=found_at,
        found_by=cmd.found_by,
        deadline=cmd.deadline,
        production_halt=cmd.production_halt,
        standard_clause=cmd.standard_clause,
    )
    require_level_details(found.level, found.production_halt, found.standard_clause)
    if found.deadline is not None:
        deadline_from("deadline", found.deadline, found_at)
    return found


def _immediate_fix(cmd: ReportHazard, found: HazardFound) -> HazardRectified | None:
    # 即查即改 is found and rectified in one step, so both events share the found time.
    if not cmd.rectify_immediately:
        return None
    if found.level != HazardLevel.GENERAL:
        reason = "only a general hazard may be rectified immediately; a major one needs a 五到位 plan"
        raise InvalidInput("rectify_immediately", reason)
    return build(HazardRectified, completed_at=found.found_at, immediate=True)
