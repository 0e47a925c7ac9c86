"""The evidence sweep: every `interval` seconds, pending objects whose upload never committed are
removed and committed ones left pending by a crash are promoted (see `attachments.py`).

It also makes sure the bucket exists (embedded mode) before the first sweep, retrying each round,
so a store that is down at start delays evidence only, never the service. Two replicas sweeping at
once do no harm: promoting is idempotent and an orphan has no event to lose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from hl_hazard.application.attachments import AttachmentService

log = structlog.get_logger(__name__)


class AttachmentSweep:
    def __init__(
        self,
        attachments: AttachmentService,
        interval: float = 600.0,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.attachments = attachments
        self.interval = interval
        self.prepare = prepare  # e.g. create the bucket; done once it succeeds

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.round()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    async def round(self) -> None:
        try:
            if self.prepare is not None:
                await self.prepare()
                self.prepare = None
            result = await self.attachments.sweep()
        except Exception as exc:  # the store or the database is away: try again next round
            log.warning("attachments.sweep_failed", error=repr(exc))
            return
        if result.promoted or result.removed:
            log.info("attachments.swept", promoted=result.promoted, removed=result.removed)
