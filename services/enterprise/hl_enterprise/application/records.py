"""Reading an enterprise's spot inspections and enforcement actions back, from its own events.

They are facts of the enterprise aggregate (enterprise.inspected, enterprise.enforcement_recorded),
so the event stream is their record: no second copy to keep in step. A caller sees those of an
enterprise it may see (its region, or an enterprise user's own); others are "not found".
"""

from __future__ import annotations

from typing import Any

from hl_contracts import CloudEvent
from hl_contracts.enterprise import EnterpriseEnforcementRecorded, EnterpriseInspected
from hl_enterprise.domain.model import Enterprise
from hl_platform.cursors import decode_cursor, encode_cursor
from hl_platform.db import Database
from hl_platform.errors import InvalidInput, NotFound
from hl_platform.eventstore import EventStore
from hl_platform.identity import Caller

KINDS: dict[str, tuple[str, str]] = {  # what → (event type, the id field of its data)
    "inspections": (EnterpriseInspected.event_type, "inspection_id"),
    "enforcement-actions": (EnterpriseEnforcementRecorded.event_type, "action_id"),
}


async def recorded(
    db: Database, caller: Caller, enterprise_id: str, what: str, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the enterprise's inspections or enforcement actions, oldest first."""
    async with db.read() as conn:
        history = await EventStore().load(conn, enterprise_id)
    enterprise = Enterprise.replay(enterprise_id, history) if history else None
    if enterprise is None or not caller.sees(enterprise.region_code, enterprise.id):
        raise NotFound(f"no enterprise {enterprise_id}")
    event_type, id_field = KINDS[what]
    after = _position(cursor)
    matching = [event for event in history if event.type == event_type and event.sequence > after]
    page = matching[:limit]
    next_cursor = encode_cursor(str(page[-1].sequence)) if len(matching) > limit else None
    return [_public(event, id_field) for event in page], next_cursor


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
