"""Idempotency-Key at a writing service's HTTP edge: the key of a request, scoped to the caller
the gateway vouches for, and the mark on an answer that replays an earlier one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response

from hl_platform.idempotency import KEY_HEADER, REPLAY_HEADER, RequestKey, Written, check_key, fingerprint
from hl_platform.identity import CallerDep


async def request_key(
    request: Request,
    caller: CallerDep,
    key: Annotated[
        str | None,
        Header(alias=KEY_HEADER, description="a retry with the same key and body gets the first answer"),
    ] = None,
) -> RequestKey | None:
    """The request's key as the service stores it (None: the request has none)."""
    if key is None:
        return None
    return RequestKey(caller.id, check_key(key), fingerprint(request.method, request.url.path, await request.body()))


RequestKeyDep = Annotated[RequestKey | None, Depends(request_key)]


def answer(response: Response, written: Written) -> dict[str, Any]:
    """The write's result as the body; marked when it replays the first answer."""
    if written.replayed:
        response.headers[REPLAY_HEADER] = "true"
    return written.result
