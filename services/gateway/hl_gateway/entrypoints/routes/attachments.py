"""/api/v1/hazards/{id}/attachments: evidence (佐证材料) on a hazard's steps, with signed download
links; and /api/v1/hazards/{id}/listing-receipt, the listing notice's receipt (签收).

An upload is a multipart form (the file and its step, kind and description). The body is bounded
before it is parsed (`HL_GATEWAY_ATTACHMENT_MAX_BODY_BYTES`, 413 beyond it); the gateway relays the
file's bytes to the hazard service, which checks the content and the size of its kind, stores it
and records `hazard.attachment_added` with its SHA-256. A hazard outside the caller's scope is 404.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Response, UploadFile

from hl_api.evidence import (
    AttachmentPublic,
    AttachmentWithdrawal,
    DownloadLink,
    ListingReceiptCreate,
    UploadConfirmation,
    UploadSlot,
    UploadSlotCreate,
)
from hl_api.hazards import HazardPublic
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_gateway.application.relay import Call
from hl_gateway.domain.access import Operation
from hl_gateway.domain.idempotency import check_key, fingerprint
from hl_gateway.entrypoints.deps import IdempotencyKey, IfMatch, allowed
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.relaying import RelayDep, segment, to_response
from hl_platform.errors import InvalidInput
from hl_platform.identity import Caller
from hl_platform.problems import PROBLEM_SCHEMA

router = APIRouter(prefix="/hazards/{hazard_id}", tags=["evidence"])
HazardId = Annotated[str, Path(min_length=1, max_length=64, description="the hazard's id")]
AttachmentId = Annotated[str, Path(min_length=1, max_length=64, description="the attachment's id")]
UploadId = Annotated[
    str,
    Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description="from the offer"),
]
UPLOAD_PATH = r"^/api/v1/hazards/[^/]+/attachments$"  # the one public path with a large body
UPLOAD = {
    **{code: answer for code, answer in WRITE.items() if code != 413},
    413: {**PROBLEM_SCHEMA, "description": "the body, or the file for its kind, is over its size limit"},
    415: {**PROBLEM_SCHEMA, "description": "the bytes are not a type accepted as evidence (named in `detail`)"},
    503: {**PROBLEM_SCHEMA, "description": "the object store or the hazard service is unavailable (Retry-After)"},
}
READ_LINK = {**READ, **problems(503)}


def _path(hazard_id: str, rest: str = "") -> str:
    return f"/hazards/{segment(hazard_id)}/attachments" + rest


@router.post(
    "/attachments",
    status_code=201,
    response_model=AttachmentPublic,
    responses=UPLOAD,
    summary="Add evidence to a step (上传佐证材料)",
)
async def add_attachment(
    hazard_id: HazardId,
    file: Annotated[UploadFile, File(description="JPEG or PNG photos; PDF, OFD, DOCX or XLSX documents")],
    step: Annotated[AttachmentStep, Form(description="the step the file is evidence of")],
    kind: Annotated[AttachmentKind, Form()],
    caller: Annotated[Caller, allowed(Operation.ADD_EVIDENCE)],
    relay: RelayDep,
    description: Annotated[str, Form(max_length=500)] = "",
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A photo of the hazard as found or after the fix, the plan, the acceptance record, a notice.

    The content type is sniffed from the bytes (never taken from the client) and the file is read
    in full: a truncated image, a renamed executable or a decompression bomb is refused. Photos are
    limited to 5 MB by default. The SHA-256, size and type go into `hazard.attachment_added`.
    """
    if not file.filename:
        raise InvalidInput("file", "must be sent with its file name")
    data = await file.read()
    query = {"step": step.value, "kind": kind.value, "filename": file.filename, "description": description}
    call = Call(
        "hazard",
        "POST",
        _path(hazard_id),
        caller,
        params=query,
        body=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    if idempotency_key is None:
        return to_response(await relay.gateway.upstream.send(call))
    # The multipart body was consumed by parsing: the fingerprint is of what is relayed instead.
    stamp = fingerprint("POST", relay.request.url.path, repr(sorted(query.items())).encode() + _digest(data))
    reply, replayed = await relay.gateway.guard.run(
        caller.id, check_key(idempotency_key), stamp, lambda: relay.gateway.upstream.send(call)
    )
    return to_response(reply, replayed)


@router.get("/attachments", response_model=list[AttachmentPublic], responses=READ, summary="The hazard's evidence")
async def list_attachments(
    hazard_id: HazardId, caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)], relay: RelayDep
) -> Response:
    """Every attachment in the order added; withdrawn ones are kept and marked."""
    return await relay.get(caller, "hazard", _path(hazard_id))


@router.get("/attachments/{attachment_id}", response_model=AttachmentPublic, responses=READ, summary="One attachment")
async def get_attachment(
    hazard_id: HazardId,
    attachment_id: AttachmentId,
    caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)],
    relay: RelayDep,
) -> Response:
    return await relay.get(caller, "hazard", _path(hazard_id, f"/{segment(attachment_id)}"))


@router.get(
    "/attachments/{attachment_id}/download",
    response_model=DownloadLink,
    responses=READ_LINK,
    summary="A short-lived signed link to the file",
)
async def download_link(
    hazard_id: HazardId,
    attachment_id: AttachmentId,
    caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)],
    relay: RelayDep,
) -> Response:
    """A presigned GET of the object store, valid for `HL_HAZARD_ATTACHMENT_LINK_TTL_S` (5 minutes)."""
    return await relay.get(caller, "hazard", _path(hazard_id, f"/{segment(attachment_id)}/download"))


@router.post(
    "/attachments/{attachment_id}/withdrawal",
    response_model=AttachmentPublic,
    responses=WRITE,
    summary="Withdraw an attachment (撤回)",
)
async def withdraw_attachment(
    hazard_id: HazardId,
    attachment_id: AttachmentId,
    body: AttachmentWithdrawal,
    caller: Annotated[Caller, allowed(Operation.ADD_EVIDENCE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """By whoever added it (or an admin): the file and its hash stay in the history."""
    path = _path(hazard_id, f"/{segment(attachment_id)}/withdrawal")
    return await relay.write(caller, "hazard", path, body, idempotency_key)


@router.post(
    "/attachments/uploads",
    status_code=201,
    response_model=UploadSlot,
    responses=UPLOAD,
    summary="Offer a direct upload (presigned PUT)",
)
async def offer_upload(
    hazard_id: HazardId,
    body: UploadSlotCreate,
    caller: Annotated[Caller, allowed(Operation.ADD_EVIDENCE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """For large files: PUT the bytes to the returned URL (with exactly its headers), then confirm.

    The request is checked as an upload would be (name, kind, size, your right to add it now).
    """
    return await relay.write(caller, "hazard", _path(hazard_id, "/uploads"), body, idempotency_key)


@router.post(
    "/attachments/uploads/{upload_id}/confirm",
    status_code=201,
    response_model=AttachmentPublic,
    responses=UPLOAD,
    summary="Confirm a direct upload",
)
async def confirm_upload(
    hazard_id: HazardId,
    upload_id: UploadId,
    body: UploadConfirmation,
    caller: Annotated[Caller, allowed(Operation.ADD_EVIDENCE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """The stored bytes are checked in full and recorded like a multipart upload; bad ones are removed."""
    path = _path(hazard_id, f"/uploads/{segment(upload_id)}/confirm")
    return await relay.write(caller, "hazard", path, body, idempotency_key)


@router.post(
    "/listing-receipt",
    response_model=HazardPublic,
    responses=WRITE,
    summary="Sign for the listing notice (督办通知签收)",
)
async def receive_listing(
    hazard_id: HazardId,
    body: ListingReceiptCreate,
    caller: Annotated[Caller, allowed(Operation.RECEIVE_LISTING)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """The enterprise that must fix a listed hazard records that it received the notice, and when."""
    path = f"/hazards/{segment(hazard_id)}/listing-receipt"
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()
