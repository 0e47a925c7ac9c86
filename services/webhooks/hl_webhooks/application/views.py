"""What the subscription handlers answer besides a `Subscription`: a delivery and its attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeliveryView:
    """One event's delivery to a subscription: its state and its latest attempt."""

    id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_latency_ms: int | None
    created_at: datetime
    delivered_at: datetime | None
    parked_at: datetime | None


@dataclass(frozen=True)
class AttemptView:
    number: int
    started_at: datetime
    latency_ms: int
    status_code: int | None
    error: str | None
    outcome: str


@dataclass(frozen=True)
class DeliveryLog:
    """A delivery with every attempt made."""

    delivery: DeliveryView
    attempts: list[AttemptView]
