"""The hazard's own input check; the ones every context makes are `hl_platform.inputs`."""

from __future__ import annotations

from datetime import date, datetime

from hl_platform.clock import local_date
from hl_platform.errors import InvalidInput


def deadline_from(field: str, deadline: date, found_at: datetime) -> None:
    """A deadline cannot fall before the day the hazard was found."""
    found_on = local_date(found_at)
    if deadline < found_on:
        raise InvalidInput(field, f"is before the day the hazard was found ({found_on.isoformat()})")
