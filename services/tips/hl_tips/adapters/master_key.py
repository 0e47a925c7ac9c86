"""The master key that wraps every tip's data key: from settings, or a file in the data folder.

In development the file is generated at first start (32 random bytes, base64, mode 0600). In
production it must be given (HL_TIPS_MASTER_KEY, or an existing file mounted from a secret store):
a generated key would silently be lost with the container, and every sealed identity with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

KEY_BYTES = 32


class MasterKeyError(ValueError):
    """No usable master key (the message says what to set)."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes = b""

    @property
    def key_id(self) -> str:
        """A short fingerprint, stored beside each wrapped key, so a wrong or rotated key is told apart."""
        return hashlib.sha256(b"hl-tips-master-key:" + self.key).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key itself
        return f"MasterKey(id={self.key_id})"


def decode_key(text: str) -> MasterKey:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MasterKeyError("the tips master key must be base64 (url-safe) of 32 bytes") from exc
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(f"the tips master key must be {KEY_BYTES} bytes, not {len(raw)}")
    return MasterKey(raw)


def load_master_key(configured: str, path: Path, *, may_generate: bool) -> MasterKey:
    """The configured key, else the file's, else (development only) a new key written to the file."""
    if configured:
        return decode_key(configured)
    if path.exists():
        return decode_key(path.read_text(encoding="ascii"))
    if not may_generate:
        raise MasterKeyError(f"set HL_TIPS_MASTER_KEY or provide {path}: production never generates the master key")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another replica created it first: use theirs
        return decode_key(path.read_text(encoding="ascii"))
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(text + "\n")
    return decode_key(text)
