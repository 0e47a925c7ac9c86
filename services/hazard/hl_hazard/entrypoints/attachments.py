"""The hazard service's internal evidence API (佐证材料), called by the gateway.

The gateway has parsed the client's multipart upload; it sends the file's bytes as the body and
the form's fields as query parameters, so this service reads one plain body of bounded size.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from hl_api.evidence import (
    AttachmentPublic,
    AttachmentWithdrawal,
    DownloadLink,
    UploadConfirmation,
    UploadSlot,
    UploadSlotCreate,
)
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_hazard.application.attachments import AttachmentService
from hl_hazard.application.direct_uploads import DirectUploads
from hl_hazard.application.evidence_ports import Upload
from hl_platform.identity import CallerDep

router = APIRouter(prefix="/hazards/{hazard_id}/attachments", tags=["attachments"])
HazardId = Annotated[str, Path(min_length=1, max_length=64)]
AttachmentId = Annotated[str, Path(min_length=1, max_length=64)]
UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
UPLOAD_PATH = r"^/hazards/[^/]+/attachments$"  # the one path whose body may exceed the common limit
OCTETS = {"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string"}}}}}


async def attachment_service(request: Request) -> AttachmentService:
    service: AttachmentService = request.app.state.attachments
    return service


async def direct_uploads(request: Request) -> DirectUploads:
    service: DirectUploads = request.app.state.direct_uploads
    return service


ServiceDep = Annotated[AttachmentService, Depends(attachment_service)]
DirectDep = Annotated[DirectUploads, Depends(direct_uploads)]


@router.post("", status_code=201, summary="Add evidence to a step", openapi_extra=OCTETS)
async def add_attachment(
    hazard_id: HazardId,
    request: Request,
    caller: CallerDep,
    service: ServiceDep,
    response: Response,
    step: AttachmentStep,
    kind: AttachmentKind,
    filename: Annotated[str, Query(max_length=1000)],
    description: Annotated[str, Query(max_length=500)] = "",
) -> AttachmentPublic:
    """The body is the file; its type is sniffed and checked, its SHA-256 recorded in the event."""
    upload = Upload(step=step, kind=kind, filename=filename, description=description)
    view = await service.add(caller, hazard_id, upload, await request.body())
    response.headers["Location"] = f"/hazards/{hazard_id}/attachments/{view['id']}"
    return AttachmentPublic.model_validate(view)


@router.get("", summary="The hazard's evidence")
async def list_attachments(hazard_id: HazardId, caller: CallerDep, service: ServiceDep) -> list[AttachmentPublic]:
    """Every attachment, withdrawn ones included (marked), in the order they were added."""
    return [AttachmentPublic.model_validate(view) for view in await service.list(caller, hazard_id)]


@router.get("/{attachment_id}", summary="One attachment")
async def get_attachment(
    hazard_id: HazardId, attachment_id: AttachmentId, caller: CallerDep, service: ServiceDep
) -> AttachmentPublic:
    return AttachmentPublic.model_validate(await service.get(caller, hazard_id, attachment_id))


@router.get("/{attachment_id}/download", summary="A short-lived signed link to the file")
async def download_link(
    hazard_id: HazardId, attachment_id: AttachmentId, caller: CallerDep, service: ServiceDep
) -> DownloadLink:
    link = await service.link(caller, hazard_id, attachment_id)
    return DownloadLink(url=link.url, expires_at=link.expires_at)


@router.post("/{attachment_id}/withdrawal", summary="Withdraw an attachment (撤回)")
async def withdraw_attachment(
    hazard_id: HazardId, attachment_id: AttachmentId, body: AttachmentWithdrawal, caller: CallerDep, service: ServiceDep
) -> AttachmentPublic:
    """The file and its hash stay in the history; the attachment is marked withdrawn."""
    view: dict[str, Any] = await service.withdraw(caller, hazard_id, attachment_id, body.reason)
    return AttachmentPublic.model_validate(view)


@router.post("/uploads", status_code=201, summary="Offer a direct upload (presigned PUT)")
async def offer_upload(
    hazard_id: HazardId, body: UploadSlotCreate, caller: CallerDep, service: DirectDep
) -> UploadSlot:
    """Checked as an upload would be, before the bytes exist; nothing is recorded until confirmed."""
    upload = Upload(step=body.step, kind=body.kind, filename=body.filename, description=body.description)
    slot = await service.offer(caller, hazard_id, upload, body.size_bytes)
    return UploadSlot(upload_id=slot.upload_id, url=slot.url, headers=slot.headers, expires_at=slot.expires_at)


@router.post("/uploads/{upload_id}/confirm", status_code=201, summary="Confirm a direct upload")
async def confirm_upload(
    hazard_id: HazardId,
    upload_id: UploadId,
    body: UploadConfirmation,
    caller: CallerDep,
    service: DirectDep,
    response: Response,
) -> AttachmentPublic:
    """The stored bytes are checked in full, then recorded like a multipart upload."""
    upload = Upload(step=body.step, kind=body.kind, filename=body.filename, description=body.description)
    view = await service.confirm(caller, hazard_id, upload_id, upload)
    response.headers["Location"] = f"/hazards/{hazard_id}/attachments/{view['id']}"
    return AttachmentPublic.model_validate(view)
