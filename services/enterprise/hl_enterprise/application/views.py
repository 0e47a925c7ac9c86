"""What the enterprise handlers answer: an enterprise's record, and a recorded inspection or action."""

from __future__ import annotations

from typing import Any, NamedTuple

from hl_enterprise.domain.model import Enterprise


class EnterprisePage(NamedTuple):
    """Enterprise records in id order, and the cursor of the next page (None: the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def enterprise_view(enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise's record (JSON-ready), as served and as kept in its directory row."""
    return {
        **enterprise.details,
        "id": enterprise.id,
        "version": enterprise.version,
        "status": "closed" if enterprise.is_closed else "active",
        "blacklisted": enterprise.is_blacklisted,
    }


def recorded_view(recorded_id: str, enterprise: Enterprise) -> dict[str, Any]:
    """A recorded inspection or enforcement action (`RecordedAction`): its id, the enterprise's version."""
    return {"id": recorded_id, "enterprise_id": enterprise.id, "version": enterprise.version}
