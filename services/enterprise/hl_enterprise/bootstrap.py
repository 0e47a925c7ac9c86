"""Wiring: the enterprise service's parts built from its settings, each port given its adapter.

Unit tests pass a fake unit of work to `EnterpriseService` instead (tests/unit/enterprise/fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from hl_catalogue import RegionCatalogue
from hl_enterprise.adapters.tables import idempotency_keys
from hl_enterprise.adapters.unit_of_work import SqlUnitOfWork
from hl_enterprise.application.ports import Clock
from hl_enterprise.application.service import EnterpriseService
from hl_enterprise.settings import EnterpriseSettings
from hl_platform.db import Database
from hl_platform.idempotency_store import IdempotencyLedger
from hl_platform.runtime import Runtime
from hl_platform.sql_unit_of_work import SqlUnitsOfWork


@dataclass(frozen=True)
class Enterprises:
    """The enterprise service, wired: its handlers and the ledger of its Idempotency-Keys."""

    service: EnterpriseService
    ledger: IdempotencyLedger


def enterprise_service(
    db: Database,
    *,
    ledger: IdempotencyLedger | None = None,
    on_commit: Callable[[], None] = lambda: None,
    clock: Clock | None = None,
    regions: RegionCatalogue | None = None,
) -> EnterpriseService:
    """The handlers on SQL units of work of `db` (and its `idempotency_keys`)."""
    units = SqlUnitsOfWork(SqlUnitOfWork, db, ledger or IdempotencyLedger(idempotency_keys))
    return EnterpriseService(units, on_commit=on_commit, clock=clock, regions=regions)


def build(settings: EnterpriseSettings, runtime: Runtime) -> Enterprises:
    ledger = IdempotencyLedger(idempotency_keys, timedelta(seconds=settings.idempotency_ttl_s))
    return Enterprises(enterprise_service(runtime.db, ledger=ledger, on_commit=runtime.committed), ledger)
