"""The CloudEvents 1.0 envelope, JSON event format (structured mode), as carried on NATS.

Extensions (all CloudEvents primitive types, as the spec requires of extension attributes):
`sequence` (aggregate version), `regioncode`, `industry`, `recordedtime`, the actor as `actorid`,
`actorname`, `actorrole`, `actororg`, and the distributed-tracing `traceparent` / `tracestate`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from hl_contracts.registry import REGISTRY, EventData, EventRegistry

SPEC_VERSION = "1.0"


class Actor(BaseModel):
    """Who did it (谁检查、谁签名、谁负责): the authenticated identity behind a command."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=40)
    organisation: str = Field(default="", max_length=200)

    @classmethod
    def system(cls, service: str) -> Actor:
        return cls(id=f"system:{service}", name=f"hazard-ledger {service}", role="system")


class CloudEvent(BaseModel):
    """One contract event on the wire."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: str = SPEC_VERSION
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    datacontenttype: str = "application/json"
    dataschema: str
    sequence: int
    regioncode: str
    industry: str
    recordedtime: datetime
    actorid: str
    actorname: str
    actorrole: str
    actororg: str = ""
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any]

    @classmethod
    def create(
        cls,
        *,
        data: EventData,
        service: str,
        aggregate_id: str,
        sequence: int,
        region_code: str,
        industry: str,
        actor: Actor,
        time: datetime,
        event_id: str | None = None,
        recorded_at: datetime | None = None,
    ) -> CloudEvent:
        return cls(
            id=event_id or str(uuid.uuid4()),
            source=f"/hazard-ledger/{service}",
            type=data.event_type,
            subject=aggregate_id,
            time=time,
            dataschema=data.schema_uri(),
            sequence=sequence,
            regioncode=region_code,
            industry=industry,
            recordedtime=recorded_at or datetime.now(UTC),
            actorid=actor.id,
            actorname=actor.name,
            actorrole=actor.role,
            actororg=actor.organisation,
            data=data.model_dump(mode="json"),
        )

    @property
    def actor(self) -> Actor:
        return Actor(id=self.actorid, name=self.actorname, role=self.actorrole, organisation=self.actororg)

    @property
    def data_version(self) -> int:
        return EventRegistry.version_from_schema(self.dataschema)

    def payload(self, registry: EventRegistry = REGISTRY) -> EventData:
        """The typed data, upcast to the version this build knows."""
        return registry.parse(self.type, self.data_version, self.data)

    def to_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate(orjson.loads(raw))
