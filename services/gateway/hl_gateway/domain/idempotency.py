"""Idempotency-Key at the gateway: its copy of each first answer, a fast path in front of the
writing services, which hold the truth (see `hl_platform.idempotency`).

A key belongs to one client. Its record holds the request's fingerprint (method, path, and the
hash of the body as JSON, so key order and whitespace do not matter) and, once the request is
done, the response. Only successes (2xx) are kept: after a refusal or a 5xx nothing was written,
and the client may retry with the same key and be served afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from hl_gateway.domain.errors import IdempotencyInFlight, IdempotencyMismatch
from hl_gateway.domain.reply import Reply
from hl_platform.idempotency import KEY_HEADER, MAX_KEY_LENGTH, REPLAY_HEADER, check_key, fingerprint

__all__ = [
    "KEY_HEADER",
    "MAX_KEY_LENGTH",
    "REPLAY_HEADER",
    "Outcome",
    "Record",
    "check_key",
    "decide",
    "fingerprint",
    "replayable",
]


@dataclass(frozen=True)
class Record:
    client_id: str
    key: str
    fingerprint: str
    created_at: datetime
    expires_at: datetime
    response: Reply | None = None  # None: the first request is still in flight

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def abandoned(self, now: datetime, in_flight: timedelta) -> bool:
        """A claim whose holder never finished (a crashed process): free to take over."""
        return self.response is None and now - self.created_at >= in_flight


class Outcome(Enum):
    PROCEED = "proceed"  # no live record: claim the key and do the request
    REPLAY = "replay"  # the first response is known: answer with it


def decide(record: Record | None, fingerprint: str, now: datetime, in_flight: timedelta) -> Outcome:
    """What to do with a request that carries a key, given the key's record (if any)."""
    if record is None or record.expired(now) or record.abandoned(now, in_flight):
        return Outcome.PROCEED
    return _live(record, fingerprint)


def replayable(record: Record | None, fingerprint: str, now: datetime) -> Reply | None:
    """For a write the service deduplicates itself: the known answer, if any (no claim needed;
    a request still in flight at the service is sent again and answered there)."""
    if record is None or record.expired(now) or record.response is None:
        return None
    _live(record, fingerprint)
    return record.response


def _live(record: Record, fingerprint: str) -> Outcome:
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch()
    if record.response is None:
        raise IdempotencyInFlight()
    return Outcome.REPLAY
