"""The ports of the evidence handlers (`attachments.py`) and the values that cross them.

DomainError (hl_platform.errors)
├── PayloadTooLarge     413  over the size limit of its kind
├── UnsupportedContent  415  the bytes are not a type accepted as evidence
└── StoreUnavailable    503  the object store cannot be reached (Retry-After)
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_hazard.domain.model import Hazard
from hl_platform.errors import DomainError
from hl_platform.identity import Caller
from hl_platform.object_store import PayloadTooLarge as PayloadTooLarge
from hl_platform.object_store import StoreUnavailable as StoreUnavailable

PENDING = "pending/"


class UnsupportedContent(DomainError):
    status = 415
    title = "Unsupported media type"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"field": "file", "reason": detail}])


@dataclass(frozen=True)
class CheckedContent:
    """What the bytes are, as the content check found them."""

    content_type: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredAttachment:
    """A committed attachment's row: where its bytes are, and whether they were promoted there."""

    attachment_id: str
    hazard_id: str
    object_key: str
    promoted: bool


@dataclass(frozen=True)
class Upload:
    step: AttachmentStep
    kind: AttachmentKind
    filename: str
    description: str = ""


@dataclass(frozen=True)
class SizeLimits:
    photo_max_bytes: int
    document_max_bytes: int

    def for_kind(self, kind: AttachmentKind) -> int:
        return self.photo_max_bytes if kind == AttachmentKind.PHOTO else self.document_max_bytes


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class SweepResult:
    promoted: int
    removed: int


class ObjectStore(Protocol):
    """Any S3-compatible store. Every method raises `StoreUnavailable` when the store cannot be used."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def copy(self, source: str, target: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def get(self, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes; None if absent; `PayloadTooLarge` if over `max_bytes`."""
        ...

    async def keys(self, prefix: str, modified_before: datetime) -> list[str]: ...
    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        """A presigned GET (computed locally, no call to the store)."""
        ...

    def upload_url(self, key: str, *, size_bytes: int, ttl_s: int) -> str:
        """A presigned PUT of exactly `size_bytes` (the length is signed)."""
        ...


class ContentCheck(Protocol):
    def check(self, data: bytes, kind: AttachmentKind) -> CheckedContent:
        """The sniffed and fully validated content; `UnsupportedContent` or `InvalidInput` if it is not."""
        ...


class HazardUnit(Protocol):
    """One transaction on the hazard store, as the evidence handlers need it."""

    async def visible(self, caller: Caller, hazard_id: str) -> Hazard:
        """The hazard if the caller may see it, with the city's rules set; `NotFound` otherwise."""
        ...

    async def save(self, hazard: Hazard) -> None: ...
    async def add(self, stored: StoredAttachment, at: datetime) -> None: ...
    async def stored(self, attachment_ids: list[str]) -> dict[str, StoredAttachment]: ...
    async def mark_promoted(self, attachment_id: str, at: datetime) -> None: ...


class HazardUnits(Protocol):
    def write(self) -> AbstractAsyncContextManager[HazardUnit]: ...
    def read(self) -> AbstractAsyncContextManager[HazardUnit]: ...


def pending_key(hazard_id: str, attachment_id: str) -> str:
    return f"{PENDING}{hazard_id}/{attachment_id}"


def object_key(hazard_id: str, attachment_id: str) -> str:
    return f"hazards/{hazard_id}/{attachment_id}"
