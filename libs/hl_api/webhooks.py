"""Schemas of webhook subscriptions: a URL that receives the event types it names, for a region
inside its owner's, as signed CloudEvents over HTTP; and the log of its deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hl_api.common import Request

SubscriptionStatus = Literal["active", "paused", "revoked"]
DeliveryStatus = Literal["pending", "delivered", "parked", "cancelled"]


class WebhookCreate(Request):
    """A subscription: where to deliver, what, and for which region."""

    url: str = Field(
        min_length=8,
        max_length=2000,
        description="http(s) URL receiving POSTs; its host must resolve to public addresses only",
        examples=["https://platform.example.gov.cn/hooks/hazard-ledger"],
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        description="event types (hazard.overdue), a context's every type (hazard.*), or * for all",
    )
    region_code: str = Field(
        default="", max_length=12, pattern=r"^[0-9]*$", description="a region prefix inside yours (default: yours)"
    )
    description: str = Field(default="", max_length=200)


class WebhookPublic(BaseModel):
    """A subscription as listed and read: never its secret."""

    id: str
    url: str
    event_types: list[str]
    region_code: str
    description: str
    status: SubscriptionStatus = Field(description="revoked: its owner's API key was revoked; it delivers nothing")
    owner_id: str = Field(description="the API key (identity) that owns it")
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime | None = None


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="the signing secret (whsec_…); shown in this response only (a replay returns it empty)"
    )


class WebhookSecretRotated(BaseModel):
    id: str
    secret: str = Field(description="the new signing secret; shown in this response only")
    previous_secret_expires_at: datetime = Field(
        description="until then each delivery carries a signature with the old secret as well"
    )


class DeliveryPublic(BaseModel):
    """One event's delivery to a subscription: its state and its latest attempt."""

    id: str
    event_id: str = Field(description="= the CloudEvent id and the webhook-id header: the idempotency key")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(default=None, description="while pending")
    last_status_code: int | None = None
    last_error: str | None = None
    last_latency_ms: int | None = None
    created_at: datetime
    delivered_at: datetime | None = None
    parked_at: datetime | None = None


class AttemptPublic(BaseModel):
    number: int
    started_at: datetime
    latency_ms: int
    status_code: int | None = Field(default=None, description="the receiver's HTTP status, if it answered")
    error: str | None = None
    outcome: Literal["delivered", "failed", "parked"]


class DeliveryDetail(DeliveryPublic):
    attempts_log: list[AttemptPublic]
