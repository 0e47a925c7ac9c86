"""An enterprise's profile and an actor, shared by the contract tests that need a real enterprise."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hl_contracts import Actor

NOW = datetime(2024, 5, 20, 2, 0, tzinfo=UTC)
ACTOR = Actor(id="user-inspector-1", name="王检查", role="inspector", organisation="威海市应急管理局")
PROFILE: dict[str, Any] = {
    "uscc": "914403001922038216",  # 华为技术有限公司, as published
    "name": "威海某化工有限公司",
    "region_code": "371002",
    "industry": "hazardous_chemicals",
    "principal": {"name": "张三", "phone": "13800138000"},
}
