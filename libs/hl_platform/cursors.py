"""Opaque cursors for keyset pagination: the last key of a page, base64url-encoded."""

from __future__ import annotations

import base64

from hl_platform.errors import InvalidInput


def encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor", "not a cursor this API returned") from None
