"""The ports of the tips service: what its use cases need from the outside, as small interfaces.

Adapters implement them over SQL, AES-GCM, scrypt (`adapters/`) and an S3 object store
(`hl_platform.object_store`, shared with the hazard service's evidence); unit tests
pass in-memory fakes (`tests/unit/tips/fakes.py`). A unit of work is one transaction: everything
written through it — the tip's events with their outbox rows, its summary, its sealed identity,
its credentials, an idempotency record — commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from hl_contracts import CloudEvent
from hl_tips.domain.duplicates import Candidate
from hl_tips.domain.identity import Identity
from hl_tips.domain.model import Tip

Clock = Callable[[], datetime]
Random = Callable[[int], bytes]


class TipRepository(Protocol):
    async def get(self, tip_id: str) -> Tip | None: ...
    async def history(self, tip_id: str) -> list[CloudEvent]: ...
    async def save(self, tip: Tip, facts_key: str | None = None) -> None:
        """Append the tip's new events (and outbox rows) and refresh its summary row."""
        ...


class IdentityVault(Protocol):
    """Sealed identities: encrypted under a key of their own, itself wrapped by the master key."""

    async def seal(self, tip_id: str, identity: Identity) -> None: ...
    async def open(self, tip_id: str) -> Identity | None:
        """The identity, or None once its key was destroyed (or if none was sealed)."""
        ...

    async def shred(self, tip_id: str) -> None:
        """Destroy the tip's key: its sealed identity can never be read again."""
        ...


@dataclass(frozen=True)
class Credential:
    tip_id: str
    tracking_number: str
    secret_hash: str


class Credentials(Protocol):
    """Tracking numbers and the hashes of their secrets (never a secret itself)."""

    async def add(self, credential: Credential) -> bool:
        """False when the tracking number is taken (draw another)."""
        ...

    async def find(self, tracking_number: str) -> Credential | None: ...
    async def replace_secret(self, tip_id: str, secret_hash: str) -> None: ...


@dataclass(frozen=True)
class EnterpriseRecord:
    id: str
    uscc: str
    name: str
    region_code: str
    industry: str
    active: bool = True


class Enterprises(Protocol):
    """The enterprises this service knows (a replica of the enterprise stream)."""

    async def by_id(self, enterprise_id: str) -> EnterpriseRecord | None: ...
    async def resolve(self, uscc: str, name: str, region_code: str) -> EnterpriseRecord | None:
        """The one enterprise a tip names by uscc, or else by its exact name (in the region given)."""
        ...


@dataclass(frozen=True)
class Filters:
    region_code: str = ""
    status: str | None = None
    category: str | None = None
    overdue: bool | None = None
    reward_status: str | None = None


class TipIndex(Protocol):
    """The tips as rows: lists, the overdue scan, and the candidates for duplicate detection."""

    async def lock_facts(self, facts_key: str) -> None:
        """Serialise duplicate detection for one enterprise (two identical tips at once link, too)."""
        ...

    async def candidates(self, facts_key: str, since: datetime) -> list[Candidate]: ...
    async def page(
        self, filters: Filters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]: ...
    async def due_for_overdue(self, today: Any, limit: int = 500) -> list[str]: ...


@dataclass(frozen=True)
class IdempotencyRecord:
    client_id: str
    key_hash: str
    fingerprint: str
    tip_id: str
    response: dict[str, Any]
    expires_at: datetime


class IdempotencyRecords(Protocol):
    async def get(self, client_id: str, key_hash: str) -> IdempotencyRecord | None: ...
    async def put(self, record: IdempotencyRecord, now: datetime) -> None:
        """Store `record` (replacing an expired one); `DuplicateRequest` if another stored the key first."""
        ...


class DuplicateRequest(Exception):
    """Another request with the same Idempotency-Key committed first: run again to replay it."""


class UnitOfWork(Protocol):
    tips: TipRepository
    vault: IdentityVault
    credentials: Credentials
    enterprises: Enterprises
    index: TipIndex
    idempotency: IdempotencyRecords

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Commit when the block ended normally, roll back when it raised."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork: ...


class PhotoStore(Protocol):
    """Where the photos' bytes live: a private bucket of an S3-compatible store (`photo_key` names
    each object; it is written before the event that records it). Every method raises
    `StoreUnavailable` (503) when the store cannot be used."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes; None if absent; `PayloadTooLarge` if over `max_bytes`."""
        ...

    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        """A presigned GET valid for `ttl_s` seconds (signed locally, no call to the store)."""
        ...


class SecretHasher(Protocol):
    async def hash(self, secret: str) -> str: ...
    async def verify(self, secret: str, hashed: str | None) -> bool:
        """Whether `secret` matches; with `hashed` None it spends the same time and says False."""
        ...
