"""An enterprise's spot inspections and enforcement actions read back from its own events.

They are facts of the enterprise aggregate (enterprise.inspected, enterprise.enforcement_recorded),
so the event stream is their record: no second copy to keep in step. `EnterpriseService.recorded`
loads the history through the unit of work and checks the caller's scope; this pages it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hl_contracts import CloudEvent
from hl_contracts.enterprise import EnterpriseEnforcementRecorded, EnterpriseInspected
from hl_platform.cursors import decode_cursor, encode_cursor
from hl_platform.errors import InvalidInput

RecordKind = Literal["inspections", "enforcement-actions"]
KINDS: dict[str, tuple[str, str]] = {  # kind → (event type, the id field of its data)
    "inspections": (EnterpriseInspected.event_type, "inspection_id"),
    "enforcement-actions": (EnterpriseEnforcementRecorded.event_type, "action_id"),
}


@dataclass(frozen=True)
class RecordPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def records_page(history: list[CloudEvent], kind: RecordKind, cursor: str | None, limit: int) -> RecordPage:
    event_type, id_field = KINDS[kind]
    after = _position(cursor)
    matching = [event for event in history if event.type == event_type and event.sequence > after]
    page = matching[:limit]
    next_cursor = encode_cursor(str(page[-1].sequence)) if len(matching) > limit else None
    return RecordPage([_public(event, id_field) for event in page], next_cursor)


def _position(cursor: str | None) -> int:
    if cursor is None:
        return 0
    position = decode_cursor(cursor)
    if not position.isdigit():
        raise InvalidInput("cursor", "not a cursor this API returned")
    return int(position)


def _public(event: CloudEvent, id_field: str) -> dict[str, Any]:
    data = event.payload().model_dump(mode="json")
    return {
        "id": data.pop(id_field),
        "enterprise_id": event.subject,
        **data,
        "recorded_at": event.recordedtime,
        "recorded_by": event.actor.model_dump(),
    }
