"""Schemas of the event feed: CloudEvents 1.0 envelopes (JSON format) as published on NATS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CloudEventPublic(BaseModel):
    """One contract event, exactly as on the NATS stream (see the event contract)."""

    model_config = ConfigDict(extra="allow")

    specversion: str
    id: str
    source: str
    type: str = Field(description="e.g. hazard.escalated")
    subject: str = Field(description="the aggregate (hazard or enterprise) id")
    time: datetime = Field(description="business time of the fact")
    datacontenttype: str = "application/json"
    dataschema: str
    sequence: int = Field(description="the aggregate's version after this event")
    regioncode: str
    industry: str
    recordedtime: datetime
    actorid: str
    actorname: str
    actorrole: str
    actororg: str = ""
    data: dict[str, Any]


class EventPage(BaseModel):
    """Events after the cursor, in stream order. Pass `next_cursor` as `after` to go on; it is
    always set, since the log grows: an empty page means nothing new yet."""

    items: list[CloudEventPublic]
    next_cursor: str
