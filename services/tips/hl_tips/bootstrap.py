"""Wiring: the tips service's parts built from its settings, each port given its adapter.

Unit tests build `Deps` with fakes instead (tests/unit/tips/fakes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hl_catalogue import RegionCatalogue
from hl_platform.runtime import Runtime
from hl_tips.adapters.hasher import ScryptHasher
from hl_tips.adapters.master_key import load_master_key
from hl_tips.adapters.photo_store import FilePhotoStore
from hl_tips.adapters.rules_file import load_rules
from hl_tips.adapters.unit_of_work import SqlUnitOfWork
from hl_tips.application.deps import Deps
from hl_tips.application.handling import Handling
from hl_tips.application.intake import Intake
from hl_tips.application.overdue import OverdueWatch
from hl_tips.settings import TipsSettings


@dataclass(frozen=True)
class TipsService:
    deps: Deps
    intake: Intake
    handling: Handling
    watch: OverdueWatch


def build(settings: TipsSettings, runtime: Runtime) -> TipsService:
    production = settings.environment == "production"
    master = load_master_key(settings.master_key, settings.master_key_path, may_generate=not production)
    catalogue = RegionCatalogue.load_default()

    def unit_of_work(*, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(runtime.db, master, write=write)

    deps = Deps(
        uow=unit_of_work,
        rules=load_rules(settings.reward_rules),
        hasher=ScryptHasher(settings.scrypt_n),
        photos=FilePhotoStore(settings.photos_path),
        region_exists=catalogue.exists,
        duplicate_window=timedelta(days=settings.duplicate_window_days),
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_s),
        on_commit=runtime.committed,
    )
    watch = OverdueWatch(deps, runtime.db, interval=settings.overdue_scan_interval_s)
    return TipsService(deps, Intake(deps), Handling(deps), watch)
