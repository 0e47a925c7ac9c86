"""Checks of a command's input that every context makes; each refusal is `InvalidInput` naming
the field. Pure: the domains import it.

Field shapes (lengths, amounts ≥ 0, enum values) are the contract's: a domain builds its event from
the input through `build`, so those rules are written once, in `hl_contracts`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from hl_contracts import EventData
from hl_platform.clock import local_date, utc
from hl_platform.errors import InvalidInput

E = TypeVar("E", bound=EventData)


def build(event: type[E], **values: Any) -> E:
    """The contract event for `values`, or `InvalidInput` for the first field it refuses."""
    try:
        return event.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or event.event_type
        raise InvalidInput(field, error["msg"]) from None


def business_time(field: str, value: datetime, now: datetime) -> datetime:
    """Rule 9: an aware time not in the future, returned in UTC (how times are stored)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "must carry a UTC offset (RFC 3339)")
    if value > utc(now):
        raise InvalidInput(field, f"is in the future: {value.isoformat()} is after {now.isoformat()}")
    return value.astimezone(UTC)


def not_before(field: str, value: datetime, earlier_field: str, earlier: datetime) -> None:
    """A fact cannot precede the fact it follows (a fix before the hazard was found, a verification
    before the filing)."""
    if value < earlier:
        raise InvalidInput(field, f"is before {earlier_field} ({earlier.isoformat()})")


def past_day(field: str, value: date, now: datetime) -> date:
    """A calendar day that is not after today (Asia/Shanghai)."""
    if value > local_date(now):
        raise InvalidInput(field, f"is in the future: {value.isoformat()} is after {local_date(now).isoformat()}")
    return value
