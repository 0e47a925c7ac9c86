"""What the use cases are built with: the ports' adapters and the settings they need (see bootstrap)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hl_tips.application.ports import Clock, PhotoStore, Random, SecretHasher, UnitOfWorkFactory
from hl_tips.domain.rewards import RewardRules


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    uow: UnitOfWorkFactory
    rules: RewardRules
    hasher: SecretHasher
    photos: PhotoStore
    region_exists: Callable[[str], bool]
    clock: Clock = _now
    random: Random = os.urandom
    duplicate_window: timedelta = timedelta(days=30)
    idempotency_ttl: timedelta = timedelta(hours=24)
    on_commit: Callable[[], None] = field(default=lambda: None)
    photo_link_ttl_s: int = 300
