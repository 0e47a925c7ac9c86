"""Who is calling: an authenticated identity with its role and scope, as every layer sees it.

Pure (pydantic only): domain rules that depend on the caller's scope import it from here, while
`hl_platform.identity` reads it from the gateway's headers at a service's HTTP edge.
"""

from __future__ import annotations

import base64
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from hl_contracts import Actor
from hl_contracts.roles import PublicRole

Role = PublicRole | Literal["system"]  # "system": the services' own clocks, never a client
Level = Literal["county", "city", "province"]
# GB/T 2260: a region code's length is its level. A 9-digit town has no listing level (挂牌督办 is
# a county's, a city's or a province's), nor has the whole country ("").
LEVEL_OF_CODE_LENGTH: Final[dict[int, Level]] = {2: "province", 4: "city", 6: "county"}


def level_of(region_code: str) -> Level | None:
    """The level a region code stands for: 2 digits a province, 4 a city, 6 a county; else None."""
    return LEVEL_OF_CODE_LENGTH.get(len(region_code)) if region_code.isdigit() else None


def with_level(values: Any) -> Any:
    """A pydantic "before" validator body: an identity given no level takes its region's."""
    if isinstance(values, dict) and values.get("level") is None:
        level = level_of(str(values.get("region_code") or ""))
        if level is not None:
            return {**values, "level": level}
    return values


class Caller(BaseModel):
    """An authenticated identity: its actor (recorded on events) and its scope."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    role: Role
    organisation: str = ""
    region_code: str = ""  # "" = the whole country (admin, system)
    level: Level | None = None  # when not given, the region's (`level_of`)
    department: str = ""
    enterprise_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _level_from_region(cls, values: Any) -> Any:
        return with_level(values)

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, name=self.name, role=self.role, organisation=self.organisation or self.department)

    def sees(self, region_code: str, enterprise_id: str) -> bool:
        """Whether a record of this region and enterprise is in the caller's scope (its region, or
        for an enterprise user its own enterprise); outside it, a record is "not found"."""
        if self.role == "enterprise":
            return self.enterprise_id == enterprise_id
        return region_code.startswith(self.region_code)

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.model_dump_json().encode()).decode()

    @classmethod
    def decode(cls, value: str) -> Caller:
        return cls.model_validate_json(base64.urlsafe_b64decode(value.encode()))
