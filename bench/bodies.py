"""Request bodies: a registered enterprise and a hazard report, as the integration tests send them."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from stdnum.cn import uscc as uscc_check

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def random_uscc(region: str = "371002", rng: random.Random | None = None) -> str:
    """A valid unified social credit code (both check characters right), as tests/support/uscc.py."""
    rng = rng or random.Random()
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    partial = f"91{region}{body}{check}"
    return partial + uscc_check.calc_check_digit(partial)


def enterprise_body(region: str = "371002") -> dict[str, Any]:
    return {
        "uscc": random_uscc(region),
        "name": "威海市压测化工有限公司",
        "region_code": region,
        "industry": "hazardous_chemicals",
        "address": "威海市环翠区压测路1号",
        "principal": {"name": "赵总", "phone": "13806310000"},
        "high_risk": True,
    }


def report_body(enterprise_id: str, found_at: datetime | None = None) -> dict[str, Any]:
    """tests/integration/hazard/test_hazard_api.py `_report`."""
    found_at = found_at or datetime.now(UTC) - timedelta(hours=2)
    return {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨储罐区未设置泄漏报警装置",
        "found_at": found_at.isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
        "standard_clause": "化工和危险化学品重大隐患判定标准 第十条",
    }


def dumps(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


async def register_enterprise(base_url: str, path: str, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        answer = await client.post(path, json=enterprise_body())
        if answer.status_code != 201:
            raise RuntimeError(f"registering an enterprise: {answer.status_code} {answer.text[:300]}")
        return str(answer.json()["id"])


async def wait_until_known(
    base_url: str, path: str, headers: dict[str, str], enterprise_id: str, within_s: float = 60
) -> None:
    """POST reports until the hazard service's enterprise replica knows the enterprise (not 409)."""
    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        while time.monotonic() < deadline:
            answer = await client.post(path, json=report_body(enterprise_id))
            if answer.status_code == 201:
                return
            if answer.status_code != 409:
                raise RuntimeError(f"reporting a hazard: {answer.status_code} {answer.text[:300]}")
            await asyncio.sleep(0.1)
    raise TimeoutError(f"the hazard service did not learn of enterprise {enterprise_id} in {within_s:.0f} s")
