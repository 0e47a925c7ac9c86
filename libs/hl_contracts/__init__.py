"""The public event contract of Hazard Ledger.

Other bureaus build on these types: a type's fields are only ever added (with a new version and
an upcaster for the old one), never changed in place.
"""

from hl_contracts import enterprise, evidence, hazard, reminders, tips  # the imports register the event types
from hl_contracts.envelope import Actor, CloudEvent
from hl_contracts.registry import REGISTRY, EventData, EventRegistry, UnknownEventType
from hl_contracts.subjects import subject_filter, subject_for

__all__ = [
    "REGISTRY",
    "Actor",
    "CloudEvent",
    "EventData",
    "EventRegistry",
    "UnknownEventType",
    "enterprise",
    "evidence",
    "hazard",
    "reminders",
    "subject_filter",
    "subject_for",
    "tips",
]
