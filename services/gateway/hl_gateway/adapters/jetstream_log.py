"""The public log read straight from JetStream with the stream "get next message by subject"
API: read-only (the gateway creates no consumers), so its NATS user needs nothing more than
`$JS.API.STREAM.MSG.GET.HL_HAZARD` / `.HL_ENTERPRISE`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from nats.errors import ConnectionClosedError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ServiceUnavailableError

from hl_gateway.application.events import LoggedEvent
from hl_gateway.domain.errors import UpstreamTimeout, UpstreamUnavailable


class JetStreamLog:
    def __init__(self, js: Callable[[], JetStreamContext], retry_after_s: int = 5) -> None:
        self.js = js
        self.retry_after_s = retry_after_s

    async def next_after(self, stream: str, subject: str, sequence: int) -> LoggedEvent | None:
        try:
            js = self.js()
            msg = await js.get_msg(stream, seq=sequence + 1, subject=subject, next=True)
        except NotFoundError:  # no such message after `sequence`, or no such stream yet
            return None
        except (ConnectionError, ConnectionClosedError, NoRespondersError) as exc:
            raise UpstreamUnavailable("event log", self.retry_after_s) from exc
        except (TimeoutError, NatsTimeoutError, ServiceUnavailableError) as exc:
            raise UpstreamTimeout("event log") from exc
        return LoggedEvent(stream, int(msg.seq or 0), _time(msg.time), _envelope(msg.data))


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _envelope(data: bytes | None) -> dict[str, Any] | None:
    try:
        envelope = orjson.loads(data or b"")
    except orjson.JSONDecodeError:
        return None
    return envelope if isinstance(envelope, dict) and "type" in envelope else None
