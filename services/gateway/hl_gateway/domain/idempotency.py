"""Idempotency-Key: a client may retry a POST safely; the first final answer is the answer.

A key belongs to one client. Its record holds the request's fingerprint (method, path, and the
hash of the body as JSON, so key order and whitespace do not matter) and, once the request is
done, the response. Only final answers are kept (2xx and 4xx): after a 5xx the client may retry
with the same key and be served afresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from hl_gateway.domain.errors import IdempotencyInFlight, IdempotencyMismatch
from hl_gateway.domain.reply import Reply
from hl_platform.errors import InvalidInput

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


def check_key(key: str) -> str:
    """Keys are 1–255 visible ASCII characters (a UUID is the usual choice)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in key):
        raise InvalidInput("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters")
    return key


def _body_digest(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request's identity for replay: same method, path and (JSON-equal) body."""
    return hashlib.sha256(f"{method.upper()} {path}\n{_body_digest(body)}".encode()).hexdigest()


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
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch()
    if record.response is None:
        raise IdempotencyInFlight()
    return Outcome.REPLAY
