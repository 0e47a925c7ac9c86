"""Signing secrets sealed at rest: AES-256-GCM under the service's master key
(`hl_platform.master_key`: HL_WEBHOOKS_MASTER_KEY or the key file), each bound to its subscription.

A copy of the database (a backup, a replica, a dump in a ticket) then holds no secret that could
forge a delivery: the receiver trusts a signature only because nobody else can make one. The
stored form is `v1.<master key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`; the subscription id is
the associated data, so a sealed secret moved to another subscription does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hl_platform.master_key import MasterKey

VERSION = "v1"
NONCE_BYTES = 12


class SealError(ValueError):
    """A stored secret that this master key cannot open (another key, or altered)."""


class SecretBox:
    def __init__(self, master: MasterKey) -> None:
        self.key_id = master.key_id
        self._aead = AESGCM(master.key)

    def seal(self, secret: str, subscription_id: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), subscription_id.encode())
        return f"{VERSION}.{self.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, stored: str, subscription_id: str) -> str:
        version, key_id, body = [*stored.split(".", 2), "", ""][:3]
        if version != VERSION:
            raise SealError(f"subscription {subscription_id}'s secret is not sealed ({version!r})")
        if key_id != self.key_id:
            raise SealError(f"subscription {subscription_id}'s secret was sealed by master key {key_id}, not this one")
        raw = base64.urlsafe_b64decode(body)
        try:
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subscription_id.encode()).decode()
        except InvalidTag as exc:
            raise SealError(f"subscription {subscription_id}'s sealed secret does not open") from exc

    def seal_optional(self, secret: str | None, subscription_id: str) -> str | None:
        return None if secret is None else self.seal(secret, subscription_id)

    def open_optional(self, stored: str | None, subscription_id: str) -> str | None:
        return None if stored is None else self.open(stored, subscription_id)
