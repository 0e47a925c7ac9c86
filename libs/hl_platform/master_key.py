"""A service's master key: the one secret, outside the database, that seals the secrets kept in it
(the tips service's per-tip data keys, the webhooks service's signing secrets).

From a setting, or a file in the data folder. In development the file is generated at first start
(32 random bytes, base64, mode 0600). In production it must be given (the setting, or an existing
file mounted from a secret store): a generated key would silently be lost with the container, and
every secret it sealed with it.
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
    purpose: str = "tips"  # what the key seals; part of its fingerprint

    @property
    def key_id(self) -> str:
        """A short fingerprint, stored beside what it sealed, so a wrong or rotated key is told apart."""
        return hashlib.sha256(f"hl-{self.purpose}-master-key:".encode() + self.key).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key itself
        return f"MasterKey({self.purpose}, id={self.key_id})"


@dataclass(frozen=True)
class KeySource:
    """Where a service's master key comes from: its setting (named in errors) and its file."""

    purpose: str
    setting: str
    configured: str
    path: Path

    def decode(self, text: str) -> MasterKey:
        try:
            raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        except (binascii.Error, ValueError) as exc:
            raise MasterKeyError(f"{self.setting} must be base64 (url-safe) of {KEY_BYTES} bytes") from exc
        if len(raw) != KEY_BYTES:
            raise MasterKeyError(f"{self.setting} must be {KEY_BYTES} bytes, not {len(raw)}")
        return MasterKey(raw, self.purpose)

    def load(self, *, may_generate: bool) -> MasterKey:
        """The configured key, else the file's, else (development only) a new key written to the file."""
        if self.configured:
            return self.decode(self.configured)
        if self.path.exists():
            return self.decode(self.path.read_text(encoding="ascii"))
        if not may_generate:
            raise MasterKeyError(
                f"set {self.setting} or provide {self.path}: production never generates the master key"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()
        # Written whole under a private name, then linked into place: the link fails if another
        # process made the key first, and nobody ever reads a half-written key.
        draft = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(text + "\n")
        try:
            os.link(draft, self.path)
        except FileExistsError:  # another replica made it first: use theirs
            return self.decode(self.path.read_text(encoding="ascii"))
        finally:
            draft.unlink()
        return self.decode(text)
