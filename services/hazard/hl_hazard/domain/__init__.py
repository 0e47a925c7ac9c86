"""The hazard context's domain: the `Hazard` aggregate, its commands and who may issue them.

Pure: no I/O, no clock of its own (callers pass `now`), no framework.
"""

from hl_hazard.domain.commands import (
    Command,
    DecideAcceptance,
    Delist,
    Escalate,
    ExtendDeadline,
    MarkOverdue,
    Reclassify,
    ReportHazard,
    ReportRectification,
    SetPlan,
    Void,
)
from hl_hazard.domain.enterprise import EnterpriseSnapshot, EnterpriseStatus
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal, Role

__all__ = [
    "Command",
    "DecideAcceptance",
    "Delist",
    "EnterpriseSnapshot",
    "EnterpriseStatus",
    "Escalate",
    "ExtendDeadline",
    "Hazard",
    "MarkOverdue",
    "Principal",
    "Reclassify",
    "ReportHazard",
    "ReportRectification",
    "Role",
    "SetPlan",
    "Void",
]
