"""The caller of an internal service, as vouched for by the gateway.

The gateway authenticates a client, then calls a service with two headers: the shared internal
token (proof the call comes from the gateway) and the caller, base64url-encoded JSON (HTTP headers
are ASCII; names are Chinese). A service refuses any call without a valid token, so an identity
cannot be forged by calling a service directly.
"""

from __future__ import annotations

import base64
import hmac
from typing import Annotated, Any, Final, Literal

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from hl_contracts import Actor
from hl_contracts.roles import PublicRole
from hl_platform.errors import DomainError

TOKEN_HEADER = "X-HL-Internal-Token"
CALLER_HEADER = "X-HL-Caller"
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


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"


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


# `async` although it awaits nothing: FastAPI runs a plain `def` dependency on a worker thread.
async def caller_from_gateway(
    request: Request,
    token: Annotated[str | None, Header(alias=TOKEN_HEADER, include_in_schema=False)] = None,
    caller: Annotated[str | None, Header(alias=CALLER_HEADER, include_in_schema=False)] = None,
) -> Caller:
    expected: str = request.app.state.settings.internal_token
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("internal services accept calls from the gateway only")
    if caller is None:
        raise Unauthenticated(f"missing {CALLER_HEADER}")
    try:
        return Caller.decode(caller)
    except (ValueError, ValidationError) as exc:
        raise Unauthenticated(f"unreadable {CALLER_HEADER}") from exc


CallerDep = Annotated[Caller, Depends(caller_from_gateway)]
