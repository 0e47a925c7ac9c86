"""One row of the public route table: what a public route is, from which the gateway serves it.

A row names the public method and path, the service and internal path behind it, the permission
that guards it, its request and response models, its query and header parameters, how it treats
an Idempotency-Key, and its OpenAPI text. `generate.py` turns rows into FastAPI routes (and so into
the operations of `/openapi.json`); a row with an `endpoint` is a route whose work the gateway does
itself (or orchestrates), served by that function with the row's metadata and permission.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from hl_gateway.domain.access import Operation
from hl_gateway.domain.reply import Reply

Responses = Mapping[int | str, dict[str, Any]]


class Idempotency(StrEnum):
    """Who keeps a write's Idempotency-Key."""

    FORWARDED = "forwarded"  # the service stores it with the write; the gateway keeps a copy too
    GATEWAY = "gateway"  # the gateway alone (the service behind keeps none)
    SERVICE = "service"  # the service alone: its answers hold secrets the gateway must not keep


def query(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    """A query parameter as FastAPI reads it from a signature (`Annotated[..., Query(...)]`)."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


@dataclass(frozen=True)
class Upstream:
    """The internal route a public one is forwarded to; its path is the public one without /api/v1."""

    service: str
    path: str


@dataclass(frozen=True)
class Route:
    """A public route under /api/v1: the single place it is declared."""

    name: str  # the handler's name: FastAPI's operationId is derived from it, so it never changes
    method: str
    path: str  # under /api/v1, with `{name}` path parameters
    tag: str
    summary: str
    doc: str
    permission: Operation | None  # None: public, without credentials
    upstream: Upstream | None = None  # the internal route behind it (None: the gateway answers itself)
    status: int = 200
    body: type[BaseModel] | None = None
    response_model: Any = None  # None: a file, a stream or no content (documented in `responses`)
    responses: Responses = field(default_factory=dict)
    path_params: Mapping[str, Any] = field(default_factory=dict)  # name → Annotated[str, Path(...)]
    query: tuple[inspect.Parameter, ...] = ()
    headers: tuple[inspect.Parameter, ...] = ()  # forwarded as given (the tip's secret)
    idempotency: Idempotency | None = None
    if_match: bool = False
    region_checked: bool = False  # a region_code parameter (query or body) must lie inside the caller's
    no_store: bool = False  # the answer must not be cached anywhere on the way
    redact: Callable[[Reply], Reply] | None = None  # what a kept copy (GATEWAY) leaves out
    endpoint: Callable[..., Any] | None = None  # the gateway's own handler (else: forwarded as declared)
    openapi_extra: dict[str, Any] | None = None
    public_limited: bool = False  # counted against the caller address's bucket (no key to count by)

    @property
    def public_path(self) -> str:
        return "/api/v1" + self.path

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def media(self) -> tuple[str, ...]:
        """The content types of a success: a file's or a stream's as documented, else JSON."""
        success = self.responses.get(self.status, {})
        return tuple(success.get("content", {})) or (("application/json",) if self.status != 204 else ())

    def __post_init__(self) -> None:
        assert self.upstream is not None or self.endpoint is not None, f"{self.name}: neither forwarded nor served"


@dataclass(frozen=True)
class Internal:
    """An internal route deliberately not public, and why (the route-coverage test reads these)."""

    service: str
    method: str
    path: str
    reason: str
