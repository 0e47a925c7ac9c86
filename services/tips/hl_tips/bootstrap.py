"""Wiring: the tips service's parts built from its settings, each port given its adapter.

Unit tests build `Deps` with fakes instead (tests/unit/tips/fakes.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from hl_catalogue import RegionCatalogue
from hl_platform.object_store import S3ObjectStore
from hl_platform.runtime import Runtime
from hl_tips.adapters.hasher import ScryptHasher
from hl_tips.adapters.master_key import load_master_key
from hl_tips.adapters.rules_file import load_rules
from hl_tips.adapters.unit_of_work import SqlUnitOfWork
from hl_tips.application.deps import Deps
from hl_tips.application.handling import Handling
from hl_tips.application.intake import Intake
from hl_tips.application.overdue import OverdueWatch
from hl_tips.settings import TipsSettings

log = structlog.get_logger(__name__)
BUCKET_RETRY_S = 5.0


@dataclass
class BucketSetup:
    """Creates the photo bucket (embedded mode) once the store answers, retrying: a store that is
    down at start delays photos only, never the service. `ready` is set once the bucket is there."""

    create: Callable[[], Awaitable[None]] | None
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stop: asyncio.Event) -> None:
        while self.create is not None and not stop.is_set():
            try:
                await self.create()
                break
            except Exception as exc:  # the store is away: photos answer 503 until it is back
                log.warning("tips.photo_bucket_retry", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=BUCKET_RETRY_S)
            except TimeoutError:
                pass
        self.ready.set()


@dataclass(frozen=True)
class TipsService:
    deps: Deps
    intake: Intake
    handling: Handling
    watch: OverdueWatch
    bucket: BucketSetup


def build(settings: TipsSettings, runtime: Runtime) -> TipsService:
    production = settings.environment == "production"
    master = load_master_key(settings.master_key, settings.master_key_path, may_generate=not production)
    catalogue = RegionCatalogue.load_default()
    photos = settings.object_store()

    def unit_of_work(*, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(runtime.db, master, write=write)

    deps = Deps(
        uow=unit_of_work,
        rules=load_rules(settings.reward_rules),
        hasher=ScryptHasher(settings.scrypt_n),
        photos=photos,
        region_exists=catalogue.exists,
        duplicate_window=timedelta(days=settings.duplicate_window_days),
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_s),
        on_commit=runtime.committed,
        photo_link_ttl_s=settings.photo_link_ttl_s,
    )
    watch = OverdueWatch(deps, runtime.db, interval=settings.overdue_scan_interval_s)
    create = photos.ensure_bucket if isinstance(photos, S3ObjectStore) and settings.object_store_create_bucket else None
    return TipsService(deps, Intake(deps), Handling(deps), watch, BucketSetup(create))
