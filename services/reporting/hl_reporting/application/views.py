"""A submission (报送) as the handlers and the stores hand it on: the frozen table and who signed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hl_contracts import Actor
from hl_reporting.domain.report import ComputedTable, Signoff


@dataclass(frozen=True)
class Submission:
    id: str
    table: ComputedTable  # the figures as frozen at submission
    cutoff_day: int
    signoff: Signoff
    submitted_at: datetime
    submitted_by: Actor
