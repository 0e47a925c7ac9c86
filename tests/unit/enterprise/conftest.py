"""Builders shared by the enterprise domain tests: an actor, a clock and a valid profile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hl_catalogue import Region, RegionCatalogue
from hl_contracts import Actor
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import parse_profile

HUAWEI = "914403001922038216"  # 华为技术有限公司, as published
NOW = datetime(2024, 5, 20, 2, 0, tzinfo=UTC)  # 2024-05-20 10:00 in Shanghai


@pytest.fixture
def actor() -> Actor:
    return Actor(id="user-inspector-1", name="王检查", role="inspector", organisation="威海市应急管理局")


@pytest.fixture
def tiny_regions() -> RegionCatalogue:
    """A catalogue of three regions, to show profiles check against the one they are given."""
    return RegionCatalogue(
        [
            Region("37", "山东省", "", "province"),
            Region("3710", "威海市", "37", "city"),
            Region("371002", "环翠区", "3710", "county"),
        ]
    )


ProfileData = Callable[..., dict[str, Any]]


def _profile_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": HUAWEI,
        "name": "威海某化工有限公司",
        "region_code": "371002",
        "industry": "hazardous_chemicals",
        "address": "威海市环翠区某路1号",
        "principal": {"name": "张三", "phone": "13800138000"},
        "high_risk": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def profile_data() -> ProfileData:
    """A builder of valid raw profile input; keyword arguments override fields."""
    return _profile_data


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def enterprise(actor: Actor) -> Enterprise:
    """A registered enterprise whose registration has been saved (no pending changes)."""
    registered = Enterprise.register("ent-1", parse_profile(_profile_data()), actor, NOW)
    registered.changes.clear()
    return registered
