"""The embedded stack's NATS users, generated under the data folder at first start.

`<data>/secrets/` (0700) holds `nats-users.json` (0600): for every service user and the operators'
`hl-admin`, a random password and its bcrypt hash; and `bureaus.json` (0600): the bureaus given
read-only access with `./hl bureaus add`, with only the hash of their password. The nats-server
configuration written from them (`<data>/nats/nats-server.conf`, 0600) holds hashes only. None of
it is in the repository; deleting `secrets/` makes the next `./hl up` generate new credentials.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import bcrypt

from hl_platform.nats_io import NatsCredentials
from hl_stack.nats_auth import ADMIN_USER, SERVICE_USERS, Bureau

BCRYPT_COST = 11  # the cost `nats server passwd` uses; nats-server checks it once per connection


def secrets_dir(data_dir: Path) -> Path:
    path = data_dir / "secrets"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def new_password() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, URL-safe (it may end up in a nats:// URL)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_COST)).decode()


def service_credentials(data_dir: Path) -> dict[str, NatsCredentials]:
    """Every service user's credentials (and hl-admin's), generated on first use."""
    path = secrets_dir(data_dir) / "nats-users.json"
    stored: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    changed = False
    for user in (*SERVICE_USERS, ADMIN_USER):
        if user.name not in stored:
            password = new_password()
            stored[user.name] = {"password": password, "hash": hash_password(password)}
            changed = True
    if changed:
        write_private(path, json.dumps(stored, indent=2))
    return {name: NatsCredentials(name, entry["password"]) for name, entry in stored.items()}


def password_hashes(data_dir: Path) -> dict[str, str]:
    path = secrets_dir(data_dir) / "nats-users.json"
    service_credentials(data_dir)  # exist first
    stored: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return {name: entry["hash"] for name, entry in stored.items()}


@dataclass
class BureauRecord:
    id: str
    region_code: str
    password_hash: str
    created_at: str
    revoked_at: str | None = None

    @property
    def bureau(self) -> Bureau:
        return Bureau(self.id, self.region_code)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class BureauRegistry:
    """The bureaus of one data folder (`<data>/secrets/bureaus.json`); revoked ones are kept."""

    def __init__(self, data_dir: Path) -> None:
        self.path = secrets_dir(data_dir) / "bureaus.json"

    def all(self) -> list[BureauRecord]:
        if not self.path.exists():
            return []
        return [BureauRecord(**row) for row in json.loads(self.path.read_text(encoding="utf-8"))]

    def active(self) -> list[BureauRecord]:
        return [record for record in self.all() if record.active]

    def add(self, bureau: Bureau) -> str:
        """Register a bureau; returns its password (shown once, stored only as a hash)."""
        records = self.all()
        if any(record.id == bureau.id and record.active for record in records):
            raise ValueError(f"bureau {bureau.id!r} already has access; revoke it first to issue a new credential")
        password = new_password()
        records = [record for record in records if record.id != bureau.id]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        records.append(BureauRecord(bureau.id, bureau.region_code, hash_password(password), now))
        self._save(records)
        return password

    def revoke(self, bureau_id: str) -> BureauRecord:
        records = self.all()
        for record in records:
            if record.id == bureau_id and record.active:
                record.revoked_at = datetime.now(UTC).isoformat(timespec="seconds")
                self._save(records)
                return record
        raise KeyError(bureau_id)

    def _save(self, records: list[BureauRecord]) -> None:
        write_private(self.path, json.dumps([asdict(record) for record in records], indent=2))
