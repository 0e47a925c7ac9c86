"""The retry schedule: exponential back-off with jitter, inside a published window, then parking.

Attempt n failing waits `min(max_interval, base · 2^(n-1))`, of which the second half is random
("equal jitter": never less than half the step, so retries spread out without bunching up again).
A receiver's `Retry-After` (429, 503) lengthens the wait, never beyond `max_interval`. When the
next attempt would fall after the window (counted from the first attempt), the delivery is parked:
kept, listed, and redeliverable by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float = 5.0
    max_interval_s: float = 3600.0
    window_s: float = 86_400.0

    def step(self, attempt: int) -> float:
        """The nominal wait after failed attempt `attempt` (1-based), before jitter."""
        return min(self.max_interval_s, self.base_s * 2.0 ** min(attempt - 1, 60))

    def delay(self, attempt: int, rng: random.Random) -> float:
        step = self.step(attempt)
        return step / 2 + rng.uniform(0, step / 2)

    def next_attempt(
        self,
        *,
        window_started: datetime,
        now: datetime,
        attempt: int,
        retry_after_s: float | None,
        rng: random.Random,
    ) -> datetime | None:
        """When to try again after failed attempt `attempt`; None: park (the window is spent)."""
        wait = max(self.delay(attempt, rng), min(retry_after_s or 0.0, self.max_interval_s))
        at = now + timedelta(seconds=wait)
        return at if at <= window_started + timedelta(seconds=self.window_s) else None

    def schedule(self) -> list[float]:
        """The nominal waits (seconds after each failure) that fit in the window: the published table."""
        waits: list[float] = []
        while sum(waits) + self.step(len(waits) + 1) <= self.window_s and len(waits) < 1000:
            waits.append(self.step(len(waits) + 1))
        return waits
