"""Schemas of a hazard's evidence (佐证材料) and of a listing's receipt (签收)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hl_api.common import ActorPublic, Request
from hl_api.values import BusinessTime
from hl_contracts.fields import Name
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep


class AttachmentPublic(BaseModel):
    """A file attached to a hazard as evidence of a step; withdrawn ones are kept and marked."""

    id: str
    hazard_id: str
    step: AttachmentStep
    kind: AttachmentKind
    filename: str
    content_type: str = Field(description="sniffed from the bytes, not taken from the client")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the bytes (hex), as recorded in hazard.attachment_added")
    description: str = ""
    uploaded_by: ActorPublic
    added_at: datetime
    withdrawn: bool = False
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None


class AttachmentWithdrawal(Request):
    """Withdraw a wrong attachment (撤回): it stays in the history, marked withdrawn."""

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DownloadLink(BaseModel):
    """A short-lived signed link to the file; fetch it before `expires_at`."""

    url: str
    expires_at: datetime


class UploadSlotCreate(Request):
    """Ask for a direct upload: what the file is, and its exact size in bytes."""

    step: AttachmentStep
    kind: AttachmentKind
    filename: Annotated[str, Field(min_length=1, max_length=1000)]
    size_bytes: int = Field(ge=1)
    description: str = Field(default="", max_length=500)


class UploadSlot(BaseModel):
    """Where to PUT the file: send exactly `headers` (the length is signed) before `expires_at`,
    then confirm the upload."""

    upload_id: str
    method: str = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime


class UploadConfirmation(Request):
    """Confirm a direct upload, naming the file as when it was offered."""

    step: AttachmentStep
    kind: AttachmentKind
    filename: Annotated[str, Field(min_length=1, max_length=1000)]
    description: str = Field(default="", max_length=500)


class ListingReceiptPublic(BaseModel):
    """The receipt of the current listing's notice (签收)."""

    level: str
    document_number: str | None = None
    receiving_unit: str
    received_by: str
    received_at: datetime


class ListingReceiptCreate(Request):
    """The receiving unit signs for the listing notice (督办通知签收)."""

    receiving_unit: Name
    received_by: Name
    received_at: BusinessTime
