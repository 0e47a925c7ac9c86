"""Token buckets per client: bursts, the steady rate, Retry-After, and bounded memory."""

from __future__ import annotations

import pytest

from hl_gateway.domain.errors import RateLimited
from hl_gateway.domain.rate_limit import RateLimiter


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_waits_for_the_rate() -> None:
    ticks = Ticks()
    limiter = RateLimiter(rate=2.0, burst=3, clock=ticks)
    for _ in range(3):
        limiter.take("a")
    with pytest.raises(RateLimited) as limited:
        limiter.take("a")
    assert limited.value.status == 429 and limited.value.headers["Retry-After"] == "1"
    ticks.now += 0.5  # one token back at 2 per second
    limiter.take("a")
    with pytest.raises(RateLimited):
        limiter.take("a")


def test_clients_do_not_share_buckets() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Ticks())
    limiter.take("a")
    limiter.take("b")
    with pytest.raises(RateLimited):
        limiter.take("a")


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    limiter = RateLimiter(rate=0.1, burst=1, clock=Ticks())
    limiter.take("slow")
    with pytest.raises(RateLimited) as limited:
        limiter.take("slow")
    assert limited.value.headers["Retry-After"] == "10"


def test_an_idle_client_refills_only_up_to_its_burst() -> None:
    ticks = Ticks()
    limiter = RateLimiter(rate=100.0, burst=2, clock=ticks)
    ticks.now += 3600
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(RateLimited):
        limiter.take("a")


def test_memory_is_bounded_by_forgetting_the_least_recent_clients() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Ticks(), max_clients=2)
    limiter.take("a")
    limiter.take("b")
    limiter.take("c")  # forgets "a", whose bucket starts full again
    limiter.take("a")
    assert len(limiter._buckets) == 2
