"""API keys: issue (the key is shown once), list (no secrets), revoke, and authenticate by key.

An admin issues keys inside its own region only, so no key is ever wider than its issuer; an
enterprise key from a regional admin must name an enterprise the admin can see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from hl_gateway.domain.access import within
from hl_gateway.domain.credentials import (
    Identity,
    StoredKey,
    hash_key,
    identity_from,
    new_key,
    shown_prefix,
)
from hl_gateway.domain.errors import OutsideRegion, Unauthenticated
from hl_platform.errors import Conflict, InvalidInput, NotFound
from hl_platform.identity import Caller
from hl_platform.ids import new_id

Clock = Callable[[], datetime]
BOOTSTRAP_NAME = "bootstrap admin"
# How long a key looked up stays trusted in this process: a key revoked through another replica
# or the CLI is refused within this time (at once when revoked through this one). Without it,
# every request read the key from the database.
KEY_CACHE_TTL = timedelta(seconds=3)
KEY_CACHE_MAX = 10_000


class KeyStore(Protocol):
    async def add(self, key: StoredKey) -> None:
        """Store a new key; `Conflict` if its hash is stored already."""
        ...

    async def by_hash(self, key_hash: str) -> StoredKey | None: ...
    async def get(self, key_id: str) -> StoredKey | None: ...
    async def page(self, region_prefix: str, after_id: str | None, limit: int, revoked: bool) -> list[StoredKey]: ...
    async def revoke(self, key_id: str, at: datetime) -> None: ...
    async def touch(self, key_id: str, at: datetime) -> None: ...


class EnterpriseDirectory(Protocol):
    async def visible(self, caller: Caller, enterprise_id: str) -> bool: ...


class ApiKeys:
    def __init__(self, store: KeyStore, clock: Clock | None = None, cache_ttl: timedelta = KEY_CACHE_TTL) -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cache_ttl = cache_ttl
        # key hash → (the stored key, its caller, when it was read); unknown keys are not kept.
        self._cache: dict[str, tuple[StoredKey, Caller, datetime]] = {}

    async def issue(self, identity: Identity, created_by: str) -> tuple[StoredKey, str]:
        """A new key for `identity`: its record, and the key itself (to show once)."""
        key = new_key()
        stored = StoredKey(
            id=new_id(),
            key_hash=hash_key(key),
            prefix=shown_prefix(key),
            identity=identity,
            created_at=self.clock(),
            created_by=created_by,
        )
        await self.store.add(stored)
        return stored, key

    async def issue_for(
        self, issuer: Caller, values: dict[str, Any], directory: EnterpriseDirectory
    ) -> tuple[StoredKey, str]:
        identity = identity_from(values)
        if identity.role != "enterprise" or identity.region_code:
            if not within(issuer.region_code, identity.region_code):
                raise OutsideRegion(identity.region_code or "(everywhere)", issuer.region_code)
        if identity.enterprise_id and issuer.region_code:
            if not await directory.visible(issuer, identity.enterprise_id):
                raise InvalidInput("enterprise_id", "no such enterprise in your region")
        return await self.issue(identity, created_by=issuer.id)

    async def list_for(self, issuer: Caller, cursor: str | None, limit: int, revoked: bool) -> list[StoredKey]:
        return await self.store.page(issuer.region_code, cursor, limit, revoked)

    async def revoke_for(self, issuer: Caller, key_id: str) -> None:
        """Revoke a key in the issuer's region (again is fine); 404 for any other id."""
        stored = await self.store.get(key_id)
        if stored is None or not within(issuer.region_code, stored.identity.region_code):
            raise NotFound(f"no API key {key_id}")
        if stored.active:
            await self.store.revoke(key_id, self.clock())
        self._cache = {h: entry for h, entry in self._cache.items() if entry[0].id != key_id}

    async def authenticate(self, key: str) -> Caller:
        key_hash = hash_key(key)
        now = self.clock()
        entry = self._cache.get(key_hash)
        if entry is None or not (entry[2] <= now < entry[2] + self.cache_ttl):
            stored = await self.store.by_hash(key_hash)
            if stored is None or not stored.active:
                self._cache.pop(key_hash, None)
                raise Unauthenticated("unknown or revoked API key")
            if len(self._cache) >= KEY_CACHE_MAX:
                self._cache.clear()
            entry = self._cache[key_hash] = (stored, stored.caller(), now)
        stored, caller, read_at = entry
        if stored.due_for_touch(now):
            await self.store.touch(stored.id, now)
            self._cache[key_hash] = (replace(stored, last_used_at=now), caller, read_at)  # as the store has it now
        return caller

    async def provision_bootstrap(self, key: str) -> bool:
        """Make `key` a nationwide admin key unless it is known already (by hash). True if added."""
        if await self.store.by_hash(hash_key(key)) is not None:
            return False
        identity = Identity(role="admin", name=BOOTSTRAP_NAME, organisation="hazard-ledger")
        stored = StoredKey(
            id=new_id(),
            key_hash=hash_key(key),
            prefix=shown_prefix(key),
            identity=identity,
            created_at=self.clock(),
            created_by="system:bootstrap",
        )
        try:
            await self.store.add(stored)
        except Conflict:  # another replica provisioned it at the same moment
            return False
        return True
