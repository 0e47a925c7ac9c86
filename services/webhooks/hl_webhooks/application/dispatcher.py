"""The deliverer: claims due deliveries, attempts them concurrently, records each attempt.

Every replica runs one. A delivery is attempted by the replica that claimed it (a compare-and-set
in the database, adapters/delivery_store.py); a replica killed mid-attempt loses its claims after
`claim_ttl_s` and another takes them over: at-least-once, with the event id as the receiver's
idempotency key. A slow or dead receiver delays nobody else: each subscription has at most
`max_in_flight_per_subscription` attempts in flight per replica, each bounded by a timeout, and a
subscription with no room left is not even looked at when claiming.

Before an attempt: the owner's key must still be valid (else the subscription is revoked), and
the URL's host must resolve to allowed addresses only — checked on the addresses the connection
will use (domain/addresses.py).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from hl_platform.db import Database
from hl_platform.errors import InvalidInput
from hl_webhooks.adapters import delivery_store, subscription_store
from hl_webhooks.adapters.delivery_store import Finish
from hl_webhooks.adapters.metrics import ATTEMPT_SECONDS, ATTEMPTS, IN_FLIGHT
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.application.ports import Job, OwnerDirectory, OwnerUnknown, Resolver, Sender
from hl_webhooks.domain.addresses import IPNetwork, first_refusal, parse_target
from hl_webhooks.domain.attempts import AttemptResult, DeliveryStatus
from hl_webhooks.domain.retry import RetryPolicy
from hl_webhooks.domain.signing import signature_headers

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


@dataclass(frozen=True)
class DispatchRules:
    policy: RetryPolicy
    allowed: tuple[IPNetwork, ...] = ()
    require_https: bool = False
    attempt_timeout_s: float = 10.0
    claim_ttl_s: float = 20.0
    per_subscription: int = 4
    max_in_flight: int = 64
    poll_interval_s: float = 1.0


class Dispatcher:
    def __init__(
        self,
        db: Database,
        box: SecretBox,
        owners: OwnerDirectory,
        resolver: Resolver,
        sender: Sender,
        rules: DispatchRules,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.box = box
        self.owners = owners
        self.resolver = resolver
        self.sender = sender
        self.rules = rules
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self.holder = f"webhooks-{uuid.uuid4().hex[:8]}"
        self.in_flight: Counter[str] = Counter()
        self.tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New deliveries may be due (the fan-out committed some, or a slot came free)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self.rules.poll_interval_s
        while not stop.is_set():
            try:
                started = await self.dispatch_round()
                backoff = self.rules.poll_interval_s
            except Exception as exc:  # the database is away: keep what is in flight, try again
                log.warning("webhooks.dispatch_failed", error=repr(exc))
                started, backoff = 0, min(backoff * 2, 30.0)
            if not started:
                await self._idle(stop, wait_s=backoff)
        await self._drain()

    async def dispatch_round(self) -> int:
        """Claim what is due and has room, and start its attempts; how many were started."""
        free = self.rules.max_in_flight - len(self.tasks)
        if free <= 0:
            return 0
        now = self.clock()
        room = {sub: self.rules.per_subscription - n for sub, n in self.in_flight.items() if n}
        async with self.db.write() as conn:
            jobs = await delivery_store.claim(
                conn,
                self.box,
                now=now,
                holder=self.holder,
                until=now + timedelta(seconds=self.rules.claim_ttl_s),
                room=room,
                default_room=self.rules.per_subscription,
                limit=free,
            )
        for job in jobs:
            self._start(job)
        return len(jobs)

    def _start(self, job: Job) -> None:
        self.in_flight[job.subscription_id] += 1
        task = asyncio.create_task(self.attempt(job))
        self.tasks.add(task)
        IN_FLIGHT.set(len(self.tasks))

        def done(_: asyncio.Task[None]) -> None:
            self.tasks.discard(task)
            IN_FLIGHT.set(len(self.tasks))
            self.in_flight[job.subscription_id] -= 1
            if self.in_flight[job.subscription_id] <= 0:
                del self.in_flight[job.subscription_id]
            self.wake()

        task.add_done_callback(done)

    async def _idle(self, stop: asyncio.Event, *, wait_s: float) -> None:
        waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waits, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
        self._wake.clear()

    async def _drain(self) -> None:
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=self.rules.attempt_timeout_s)
            for task in pending:
                task.cancel()  # its claim lapses; another replica (or the next start) sends it

    async def attempt(self, job: Job) -> None:
        """One attempt of a claimed delivery, recorded; never raises (a failure is logged)."""
        try:
            if await self._owner_revoked(job):
                return
            started_at = self.clock()
            result = await self._send(job)
            end = self._end(job, result, started_at)
            async with self.db.write() as conn:
                await delivery_store.finish(conn, job, result, end, holder=self.holder, started_at=started_at)
            ATTEMPTS.labels(end.status.value).inc()
            ATTEMPT_SECONDS.observe(result.latency_ms / 1000)
            log.info(
                "webhooks.attempt",
                delivery_id=job.delivery_id,
                subscription_id=job.subscription_id,
                status=end.status.value,
                code=result.status_code,
                latency_ms=result.latency_ms,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database failed while recording: the claim lapses, it is retried
            log.warning("webhooks.attempt_failed", delivery_id=job.delivery_id, error=repr(exc))

    async def _owner_revoked(self, job: Job) -> bool:
        try:
            if await self.owners.active(job.owner_id):
                return False
        except OwnerUnknown as exc:
            log.warning("webhooks.owner_unknown", owner_id=job.owner_id, error=str(exc))
            retry_at = self.clock() + timedelta(seconds=max(5 * self.rules.poll_interval_s, 1.0))
            async with self.db.write() as conn:
                await delivery_store.release(conn, job, holder=self.holder, retry_at=retry_at)
            return True
        async with self.db.write() as conn:
            revoked = await subscription_store.revoke_owner(conn, job.owner_id, self.clock())
        log.info("webhooks.owner_revoked", owner_id=job.owner_id, subscriptions=revoked)
        return True

    async def _send(self, job: Job) -> AttemptResult:
        try:
            target = parse_target(job.url, require_https=self.rules.require_https)
        except InvalidInput as exc:
            return AttemptResult(0, error=f"blocked: {exc.reason}")
        literal = target.literal
        addresses = [literal] if literal is not None else await self.resolver.addresses(target.host, target.port)
        if reason := first_refusal(addresses, self.rules.allowed):
            return AttemptResult(0, error=f"blocked: {reason}")
        headers = {
            "Content-Type": CONTENT_TYPE,
            **signature_headers(job.event_id, job.body, job.signing_secrets, self.clock()),
        }
        return await self.sender.post(job.url, addresses[0], headers, job.body.encode(), self.rules.attempt_timeout_s)

    def _end(self, job: Job, result: AttemptResult, started_at: datetime) -> Finish:
        if result.delivered:
            return Finish(DeliveryStatus.DELIVERED)
        next_at = self.rules.policy.next_attempt(
            window_started=job.window_started_at or started_at,
            now=self.clock(),
            attempt=job.attempts + 1,
            retry_after_s=result.retry_after_s,
            rng=self.rng,
        )
        return Finish(DeliveryStatus.PENDING, next_at) if next_at else Finish(DeliveryStatus.PARKED)
