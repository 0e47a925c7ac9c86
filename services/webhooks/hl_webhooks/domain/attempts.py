"""What one delivery attempt came to, and what follows from it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # a 2xx answer
    PARKED = "parked"  # the retry window is spent: kept for a redelivery by hand
    CANCELLED = "cancelled"  # its subscription was deleted or revoked


@dataclass(frozen=True)
class AttemptResult:
    """The receiver's answer (or the reason there was none)."""

    latency_ms: int
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None

    @property
    def delivered(self) -> bool:
        """Only a 2xx counts: a redirect is not followed (it could point anywhere), so it fails."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def summary(self) -> str | None:
        """The error as the delivery log shows it."""
        if self.delivered:
            return None
        return self.error or f"the receiver answered HTTP {self.status_code}"
