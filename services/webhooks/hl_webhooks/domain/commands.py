"""The commands of the webhooks service: what a caller asks of it, in its own terms (not HTTP's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubscribeWebhook:
    """Deliver these event types of a region to `url` (checked by the handler: `domain/addresses.py`)."""

    url: str
    event_types: tuple[str, ...]
    region_code: str = ""  # a prefix inside the caller's region; "" means the caller's own
    description: str = ""
