"""Evidence (佐证材料): adding files to a hazard's steps, withdrawing them, signed download links.

An upload takes five steps, in an order that never leaves a reachable file without its event:
1. check the request (file name, kind for the step, size) and the bytes (type, completeness);
2. check that the caller may add it to this hazard now (a dry run on the aggregate);
3. put the bytes under a *pending* key: no event names it, so no link can be signed for it;
4. commit `hazard.attachment_added` (and its `hazard_attachments` row) in one transaction;
5. promote: copy to the attachment's own key and remove the pending copy.
Nothing is stored before 3; a refusal in 4 removes the pending object; a crash or a lost commit
leaves at most a pending object, which the sweep removes (no event) or promotes (event committed).

The ports, the errors (413, 415, 503) and the values that cross them are in `evidence_ports.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from hl_hazard.application.evidence_ports import (
    PENDING,
    ContentCheck,
    DownloadLink,
    HazardUnits,
    ObjectStore,
    PayloadTooLarge,
    SizeLimits,
    StoredAttachment,
    StoreUnavailable,
    SweepResult,
    Upload,
    object_key,
    pending_key,
)
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
