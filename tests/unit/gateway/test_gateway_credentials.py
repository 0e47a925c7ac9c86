"""API keys (format, hashing, issue/list/revoke/authenticate) and identities from JWT claims."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from hl_gateway.application.keys import KEY_CACHE_TTL, ApiKeys
from hl_gateway.domain.credentials import (
    Identity,
    bootstrap_key_problem,
    caller_from_claims,
    hash_key,
    identity_from,
    new_key,
)
from hl_gateway.domain.errors import OutsideRegion, Unauthenticated
from hl_gateway.settings import GatewaySettings
from hl_platform.errors import InvalidInput, NotFound
from hl_platform.identity import Caller
from tests.unit.gateway.fakes import ADMIN, CITY_ADMIN, Clock, MemoryKeyStore

INSPECTOR = {"role": "inspector", "name": "王检查", "region_code": "371002", "department": "应急局"}


class NoDirectory:
    def __init__(self, visible: bool = True) -> None:
        self.answer = visible
        self.asked: list[str] = []

    async def visible(self, caller: Caller, enterprise_id: str) -> bool:
        self.asked.append(enterprise_id)
        return self.answer


def test_keys_are_long_random_and_stored_as_their_sha256() -> None:
    key, other = new_key(), new_key()
    assert key.startswith("hl_") and len(key) >= 40 and key != other
    assert hash_key(key) == hashlib.sha256(key.encode()).hexdigest() and hash_key(key) != hash_key(other)


async def test_an_issued_key_authenticates_as_its_identity_and_stores_no_secret() -> None:
    store, clock = MemoryKeyStore(), Clock()
    keys = ApiKeys(store, clock)
    stored, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    assert key not in repr(store.keys) and stored.key_hash == hash_key(key)
    caller = await keys.authenticate(key)
    assert (caller.id, caller.role, caller.region_code, caller.department) == (
        stored.id,
        "inspector",
        "371002",
        "应急局",
    )


async def test_last_used_is_written_at_most_once_a_minute() -> None:
    store, clock = MemoryKeyStore(), Clock()
    keys = ApiKeys(store, clock)
    _, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    for _ in range(5):
        await keys.authenticate(key)
        clock.advance(seconds=10)
    assert store.touches == 1
    clock.advance(seconds=60)
    await keys.authenticate(key)
    assert store.touches == 2 and (await store.by_hash(hash_key(key))).last_used_at == clock.now  # type: ignore[union-attr]


async def test_a_revoked_or_unknown_key_is_refused() -> None:
    keys = ApiKeys(MemoryKeyStore(), Clock())
    stored, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    await keys.revoke_for(ADMIN, stored.id)
    await keys.revoke_for(ADMIN, stored.id)  # again: harmless
    for attempt in (key, new_key()):
        with pytest.raises(Unauthenticated):
            await keys.authenticate(attempt)


async def test_a_key_is_read_from_the_store_once_per_cache_period() -> None:
    store, clock = MemoryKeyStore(), Clock()
    keys = ApiKeys(store, clock)
    _, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    for _ in range(10):
        await keys.authenticate(key)
    assert store.lookups == 1
    clock.advance(seconds=KEY_CACHE_TTL.total_seconds())
    await keys.authenticate(key)
    assert store.lookups == 2


async def test_a_key_revoked_elsewhere_is_refused_within_seconds() -> None:
    store, clock = MemoryKeyStore(), Clock()
    keys = ApiKeys(store, clock)
    stored, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    await keys.authenticate(key)
    await store.revoke(stored.id, clock())  # by another gateway replica, or `./hl keys revoke`
    clock.advance(seconds=KEY_CACHE_TTL.total_seconds())
    assert KEY_CACHE_TTL.total_seconds() <= 5
    with pytest.raises(Unauthenticated):
        await keys.authenticate(key)


async def test_a_key_revoked_through_this_gateway_is_refused_at_once() -> None:
    keys = ApiKeys(MemoryKeyStore(), Clock())
    stored, key = await keys.issue_for(ADMIN, INSPECTOR, NoDirectory())
    await keys.authenticate(key)
    await keys.revoke_for(ADMIN, stored.id)
    with pytest.raises(Unauthenticated):
        await keys.authenticate(key)


async def test_a_regional_admin_cannot_issue_wider_keys_nor_see_other_regions() -> None:
    keys = ApiKeys(MemoryKeyStore(), Clock())
    with pytest.raises(OutsideRegion):
        await keys.issue_for(CITY_ADMIN, {**INSPECTOR, "region_code": "3701"}, NoDirectory())
    with pytest.raises(OutsideRegion):
        await keys.issue_for(CITY_ADMIN, {"role": "admin", "name": "全省"}, NoDirectory())
    mine, _ = await keys.issue_for(CITY_ADMIN, INSPECTOR, NoDirectory())
    theirs, _ = await keys.issue_for(ADMIN, {**INSPECTOR, "region_code": "3701"}, NoDirectory())
    assert [k.id for k in await keys.list_for(CITY_ADMIN, None, 10, False)] == [mine.id]
    with pytest.raises(NotFound):
        await keys.revoke_for(CITY_ADMIN, theirs.id)


async def test_a_regional_admin_issues_enterprise_keys_only_for_enterprises_it_can_see() -> None:
    keys, directory = ApiKeys(MemoryKeyStore(), Clock()), NoDirectory(visible=False)
    with pytest.raises(InvalidInput) as refused:
        await keys.issue_for(CITY_ADMIN, {"role": "enterprise", "name": "企业", "enterprise_id": "e-1"}, directory)
    assert refused.value.field == "enterprise_id" and directory.asked == ["e-1"]


async def test_the_bootstrap_key_is_provisioned_once_by_hash() -> None:
    store = MemoryKeyStore()
    keys = ApiKeys(store, Clock())
    assert await keys.provision_bootstrap("hl_dev_admin") is True
    assert await keys.provision_bootstrap("hl_dev_admin") is False
    assert len(store.keys) == 1 and (await keys.authenticate("hl_dev_admin")).role == "admin"


async def test_two_replicas_provisioning_the_same_bootstrap_key_at_once_both_start() -> None:
    store = MemoryKeyStore()
    racing = ApiKeys(store, Clock())
    original = store.by_hash

    async def stale_read(key_hash: str) -> None:  # both replicas looked before either wrote
        await original(key_hash)

    store.by_hash = stale_read  # type: ignore[method-assign]
    assert await racing.provision_bootstrap("hl_dev_admin") is True
    assert await racing.provision_bootstrap("hl_dev_admin") is False
    assert len(store.keys) == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"role": "system", "name": "x"}, "role"),
        ({"role": "inspector", "name": "x"}, "region_code"),
        ({"role": "supervisor", "name": "x", "region_code": "371002001"}, "level"),
        ({"role": "enterprise", "name": "x"}, "enterprise_id"),
        ({"role": "inspector", "name": "x", "region_code": "37A"}, "region_code"),
        ({"role": "inspector", "name": "", "region_code": "37"}, "name"),
    ],
)
def test_identities_must_fit_their_role(values: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        identity_from(values)
    assert field in refused.value.field or field in refused.value.reason


def test_jwt_claims_map_to_a_caller() -> None:
    claims = {"sub": "u-77", "role": "supervisor", "region_code": "3710", "level": "city", "name": "市安委办", "x": 1}
    caller = caller_from_claims(claims)
    assert (caller.id, caller.role, caller.level, caller.region_code, caller.name) == (
        "u-77",
        "supervisor",
        "city",
        "3710",
        "市安委办",
    )
    with pytest.raises(InvalidInput):
        caller_from_claims({"sub": "u-1", "role": "system"})


def test_a_bootstrap_key_must_have_the_form_of_an_api_key() -> None:
    """Any other bearer token is read as a JWT, so a key like "devkey" would never authenticate."""
    assert bootstrap_key_problem("hl_" + "x" * 20) is None
    assert "hl_" in str(bootstrap_key_problem("devkey-123456789012345678901234"))
    assert bootstrap_key_problem("hl_short") is not None
    with pytest.raises(ValidationError, match="must look like an API key"):
        GatewaySettings(bootstrap_admin_key="devkey-123456789012345678901234")


@pytest.mark.parametrize(
    ("region_code", "level"),
    [("37", "province"), ("3710", "city"), ("371002", "county"), ("371071", "county"), ("371002001", None), ("", None)],
)
def test_an_identity_without_a_level_takes_its_regions(region_code: str, level: str | None) -> None:
    role = "inspector" if region_code else "admin"
    identity = identity_from({"role": role, "name": "检查员", "region_code": region_code})
    assert identity.level == level
    assert identity.caller("k-1").level == level
    # Keys stored before levels were derived are read without validation: their caller still has one.
    stored = Identity.model_construct(role=role, name="检查员", region_code=region_code, level=None)
    assert stored.caller("k-1").level == level


def test_a_given_level_is_kept_and_a_supervisor_may_omit_it_where_the_region_has_one() -> None:
    assert (
        identity_from({"role": "supervisor", "name": "市安委办", "region_code": "3710", "level": "city"}).level
        == "city"
    )
    assert identity_from({"role": "supervisor", "name": "区安委办", "region_code": "371002"}).level == "county"
    with pytest.raises(InvalidInput, match="needs a level"):
        identity_from({"role": "supervisor", "name": "镇政府", "region_code": "371002001"})
