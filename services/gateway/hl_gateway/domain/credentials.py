"""Credentials: API keys (random, shown once, kept only as a SHA-256 hash) and the identities
they or a JWT's claims stand for.

A key is `hl_` followed by 32 random bytes (base64url): guessing one is hopeless, so a plain
SHA-256 is the right hash (a slow password hash would only slow every request down).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hl_contracts.roles import ROLES, PublicRole
from hl_platform.caller import Caller, with_level
from hl_platform.errors import InvalidInput

KEY_PREFIX = "hl_"
KEY_BYTES = 32
SHOWN_PREFIX_CHARS = 8  # e.g. "hl_AbCdE", enough for an operator to tell keys apart

Level = Literal["county", "city", "province"]


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    return key[:SHOWN_PREFIX_CHARS]


def looks_like_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


MIN_BOOTSTRAP_KEY_CHARS = 16


def bootstrap_key_problem(key: str) -> str | None:
    """Why `key` cannot be a bootstrap admin key, or None (a bearer token not in key form is a JWT)."""
    if looks_like_key(key) and len(key) >= MIN_BOOTSTRAP_KEY_CHARS:
        return None
    return f"must look like an API key: {KEY_PREFIX} followed by random characters, {MIN_BOOTSTRAP_KEY_CHARS} at least"


class Identity(BaseModel):
    """Who a credential stands for: a role and its scope. Checked the same for keys and JWTs."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    role: PublicRole
    name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(default="", max_length=12, pattern=r"^[0-9]*$")
    level: Level | None = None
    department: str = Field(default="", max_length=200)
    enterprise_id: str | None = Field(default=None, min_length=1, max_length=64)
    organisation: str = Field(default="", max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _level_from_region(cls, values: Any) -> Any:
        """No level given: the region's (a county inspector is county level, a town's has none)."""
        return with_level(values)

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Identity:
        if self.role not in ("admin", "enterprise") and len(self.region_code) < 2:
            raise ValueError(f"a {self.role} needs a region_code (GB/T 2260, at least the province)")
        if self.role == "supervisor" and self.level is None:
            raise ValueError("a supervisor needs a level (county, city or province)")
        if self.role == "enterprise" and not self.enterprise_id:
            raise ValueError("an enterprise user needs an enterprise_id")
        if self.role != "enterprise" and self.enterprise_id:
            raise ValueError("only an enterprise user has an enterprise_id")
        return self

    def caller(self, caller_id: str) -> Caller:
        return Caller(id=caller_id, **self.model_dump())


def identity_from(values: dict[str, Any]) -> Identity:
    """An identity from untrusted values (a request, a CLI, claims); `InvalidInput` if they do not fit."""
    try:
        return Identity.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "identity"
        raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from None


@dataclass(frozen=True)
class StoredKey:
    """An API key as the gateway keeps it: the hash, never the key."""

    id: str
    key_hash: str
    prefix: str
    identity: Identity
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def caller(self) -> Caller:
        return self.identity.caller(self.id)

    def due_for_touch(self, now: datetime, every_s: float = 60.0) -> bool:
        """Whether `last_used_at` is stale enough to write again (at most once a minute)."""
        return self.last_used_at is None or (now - self.last_used_at).total_seconds() >= every_s


CLAIMS = ("role", "name", "region_code", "level", "department", "enterprise_id", "organisation")


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    """The caller a verified JWT stands for: `sub` is its id; our claims are its role and scope."""
    values = {name: claims[name] for name in CLAIMS if claims.get(name) not in (None, "")}
    values.setdefault("name", str(claims.get("sub", "")))
    if values.get("role") not in ROLES:
        raise InvalidInput("role", f"the token's role must be one of {', '.join(ROLES)}")
    return identity_from(values).caller(str(claims["sub"]))
