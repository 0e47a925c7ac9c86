"""Registry of event types, their versions and the upcasters between versions.

Every contract event is a pydantic model with a dotted `event_type` ("hazard.found") and an integer
`event_version`. Stored events are never rewritten: an event written at version 1 is upcast to the
current version each time it is read (eventsourcing's `upcast_v1_v2` idea).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

from hl_contracts.text import reject_nul

SCHEMA_URN = "urn:hazard-ledger:schema:{event_type}:v{version}"

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound="EventData")


class UnknownEventType(LookupError):
    """An event type (or version) that this build does not know."""


class EventData(BaseModel):
    """The `data` of one contract event. Subclasses set `event_type` and `event_version`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)

    @classmethod
    def context(cls) -> str:
        return cls.event_type.split(".", 1)[0]

    @classmethod
    def schema_uri(cls) -> str:
        return SCHEMA_URN.format(event_type=cls.event_type, version=cls.event_version)


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[EventData]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[E]) -> type[E]:
        """Class decorator: make `cls` the current version of its event type."""
        if cls.event_type in self._types and self._types[cls.event_type] is not cls:
            raise ValueError(f"event type {cls.event_type!r} registered twice")
        self._types[cls.event_type] = cls
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: a function turning version `from_version` data into `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def model(self, event_type: str) -> type[EventData]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def types(self) -> dict[str, type[EventData]]:
        return dict(sorted(self._types.items()))

    def parse(self, event_type: str, version: int, data: dict[str, Any]) -> EventData:
        """Upcast `data` from `version` to the current version and validate it."""
        model = self.model(event_type)
        if version > model.event_version:
            raise UnknownEventType(f"{event_type} v{version} is newer than this build (v{model.event_version})")
        while version < model.event_version:
            try:
                data = self._upcasters[(event_type, version)](dict(data))
            except KeyError:
                raise UnknownEventType(f"no upcaster for {event_type} v{version}") from None
            version += 1
        return model.model_validate(data)

    @staticmethod
    def version_from_schema(dataschema: str | None) -> int:
        """The version encoded at the end of a `dataschema` URN (`...:v2` → 2); 1 when absent."""
        if not dataschema or ":v" not in dataschema:
            return 1
        return int(dataschema.rsplit(":v", 1)[1])


REGISTRY = EventRegistry()
