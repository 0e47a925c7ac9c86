"""Value types of the public contract that plain pydantic types would take too loosely.

- Business times and dates lie in a plausible range (`EARLIEST` to `LATEST`). A time outside it
  is a typing error, and without the bound a year-1 time with a +14:00 offset has no UTC
  equivalent at all (converting it overflows). Whether a fact lies in the future (DOMAIN.md rule
  9) is the service's rule, decided with its own clock; the range here only keeps out nonsense.
- Booleans are `true` or `false`: in a body, JSON booleans only (not `"yes"`, `"true"` or `1`);
  in a query string, the words `true` and `false` only (not `yes`, `on` or `1`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StrictBool

EARLIEST: Final = date(2000, 1, 1)
LATEST: Final = date(2100, 12, 31)
_EARLIEST_TIME: Final = datetime(EARLIEST.year, EARLIEST.month, EARLIEST.day, tzinfo=UTC)
_AFTER_LATEST_TIME: Final = datetime(LATEST.year + 1, 1, 1, tzinfo=UTC)
RANGE_TEXT: Final = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def plausible_time(value: datetime) -> datetime:
    """`value` if it lies in the range; the year is checked first, so nothing overflows."""
    if not EARLIEST.year <= value.year <= LATEST.year or not _EARLIEST_TIME <= value < _AFTER_LATEST_TIME:
        raise ValueError(f"must lie {RANGE_TEXT} (UTC)")
    return value


def plausible_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie {RANGE_TEXT}")
    return value


def query_bool(value: Any) -> Any:
    """A query string's boolean: exactly `true` or `false`."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


BusinessTime = Annotated[AwareDatetime, AfterValidator(plausible_time)]
BusinessDate = Annotated[date, AfterValidator(plausible_date)]
Bool = StrictBool
QueryBool = Annotated[bool, BeforeValidator(query_bool)]
