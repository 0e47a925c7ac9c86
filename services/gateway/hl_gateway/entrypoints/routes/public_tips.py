"""/api/v1/public/tips: tip-offs from the public (有奖举报), without a key, forwarded to the tips service.

They are limited per client address (tighter than keyed clients), carry the tip's secret in the
`Tip-Secret` header, and pass the `Idempotency-Key` on to the tips service, which keeps it with the
tip: the gateway keeps no copy of an answer that holds a secret.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import Header, Path, Request, Response

from hl_api.tips import SECRET_HEADER, TipCreate, TipReceipt, TipStatusPublic
from hl_gateway.application.forward import Call
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey
from hl_gateway.entrypoints.docs import problems
from hl_gateway.entrypoints.forwarding import segment, to_response
from hl_gateway.entrypoints.routes.generate import PUBLIC
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream

PUBLIC_WRITE = problems(400, 404, 409, 413, 422, 429, 502, 503, 504)
PUBLIC_READ = problems(404, 422, 429, 502, 503, 504)
Number = Annotated[str, Path(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$", description="举报编号")]
Secret = Annotated[str, Header(alias=SECRET_HEADER, min_length=1, max_length=64, description="the tip's secret")]
SECRET = inspect.Parameter("secret", inspect.Parameter.KEYWORD_ONLY, annotation=Secret)
NUMBER = {"number": Number}
ONE = "/public/tips/{number}"
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the photo's bytes (JPEG or PNG, at most 1 MB); EXIF and other metadata are removed",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in ("image/jpeg", "image/png")},
    }
}


async def add_photo(
    number: Number, secret: Secret, request: Request, gateway: GatewayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """A JPEG or PNG as the body; its type is read from the bytes and its metadata removed."""
    headers = {SECRET_HEADER: secret} | ({"Idempotency-Key": idempotency_key} if idempotency_key is not None else {})
    path = f"/public/tips/{segment(number)}/photos"
    call = Call("tips", "POST", path, PUBLIC, body=await request.body(), headers=headers)
    return to_response(await gateway.upstream.send(call))


def _public(name: str, method: str, path: str, summary: str, doc: str, **metadata: Any) -> Route:
    defaults: dict[str, Any] = {"responses": PUBLIC_WRITE if method == "POST" else PUBLIC_READ}
    if "{number}" in path:
        defaults |= {"path_params": NUMBER, "headers": (SECRET,)}
    if method == "POST":
        defaults["idempotency"] = Idempotency.SERVICE
    return Route(
        name,
        method,
        path,
        "tips (public)",
        summary,
        doc,
        None,
        Upstream("tips", path),
        public_limited=True,
        **{**defaults, **metadata},
    )


ROUTES = (
    _public(
        "file_tip",
        "POST",
        "/public/tips",
        "File a tip (举报), named or anonymous",
        """No account needed. The answer holds the tracking number and the secret, shown once: keep both
    to follow the tip and claim its reward. Omit `identity` to stay anonymous; a given identity is
    sealed at once and only the officer handling the tip can read it. A retry with the same
    Idempotency-Key returns the same tip with a new secret.""",
        status=201,
        body=TipCreate,
        response_model=TipReceipt,
    ),
    _public(
        "tip_status",
        "GET",
        ONE,
        "Follow a tip",
        "The tip's progress and, once approved, its reward. A wrong number or secret is 404.",
        response_model=TipStatusPublic,
    ),
    _public(
        "add_photo",
        "POST",
        ONE + "/photos",
        "Add a photo to a tip",
        "",
        status=201,
        response_model=TipStatusPublic,
        openapi_extra=IMAGE_BODY,
        endpoint=add_photo,
    ),
    _public(
        "claim_reward",
        "POST",
        ONE + "/reward-claim",
        "Claim the approved reward (申领奖励)",
        "With the number and the secret; an anonymous tip's reward is paid only against this claim.",
        response_model=TipStatusPublic,
    ),
    _public(
        "erase_own_identity",
        "POST",
        ONE + "/identity-erasure",
        "Erase my identity from the tip",
        "Destroys the key of your sealed identity: nobody can read it again; the tip goes on.",
        response_model=TipStatusPublic,
    ),
)
