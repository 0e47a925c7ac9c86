"""Evidence (佐证材料): adding files to a hazard's steps, withdrawing them, signed download links.

An upload takes five steps, in an order that never leaves a reachable file without its event:
1. check the request (file name, kind for the step, size) and the bytes (type, completeness);
2. check that the caller may add it to this hazard now (a dry run on the aggregate);
3. put the bytes under a *pending* key: no event names it, so no link can be signed for it;
4. commit `hazard.attachment_added` (and its `hazard_attachments` row) in one transaction;
5. promote: copy to the attachment's own key and remove the pending copy.
Nothing is stored before 3; a refusal in 4 removes the pending object; a crash or a lost commit
leaves at most a pending object, which the sweep removes (no event) or promotes (event committed).

    DomainError (hl_platform.errors)
    ├── PayloadTooLarge     413  over the size limit of its kind
    ├── UnsupportedContent  415  the bytes are not a type accepted as evidence
    └── StoreUnavailable    503  the object store cannot be reached (Retry-After)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_hazard.application.service import principal_of
from hl_hazard.domain.commands import AddAttachment, WithdrawAttachment
from hl_hazard.domain.evidence import Attachment, check_filename, check_kind
from hl_hazard.domain.model import Hazard
from hl_platform.errors import DomainError, InvalidInput, NotFound
from hl_platform.eventstore import ConcurrencyError
from hl_platform.identity import Caller
from hl_platform.ids import new_id

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]
PENDING = "pending/"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class UnsupportedContent(DomainError):
    status = 415
    title = "Unsupported media type"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"field": "file", "reason": detail}])


class StoreUnavailable(DomainError):
    status = 503
    title = "Object store unavailable"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_s)}


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


class AttachmentService:
    def __init__(
        self,
        units: HazardUnits,
        store: ObjectStore,
        checker: ContentCheck,
        limits: SizeLimits,
        *,
        link_ttl_s: int = 300,
        pending_grace: timedelta = timedelta(hours=1),
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock | None = None,
        checks_at_once: int = 2,
    ) -> None:
        self.units, self.store, self.checker, self.limits = units, store, checker, limits
        self.link_ttl_s = link_ttl_s
        self.pending_grace = pending_grace
        self.on_commit = on_commit
        self.clock = clock or (lambda: datetime.now(UTC))
        self._checking = asyncio.Semaphore(checks_at_once)  # the check is CPU work: bound it

    async def add(self, caller: Caller, hazard_id: str, upload: Upload, data: bytes) -> dict[str, Any]:
        """Check, store pending, commit the event, promote (see the module's docstring)."""
        command = await self.checked(upload, data, new_id())
        await self.dry_run(caller, hazard_id, command)
        await self.store.put(pending_key(hazard_id, command.attachment_id), data, command.content_type)
        return await self.seal(caller, hazard_id, command)

    async def dry_run(self, caller: Caller, hazard_id: str, command: AddAttachment) -> None:
        """Refuse (404, 403, 409) before anything is stored, as the commit would."""
        async with self.units.read() as unit:
            (await unit.visible(caller, hazard_id)).add_attachment(command, principal_of(caller), self.clock())

    async def seal(self, caller: Caller, hazard_id: str, command: AddAttachment) -> dict[str, Any]:
        """Commit the event of a file stored pending, then promote it."""
        pending = pending_key(hazard_id, command.attachment_id)
        try:
            hazard = await self._commit(caller, hazard_id, command)
        except (DomainError, ConcurrencyError) as exc:  # refused before the commit: the event does not exist
            if getattr(exc, "rule", None) != "attachment-exists":  # then the bytes are a committed attachment's
                with contextlib.suppress(StoreUnavailable):  # else the sweep removes it
                    await self.store.delete(pending)
            raise
        self.on_commit()
        stored = StoredAttachment(command.attachment_id, hazard_id, object_key(hazard_id, command.attachment_id), False)
        with contextlib.suppress(StoreUnavailable):  # committed: the sweep or the first download promotes it
            await self._promote(stored)
        return attachment_view(hazard, hazard.evidence.attachments[command.attachment_id])

    def check_request(self, upload: Upload, size_bytes: int) -> str:
        """The file name, the kind for the step and the size: what can be refused before the bytes."""
        filename = check_filename(upload.filename)
        check_kind(upload.step, upload.kind)
        if size_bytes < 1:
            raise InvalidInput("file", "is empty")
        limit = self.limits.for_kind(upload.kind)
        if size_bytes > limit:
            raise PayloadTooLarge(f"a {upload.kind} is limited to {limit} bytes; this file has {size_bytes}")
        return filename

    async def withdraw(self, caller: Caller, hazard_id: str, attachment_id: str, reason: str) -> dict[str, Any]:
        command = WithdrawAttachment(attachment_id=attachment_id, reason=reason)
        async with self.units.write() as unit:
            hazard = await unit.visible(caller, hazard_id)
            hazard.withdraw_attachment(command, principal_of(caller), self.clock())
            await unit.save(hazard)
        self.on_commit()
        return attachment_view(hazard, hazard.evidence.attachments[attachment_id])

    async def list(self, caller: Caller, hazard_id: str) -> list[dict[str, Any]]:
        async with self.units.read() as unit:
            hazard = await unit.visible(caller, hazard_id)
        return [attachment_view(hazard, attachment) for attachment in hazard.evidence.attachments.values()]

    async def get(self, caller: Caller, hazard_id: str, attachment_id: str) -> dict[str, Any]:
        async with self.units.read() as unit:
            hazard = await unit.visible(caller, hazard_id)
        return attachment_view(hazard, _attachment(hazard, attachment_id))

    async def link(self, caller: Caller, hazard_id: str, attachment_id: str) -> DownloadLink:
        """A short-lived signed GET of the file, for a caller who can see the hazard."""
        async with self.units.read() as unit:
            hazard = await unit.visible(caller, hazard_id)
            attachment = _attachment(hazard, attachment_id)
            stored = (await unit.stored([attachment_id])).get(attachment_id)
        if stored is None:
            raise NotFound(f"the file of attachment {attachment_id} is not stored here")
        if not stored.promoted:
            await self._promote(stored)
        added = attachment.added
        url = self.store.download_url(
            stored.object_key, filename=added.filename, content_type=added.content_type, ttl_s=self.link_ttl_s
        )
        return DownloadLink(url, self.clock() + timedelta(seconds=self.link_ttl_s))

    async def sweep(self) -> SweepResult:
        """Pending objects older than the grace period: promoted if their event was committed,
        removed if it never was (an upload that failed or crashed between put and commit)."""
        keys = await self.store.keys(PENDING, self.clock() - self.pending_grace)
        ids = {key.rsplit("/", 1)[-1]: key for key in keys}
        async with self.units.read() as unit:
            committed = await unit.stored(list(ids))
        promoted = removed = 0
        for attachment_id, key in ids.items():
            if attachment_id in committed:
                await self._promote(committed[attachment_id])
                promoted += 1
            else:
                await self.store.delete(key)
                removed += 1
                log.info("attachments.orphan_removed", key=key)
        return SweepResult(promoted, removed)

    async def checked(self, upload: Upload, data: bytes, attachment_id: str) -> AddAttachment:
        """The command for a file whose request and bytes passed every check."""
        filename = self.check_request(upload, len(data))
        async with self._checking:
            checked = await asyncio.to_thread(self.checker.check, data, upload.kind)
        return AddAttachment(
            attachment_id=attachment_id,
            step=upload.step,
            kind=upload.kind,
            filename=filename,
            content_type=checked.content_type,
            size_bytes=checked.size_bytes,
            sha256=checked.sha256,
            description=upload.description,
        )

    async def _commit(self, caller: Caller, hazard_id: str, command: AddAttachment) -> Hazard:
        async with self.units.write() as unit:
            hazard = await unit.visible(caller, hazard_id)
            hazard.add_attachment(command, principal_of(caller), self.clock())
            await unit.save(hazard)
            key = object_key(hazard_id, command.attachment_id)
            await unit.add(StoredAttachment(command.attachment_id, hazard_id, key, False), self.clock())
        return hazard

    async def _promote(self, stored: StoredAttachment) -> None:
        pending = pending_key(stored.hazard_id, stored.attachment_id)
        if await self.store.exists(pending):  # absent: promoted already, only the mark was lost
            await self.store.copy(pending, stored.object_key)
            await self.store.delete(pending)
        async with self.units.write() as unit:
            await unit.mark_promoted(stored.attachment_id, self.clock())


def _attachment(hazard: Hazard, attachment_id: str) -> Attachment:
    attachment = hazard.evidence.attachments.get(attachment_id)
    if attachment is None:
        raise NotFound(f"hazard {hazard.id} has no attachment {attachment_id}")
    return attachment


def attachment_view(hazard: Hazard, attachment: Attachment) -> dict[str, Any]:
    """An attachment as the API shows it, JSON-ready."""
    view = attachment.added.model_dump(mode="json")
    view["id"] = view.pop("attachment_id")
    withdrawn = attachment.withdrawn
    return {
        **view,
        "hazard_id": hazard.id,
        "withdrawn": withdrawn is not None,
        "withdrawn_at": withdrawn.withdrawn_at.isoformat() if withdrawn else None,
        "withdrawn_reason": withdrawn.reason if withdrawn else None,
    }
