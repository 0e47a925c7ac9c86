"""/api/v1/hazards/{id}/attachments: evidence (佐证材料) on a hazard's steps, with signed download
links; and /api/v1/hazards/{id}/listing-receipt, the listing notice's receipt (签收).

An upload is a multipart form (the file and its step, kind and description). The body is bounded
before it is parsed (`HL_GATEWAY_ATTACHMENT_MAX_BODY_BYTES`, 413 beyond it); the gateway forwards the
file's bytes to the hazard service, which checks the content and the size of its kind, stores it
and records `hazard.attachment_added` with its SHA-256. A hazard outside the caller's scope is 404.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import File, Form, Path, Response, UploadFile
from pydantic import BaseModel

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
from hl_gateway.application.forward import Call
from hl_gateway.domain.access import Operation
from hl_gateway.domain.idempotency import check_key, fingerprint
from hl_gateway.entrypoints.deps import IdempotencyKey
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.forwarding import ForwardDep, segment, to_response
from hl_gateway.entrypoints.routes.params import HAZARD, an_id
from hl_gateway.entrypoints.routes.spec import Idempotency, Responses, Route, Upstream
from hl_platform.errors import InvalidInput
from hl_platform.identity import Caller

HazardId = Annotated[str, Path(min_length=1, max_length=64, description="the hazard's id")]
ATTACHMENT = {**HAZARD, "attachment_id": an_id("attachment")}
UPLOAD_SLOT = {
    **HAZARD,
    "upload_id": Annotated[
        str,
        Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description="from the offer"),
    ],
}
UPLOAD_PATH = r"^/api/v1/hazards/[^/]+/attachments$"  # the one public path with a large body
UPLOAD = {
    **{code: answer for code, answer in WRITE.items() if code != 413},
    **problems(
        413,
        415,
        503,
        meanings={
            413: "the body, or the file for its kind, is over its size limit",
            415: "the bytes are not a type accepted as evidence (named in `detail`)",
            503: "the object store or the hazard service is unavailable (Retry-After)",
        },
    ),
}
READ_LINK = {**READ, **problems(503)}
LIST = "/hazards/{hazard_id}/attachments"
ONE = LIST + "/{attachment_id}"


async def add_attachment(
    hazard_id: HazardId,
    file: Annotated[UploadFile, File(description="JPEG or PNG photos; PDF, OFD, DOCX or XLSX documents")],
    step: Annotated[AttachmentStep, Form(description="the step the file is evidence of")],
    kind: Annotated[AttachmentKind, Form()],
    caller: Caller,
    forward: ForwardDep,
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
    path = f"/hazards/{segment(hazard_id)}/attachments"
    headers = {"Content-Type": "application/octet-stream"}
    call = Call("hazard", "POST", path, caller, params=query, body=data, headers=headers)
    if idempotency_key is None:
        return to_response(await forward.gateway.upstream.send(call))
    # The multipart body was consumed by parsing: the fingerprint is of what is forwarded instead.
    stamp = fingerprint("POST", forward.request.url.path, repr(sorted(query.items())).encode() + _digest(data))
    reply, replayed = await forward.gateway.guard.run(
        caller.id, check_key(idempotency_key), stamp, lambda: forward.gateway.upstream.send(call)
    )
    return to_response(reply, replayed)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()


def _evidence(
    name: str,
    method: str,
    path: str,
    summary: str,
    doc: str,
    model: Any,
    *,
    body: type[BaseModel] | None = None,
    status: int = 200,
    responses: Responses = WRITE,
    params: dict[str, Any] = ATTACHMENT,
    permission: Operation = Operation.ADD_EVIDENCE,
) -> Route:
    writes = method == "POST"
    return Route(
        name,
        method,
        path,
        "evidence",
        summary,
        doc,
        permission,
        Upstream("hazard", path),
        status=status,
        body=body,
        response_model=model,
        responses=responses,
        path_params=params,
        idempotency=Idempotency.FORWARDED if writes else None,
    )


ROUTES = (
    Route(
        "add_attachment",
        "POST",
        LIST,
        "evidence",
        "Add evidence to a step (上传佐证材料)",
        "",
        Operation.ADD_EVIDENCE,
        Upstream("hazard", LIST),
        status=201,
        response_model=AttachmentPublic,
        responses=UPLOAD,
        endpoint=add_attachment,
    ),
    _evidence(
        "list_attachments",
        "GET",
        LIST,
        "The hazard's evidence",
        "Every attachment in the order added; withdrawn ones are kept and marked.",
        list[AttachmentPublic],
        responses=READ,
        params=HAZARD,
        permission=Operation.READ_HAZARDS,
    ),
    _evidence(
        "get_attachment",
        "GET",
        ONE,
        "One attachment",
        "",
        AttachmentPublic,
        responses=READ,
        permission=Operation.READ_HAZARDS,
    ),
    _evidence(
        "download_link",
        "GET",
        ONE + "/download",
        "A short-lived signed link to the file",
        "A presigned GET of the object store, valid for `HL_HAZARD_ATTACHMENT_LINK_TTL_S` (5 minutes).",
        DownloadLink,
        responses=READ_LINK,
        permission=Operation.READ_HAZARDS,
    ),
    _evidence(
        "withdraw_attachment",
        "POST",
        ONE + "/withdrawal",
        "Withdraw an attachment (撤回)",
        "By whoever added it (or an admin): the file and its hash stay in the history.",
        AttachmentPublic,
        body=AttachmentWithdrawal,
    ),
    _evidence(
        "offer_upload",
        "POST",
        LIST + "/uploads",
        "Offer a direct upload (presigned PUT)",
        """For large files: PUT the bytes to the returned URL (with exactly its headers), then confirm.

        The request is checked as an upload would be (name, kind, size, your right to add it now).
        """,
        UploadSlot,
        body=UploadSlotCreate,
        status=201,
        responses=UPLOAD,
        params=HAZARD,
    ),
    _evidence(
        "confirm_upload",
        "POST",
        LIST + "/uploads/{upload_id}/confirm",
        "Confirm a direct upload",
        "The stored bytes are checked in full and recorded like a multipart upload; bad ones are removed.",
        AttachmentPublic,
        body=UploadConfirmation,
        status=201,
        responses=UPLOAD,
        params=UPLOAD_SLOT,
    ),
    Route(
        "receive_listing",
        "POST",
        "/hazards/{hazard_id}/listing-receipt",
        "evidence",
        "Sign for the listing notice (督办通知签收)",
        "The enterprise that must fix a listed hazard records that it received the notice, and when.",
        Operation.RECEIVE_LISTING,
        Upstream("hazard", "/hazards/{hazard_id}/listing-receipt"),
        body=ListingReceiptCreate,
        response_model=HazardPublic,
        responses=WRITE,
        path_params=HAZARD,
        idempotency=Idempotency.FORWARDED,
        if_match=True,
    ),
)
