"""Sealed identities with crypto-shredding, over two tables and AES-256-GCM (`cryptography`).

Each identity is encrypted under a fresh data key of its own tip; the data key is stored wrapped by
the master key. Both encryptions bind the tip id as associated data, so a sealed row or a key moved
to another tip fails to open rather than open as someone else. Shredding sets the wrapped key to
NULL: the identity's ciphertext stays, and without its key it is noise — the events keep their
history, the person is gone. (The physical bytes of the old key may survive in the database's free
pages or WAL until they are reused or vacuumed; they are wrapped by the master key meanwhile.)
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_tips.adapters.master_key import MasterKey
from hl_tips.adapters.tables import sealed_identities, tip_keys
from hl_tips.domain.identity import Identity

NONCE_BYTES = 12


class VaultError(RuntimeError):
    """A key or a sealed record that does not open: a wrong master key, or tampering."""


def _aad(kind: str, tip_id: str) -> bytes:
    return f"hl-tips:{kind}:{tip_id}".encode()


class SqlVault:
    def __init__(self, conn: AsyncConnection, master: MasterKey) -> None:
        self.conn = conn
        self.master = master

    async def seal(self, tip_id: str, identity: Identity) -> None:
        data_key = AESGCM.generate_key(bit_length=256)
        key_nonce, nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
        wrapped = AESGCM(self.master.key).encrypt(key_nonce, data_key, _aad("key", tip_id))
        plaintext = json.dumps(identity.to_dict(), ensure_ascii=False).encode()
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _aad("identity", tip_id))
        now = datetime.now(UTC)
        await self.conn.execute(
            insert(tip_keys).values(
                tip_id=tip_id,
                master_key_id=self.master.key_id,
                key_nonce=key_nonce,
                wrapped_key=wrapped,
                created_at=now,
            )
        )
        await self.conn.execute(
            insert(sealed_identities).values(tip_id=tip_id, nonce=nonce, ciphertext=ciphertext, created_at=now)
        )

    async def open(self, tip_id: str) -> Identity | None:
        key = (await self.conn.execute(select(tip_keys).where(tip_keys.c.tip_id == tip_id))).one_or_none()
        if key is None or key.wrapped_key is None:
            return None
        sealed = (
            await self.conn.execute(select(sealed_identities).where(sealed_identities.c.tip_id == tip_id))
        ).one_or_none()
        if sealed is None:
            return None
        if key.master_key_id != self.master.key_id:
            raise VaultError(f"tip {tip_id}'s key was wrapped by master key {key.master_key_id}, not this one")
        try:
            data_key = AESGCM(self.master.key).decrypt(key.key_nonce, key.wrapped_key, _aad("key", tip_id))
            plaintext = AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, _aad("identity", tip_id))
        except InvalidTag as exc:
            raise VaultError(f"tip {tip_id}'s sealed identity does not open") from exc
        return Identity.from_dict(json.loads(plaintext))

    async def shred(self, tip_id: str) -> None:
        if self.conn.dialect.name == "sqlite":  # overwrite freed space with zeros from now on
            await self.conn.exec_driver_sql("PRAGMA secure_delete = ON")
        await self.conn.execute(
            update(tip_keys)
            .where(tip_keys.c.tip_id == tip_id)
            .values(wrapped_key=None, key_nonce=None, destroyed_at=datetime.now(UTC))
        )
