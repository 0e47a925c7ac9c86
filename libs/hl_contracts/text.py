"""Text that every store accepts: no NUL character (PostgreSQL refuses U+0000 in text columns,
SQLite keeps it), checked once at every boundary so that the backends never disagree."""

from __future__ import annotations

from typing import Any


def reject_nul(value: Any) -> Any:
    """A pydantic `field_validator("*", mode="before")` body: refuse U+0000 anywhere in a value."""
    if _has_nul(value):
        raise ValueError("must not contain the NUL character (U+0000)")
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False
