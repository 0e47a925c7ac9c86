"""The enterprise service's use cases: each loads, decides and saves in one transaction.

A caller sees enterprises in its region (an enterprise user: only its own); others are "not
found". Who may change what follows DOMAIN.md "Actors": departments (inspectors) and governments
keep the registry and record inspections and enforcement; enterprises and bureaus only read.
A write given an Idempotency-Key stores it in its transaction: a retry gets the first result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_api.enterprises import EnforcementActionCreate, EnterpriseCreate, InspectionCreate
from hl_catalogue import RegionCatalogue
from hl_enterprise.adapters.directory import EnterpriseFilters, id_by_uscc, list_page, save_entry, snapshot
from hl_enterprise.adapters.tables import idempotency_keys
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import EnterpriseProfile, parse_profile
from hl_platform.repository import Repository
from hl_platform.db import Database
from hl_platform.errors import Conflict, Forbidden, NotFound
from hl_platform.idempotency import RequestKey
from hl_platform.idempotency_store import IdempotencyLedger, Once, Written
from hl_platform.identity import Caller
from hl_platform.ids import new_id

REGISTRARS = {"admin", "platform", "supervisor", "inspector"}
INSPECTORS = {"admin", "inspector"}
Clock = Callable[[], datetime]


def require_role(caller: Caller, allowed: set[str], doing: str) -> None:
    if caller.role not in allowed:
        raise Forbidden(f"a {caller.role} may not {doing}", role=caller.role)


class EnterpriseService:
    def __init__(
        self,
        db: Database,
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock | None = None,
        regions: RegionCatalogue | None = None,
        ledger: IdempotencyLedger | None = None,
    ) -> None:
        self.db = db
        self.repository: Repository[Enterprise] = Repository(Enterprise, "enterprise")
        self.on_commit = on_commit
        self.clock = clock or (lambda: datetime.now(UTC))
        self.regions = regions
        self.once = Once(db, ledger or IdempotencyLedger(idempotency_keys))

    async def register(
        self, caller: Caller, body: EnterpriseCreate | dict[str, Any], key: RequestKey | None = None
    ) -> Written:
        """Register an enterprise; 409 with the existing id when its uscc is already registered."""
        require_role(caller, REGISTRARS, "register enterprises")
        data = body.model_dump(exclude_none=True) if isinstance(body, EnterpriseCreate) else body
        profile = parse_profile(data, self.regions)
        return await self.register_profile(caller, profile, key)

    async def register_profile(
        self, caller: Caller, profile: EnterpriseProfile, key: RequestKey | None = None
    ) -> Written:
        if not profile.region_code.startswith(caller.region_code):
            raise Forbidden(f"region {profile.region_code} is outside your region {caller.region_code}")

        async def work(conn: AsyncConnection) -> dict[str, Any]:
            existing = await id_by_uscc(conn, profile.uscc)
            if existing is not None:
                raise self._duplicate(profile.uscc, existing)
            enterprise = Enterprise.register(new_id(), profile, caller.actor, self.clock())
            await self._save(conn, enterprise)
            return snapshot(enterprise)

        try:
            return await self._write(key, work)
        except IntegrityError:  # a concurrent registration of the same uscc won the race
            async with self.db.read() as conn:
                raise self._duplicate(profile.uscc, await id_by_uscc(conn, profile.uscc)) from None

    async def register_batch(self, caller: Caller, profiles: list[EnterpriseProfile]) -> list[str]:
        """Register many in one transaction (bulk import); per profile "registered" or "already
        registered". A race with another registration falls back to one transaction each."""
        for profile in profiles:
            if not profile.region_code.startswith(caller.region_code):
                raise Forbidden(f"region {profile.region_code} is outside your region {caller.region_code}")
        outcomes: list[str] = []
        try:
            async with self.db.write() as conn:
                for profile in profiles:
                    if await id_by_uscc(conn, profile.uscc) is not None:
                        outcomes.append("already registered")
                        continue
                    await self._save(conn, Enterprise.register(new_id(), profile, caller.actor, self.clock()))
                    outcomes.append("registered")
        except IntegrityError:
            return [await self._register_one(caller, profile) for profile in profiles]
        self.on_commit()
        return outcomes

    async def _register_one(self, caller: Caller, profile: EnterpriseProfile) -> str:
        try:
            await self.register_profile(caller, profile)
        except Conflict:
            return "already registered"
        return "registered"

    @staticmethod
    def _duplicate(uscc: str, existing_id: str | None) -> Conflict:
        return Conflict(f"an enterprise with uscc {uscc} is already registered", existing_id=existing_id)

    async def update(
        self, caller: Caller, enterprise_id: str, changes: dict[str, Any], key: RequestKey | None = None
    ) -> Written:
        require_role(caller, REGISTRARS, "change the enterprise registry")

        def change(enterprise: Enterprise) -> None:
            enterprise.update(changes, caller.actor, self.clock(), regions=self.regions)
            if not enterprise.region_code.startswith(caller.region_code):
                raise Forbidden(f"region {enterprise.region_code} is outside your region {caller.region_code}")

        return await self._execute(caller, enterprise_id, change, key)

    async def inspect(
        self, caller: Caller, enterprise_id: str, body: InspectionCreate, key: RequestKey | None = None
    ) -> Written:
        require_role(caller, INSPECTORS, "record spot inspections")

        def inspect(enterprise: Enterprise) -> dict[str, Any]:
            recorded = enterprise.record_inspection(actor=caller.actor, now=self.clock(), **body.model_dump())
            return {"id": recorded, "enterprise_id": enterprise_id, "version": enterprise.version}

        return await self._execute(caller, enterprise_id, inspect, key)

    async def enforce(
        self, caller: Caller, enterprise_id: str, body: EnforcementActionCreate, key: RequestKey | None = None
    ) -> Written:
        require_role(caller, INSPECTORS, "record enforcement actions")

        def enforce(enterprise: Enterprise) -> dict[str, Any]:
            recorded = enterprise.record_enforcement(actor=caller.actor, now=self.clock(), **body.model_dump())
            return {"id": recorded, "enterprise_id": enterprise_id, "version": enterprise.version}

        return await self._execute(caller, enterprise_id, enforce, key)

    async def close(self, caller: Caller, enterprise_id: str, reason: str, closed_on: date) -> dict[str, Any]:
        require_role(caller, REGISTRARS, "close enterprises")
        written = await self._execute(
            caller, enterprise_id, lambda e: e.close(reason, closed_on, caller.actor, self.clock())
        )
        return written.result

    async def blacklist(
        self, caller: Caller, enterprise_id: str, reason: str, authority: str, on: date, lift: bool
    ) -> dict[str, Any]:
        require_role(caller, REGISTRARS, "change the credit blacklist")
        action = Enterprise.lift_blacklist if lift else Enterprise.blacklist
        written = await self._execute(
            caller, enterprise_id, lambda e: action(e, reason, authority, on, caller.actor, self.clock())
        )
        return written.result

    async def get(self, caller: Caller, enterprise_id: str) -> dict[str, Any]:
        async with self.db.read() as conn:
            return snapshot(await self._load_visible(conn, caller, enterprise_id))

    async def list(
        self, caller: Caller, filters: EnterpriseFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        if caller.role == "enterprise":
            return ([await self.get(caller, caller.enterprise_id)] if caller.enterprise_id else []), None
        region = filters.region_code if filters.region_code.startswith(caller.region_code) else caller.region_code
        if not region.startswith(caller.region_code) or not (region.startswith(filters.region_code)):
            return [], None
        async with self.db.read() as conn:
            return await list_page(conn, EnterpriseFilters(region, filters.industry, filters.q), cursor, limit)

    async def _execute(
        self,
        caller: Caller,
        enterprise_id: str,
        decide: Callable[[Enterprise], dict[str, Any] | None],
        key: RequestKey | None = None,
    ) -> Written:
        """Load, decide, save; the answer is what `decide` returns, else the enterprise."""

        async def work(conn: AsyncConnection) -> dict[str, Any]:
            enterprise = await self._load_visible(conn, caller, enterprise_id)
            answer = decide(enterprise)
            await self._save(conn, enterprise)
            return answer if answer is not None else snapshot(enterprise)

        return await self._write(key, work)

    async def _write(
        self, key: RequestKey | None, work: Callable[[AsyncConnection], Awaitable[dict[str, Any]]]
    ) -> Written:
        written = await self.once.write(key, work)
        if not written.replayed:
            self.on_commit()
        return written

    async def _load_visible(self, conn: AsyncConnection, caller: Caller, enterprise_id: str) -> Enterprise:
        enterprise = await self.repository.get(conn, enterprise_id)
        if enterprise is None or not caller.sees(enterprise.region_code, enterprise.id):
            raise NotFound(f"no enterprise {enterprise_id}")
        return enterprise

    async def _save(self, conn: AsyncConnection, enterprise: Enterprise) -> None:
        if enterprise.changes:
            await self.repository.save(conn, enterprise)
            await save_entry(conn, enterprise)
