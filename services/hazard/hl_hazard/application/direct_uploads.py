"""Direct uploads: the client puts the file straight into the object store with a presigned PUT,
then asks for it to be confirmed — for large documents, or clients far from the gateway.

1. `offer`: the request is checked (file name, kind for the step, declared size, the caller's right
   to add it now) and a presigned PUT of exactly that size is issued for a pending key;
2. the client PUTs the bytes to the store (the signature covers the length; it expires);
3. `confirm`: the service reads the pending object back and treats it as a multipart upload from
   then on: full content check, commit of `hazard.attachment_added`, promotion.
A file that fails the check is removed at once; one never confirmed is swept like any orphan.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hl_hazard.application.attachments import AttachmentService
from hl_hazard.application.evidence_ports import (
    PayloadTooLarge,
    StoreUnavailable,
    UnsupportedContent,
    Upload,
    pending_key,
)
from hl_hazard.domain.commands import AddAttachment
from hl_platform.errors import InvalidInput, NotFound
from hl_platform.identity import Caller
from hl_platform.ids import new_id

PLACEHOLDER_SHA256 = "0" * 64  # the dry run of an offer: the bytes are not there yet


@dataclass(frozen=True)
class UploadSlot:
    upload_id: str
    url: str
    headers: dict[str, str]
    expires_at: datetime


class DirectUploads:
    def __init__(self, attachments: AttachmentService, slot_ttl_s: int = 900) -> None:
        self.attachments = attachments
        self.slot_ttl_s = slot_ttl_s

    async def offer(self, caller: Caller, hazard_id: str, upload: Upload, size_bytes: int) -> UploadSlot:
        """A presigned PUT for a file the caller may add; nothing is recorded yet."""
        filename = self.attachments.check_request(upload, size_bytes)
        upload_id = new_id()
        provisional = AddAttachment(
            attachment_id=upload_id,
            step=upload.step,
            kind=upload.kind,
            filename=filename,
            content_type="application/octet-stream",
            size_bytes=size_bytes,
            sha256=PLACEHOLDER_SHA256,
            description=upload.description,
        )
        await self.attachments.dry_run(caller, hazard_id, provisional)
        url = self.attachments.store.upload_url(
            pending_key(hazard_id, upload_id), size_bytes=size_bytes, ttl_s=self.slot_ttl_s
        )
        expires_at = self.attachments.clock() + timedelta(seconds=self.slot_ttl_s)
        return UploadSlot(upload_id, url, {"Content-Length": str(size_bytes)}, expires_at)

    async def confirm(self, caller: Caller, hazard_id: str, upload_id: str, upload: Upload) -> dict[str, Any]:
        """Check what was put under the slot's pending key, then commit and promote it."""
        async with self.attachments.units.read() as unit:  # scope first: an unseen hazard is 404, store or not
            await unit.visible(caller, hazard_id)
        pending = pending_key(hazard_id, upload_id)
        try:
            data = await self.attachments.store.get(pending, self.attachments.limits.for_kind(upload.kind))
            if data is None:
                detail = f"nothing is waiting under upload {upload_id}: never put, expired, or confirmed already"
                raise NotFound(detail)
            command = await self.attachments.checked(upload, data, upload_id)
        except (InvalidInput, UnsupportedContent, PayloadTooLarge):
            with contextlib.suppress(StoreUnavailable):  # bad bytes stay bad: remove them now
                await self.attachments.store.delete(pending)
            raise
        await self.attachments.dry_run(caller, hazard_id, command)
        return await self.attachments.seal(caller, hazard_id, command)
