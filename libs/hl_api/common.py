"""Schemas used by every resource."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hl_contracts.text import reject_nul

T = TypeVar("T")
MAX_PAGE = 200


class Request(BaseModel):
    """A request body: unknown fields are refused, so a typo is an error rather than ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="opaque; absent on the last page")


class ActorPublic(BaseModel):
    id: str
    name: str
    role: str
    organisation: str = ""
