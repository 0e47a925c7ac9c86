"""Contract events of a hazard's evidence (佐证材料) and of a listing's receipt (签收).

They share the hazard's stream and subject (the CloudEvent `subject` is the hazard id), so the
history of a hazard proves what was seen at each step: the SHA-256 of every file, its size and
type, who added it and when. Nothing is deleted: a wrong file is withdrawn by a later event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from hl_contracts.envelope import Actor
from hl_contracts.fields import Name
from hl_contracts.registry import REGISTRY, EventData
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep, ListingLevel

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the bytes, lower-case hex")]


@REGISTRY.register
class HazardAttachmentAdded(EventData):
    """A file was added to the hazard as evidence of one of its steps (上传佐证材料)."""

    event_type = "hazard.attachment_added"
    attachment_id: Annotated[str, Field(min_length=1, max_length=64)]
    step: AttachmentStep
    kind: AttachmentKind
    filename: Annotated[str, Field(min_length=1, max_length=200)]
    content_type: Annotated[str, Field(min_length=1, max_length=100, description="sniffed from the bytes")]
    size_bytes: int = Field(ge=1)
    sha256: Sha256
    uploaded_by: Actor = Field(description="who added it (the authenticated identity)")
    added_at: datetime
    description: str = Field(default="", max_length=500)


@REGISTRY.register
class HazardAttachmentWithdrawn(EventData):
    """An attachment was withdrawn (撤回); the file and its hash stay in the history."""

    event_type = "hazard.attachment_withdrawn"
    attachment_id: Annotated[str, Field(min_length=1, max_length=64)]
    sha256: Sha256
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    withdrawn_at: datetime


@REGISTRY.register
class HazardListingReceived(EventData):
    """The unit that must fix a listed hazard signed for the listing notice (督办通知签收)."""

    event_type = "hazard.listing_received"
    level: ListingLevel
    document_number: str | None = Field(default=None, max_length=100, description="the notice's 文号")
    receiving_unit: Name
    received_by: Name
    received_at: datetime
