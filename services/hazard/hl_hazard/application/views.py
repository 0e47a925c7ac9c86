"""What the hazard handlers answer besides a hazard's record: its history and a page of the ledger."""

from __future__ import annotations

from typing import Any, NamedTuple

from hl_api.hazards import HistoryEntry
from hl_contracts import CloudEvent


class HazardPage(NamedTuple):
    """Hazards (their records), newest first, and the cursor of the next page (None: the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def history_entry(event: CloudEvent) -> HistoryEntry:
    """One event of the audit trail as the history route serves it."""
    return HistoryEntry.model_validate(
        {
            "version": event.sequence,
            "event_id": event.id,
            "type": event.type,
            "occurred_at": event.time,
            "recorded_at": event.recordedtime,
            "actor": event.actor.model_dump(),
            "data": event.data,
        }
    )
