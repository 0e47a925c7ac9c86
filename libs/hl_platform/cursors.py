"""Opaque cursors for keyset pagination: the last key of a page, base64url-encoded.

A cursor comes back from a client, so it is checked before it reaches a query: strict base64url,
and a key of the shape the services issue (an id: letters, digits, `-`, `_`, `.`, `:`).
"""

from __future__ import annotations

import base64
import binascii
import re

from hl_platform.errors import InvalidInput

MAX_KEY_CHARS = 128
_ENCODED = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # MAX_KEY_CHARS


def encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode()


def decode_cursor(cursor: str) -> str:
    refused = InvalidInput("cursor", "not a cursor this API returned")
    if not _ENCODED.fullmatch(cursor):
        raise refused
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise refused from None
    if not _KEY.fullmatch(key):
        raise refused
    return key
