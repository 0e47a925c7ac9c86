"""Cursor pagination: `items` and an opaque `next_cursor` (the last row's sort key, base64url JSON)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hl_platform.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True)
class CursorPage(Generic[T]):
    """A page of a query's answers and the cursor of the next; the API's `Page` presents it."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        key: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", "is not a cursor this service issued") from exc
    if not (isinstance(key, list) and len(key) == size and all(isinstance(part, str) for part in key)):
        raise InvalidInput("cursor", "is not a cursor this service issued")
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit
