"""Idempotency-Key at the gateway.

A write forwarded to a service (`forward`): answer from the gateway's copy when it has the first
answer; otherwise send the request on *with its key*, and the service, which stores the key with
the write, answers a retry with the first result — whether or not this gateway lived to see it.
A write the gateway does itself (`run`, API keys): claim the key, do the work once, remember the
answer; the store's unique (client, key) makes a concurrent duplicate lose the claim.
Only successes are remembered."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from hl_gateway.domain.errors import IdempotencyInFlight
from hl_gateway.domain.idempotency import REPLAY_HEADER, Outcome, Record, decide, replayable
from hl_gateway.domain.reply import Reply

Clock = Callable[[], datetime]
Redact = Callable[[Reply], Reply]


class IdempotencyStore(Protocol):
    async def get(self, client_id: str, key: str) -> Record | None: ...
    async def claim(self, record: Record, replacing: Record | None) -> bool:
        """Insert `record` (after removing `replacing`, if still there); False if another got there first."""
        ...

    async def complete(self, client_id: str, key: str, reply: Reply) -> None: ...
    async def remember(self, record: Record) -> None:
        """Store `record` (with its response), replacing whatever the key held."""
        ...

    async def release(self, client_id: str, key: str) -> None: ...
    async def purge(self, now: datetime) -> int: ...


class IdempotencyGuard:
    def __init__(
        self, store: IdempotencyStore, ttl: timedelta, in_flight: timedelta, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.in_flight = in_flight
        self.clock = clock or (lambda: datetime.now(UTC))

    async def forward(
        self, client_id: str, key: str, fingerprint: str, send: Callable[[], Awaitable[Reply]]
    ) -> tuple[Reply, bool]:
        """The reply to a write the service deduplicates, and whether it is a replay."""
        known = replayable(await self.store.get(client_id, key), fingerprint, self.clock())
        if known is not None:
            return known, True
        reply = await send()
        replayed = reply.headers.get(REPLAY_HEADER.lower()) == "true"
        if reply.succeeded:
            headers = {name: value for name, value in reply.headers.items() if name != REPLAY_HEADER.lower()}
            now = self.clock()
            answer = Reply(reply.status, headers, reply.body)
            await self.store.remember(Record(client_id, key, fingerprint, now, now + self.ttl, answer))
        return reply, replayed

    async def run(
        self,
        client_id: str,
        key: str,
        fingerprint: str,
        call: Callable[[], Awaitable[Reply]],
        redact: Redact | None = None,
    ) -> tuple[Reply, bool]:
        """The reply to the request, and whether it is a replay of the first one."""
        replayed = await self._claim(client_id, key, fingerprint)
        if replayed is not None:
            return replayed, True
        try:
            reply = await call()
        except BaseException:
            await asyncio.shield(self.store.release(client_id, key))
            raise
        if reply.succeeded:
            await self.store.complete(client_id, key, redact(reply) if redact else reply)
        else:
            await self.store.release(client_id, key)
        return reply, False

    async def _claim(self, client_id: str, key: str, fingerprint: str) -> Reply | None:
        for _ in range(3):  # a lost race is re-decided on what the winner wrote
            record = await self.store.get(client_id, key)
            now = self.clock()
            if decide(record, fingerprint, now, self.in_flight) is Outcome.REPLAY:
                assert record is not None and record.response is not None
                return record.response
            claim = Record(client_id, key, fingerprint, created_at=now, expires_at=now + self.ttl)
            if await self.store.claim(claim, replacing=record):
                return None
        raise IdempotencyInFlight()
