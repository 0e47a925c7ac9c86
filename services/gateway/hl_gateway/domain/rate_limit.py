"""Per-client rate limits: a token bucket each, held in this process's memory.

Each client may make `burst` requests at once and `rate` per second on average. With several
gateway replicas behind a balancer, each replica enforces its own share; the buckets are bounded
(least recently seen clients are forgotten first) so memory stays flat whatever the traffic.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from hl_gateway.domain.errors import RateLimited

Clock = Callable[[], float]


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate: float, burst: int, *, clock: Clock = time.monotonic, max_clients: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, client_id: str) -> None:
        """Spend one token of `client_id`'s bucket, or raise `RateLimited` with the wait."""
        now = self.clock()
        bucket = self._bucket(client_id, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            raise RateLimited((1 - bucket.tokens) / self.rate)
        bucket.tokens -= 1

    def _bucket(self, client_id: str, now: float) -> Bucket:
        bucket = self._buckets.get(client_id)
        if bucket is None:
            bucket = self._buckets[client_id] = Bucket(tokens=self.burst, updated=now)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client_id)
        return bucket
