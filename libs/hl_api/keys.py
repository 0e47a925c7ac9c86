"""Schemas of API keys: issued by an admin for an identity, shown once, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hl_api.common import Request
from hl_contracts.roles import PublicRole


class ApiKeyCreate(Request):
    """The identity the key stands for. Its region must lie inside the issuing admin's region."""

    role: PublicRole
    name: str = Field(min_length=1, max_length=200, description="the person or system using the key")
    region_code: str = Field(
        default="",
        max_length=12,
        pattern=r"^[0-9]*$",
        description="GB/T 2260 prefix the identity is limited to; required except for admin and enterprise",
    )
    level: Literal["county", "city", "province"] | None = Field(
        default=None,
        description="default: the region's (2 digits a province, 4 a city, 6 a county; a town has none); "
        "a supervisor needs one",
    )
    department: str = Field(default="", max_length=200)
    enterprise_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="required for (and only for) enterprise users"
    )
    organisation: str = Field(default="", max_length=200)


class ApiKeyPublic(BaseModel):
    """An API key as listed: who it stands for and its history, never the key itself."""

    id: str
    prefix: str = Field(description="the key's first characters, to tell keys apart")
    role: PublicRole
    name: str
    region_code: str
    level: Literal["county", "city", "province"] | None = None
    department: str = ""
    enterprise_id: str | None = None
    organisation: str = ""
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = Field(default=None, description="updated at most once a minute")
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the key; shown in this response only (an Idempotency-Key replay returns it empty)")
