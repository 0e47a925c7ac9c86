"""The public API generated from the route table: one FastAPI route (and so one OpenAPI operation)
per row, each authenticating its caller for the row's permission and forwarding as the row says.

A forwarded row needs no code: its handler's signature is built from the row (path, query and header
parameters, body), so that FastAPI validates and documents exactly what the row declares. A row
with an `endpoint` is served by that function; the generator gives it the row's metadata and the
caller its permission allows (its `caller` parameter), so no route restates who may call it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Request, Response
from fastapi.params import Header as HeaderInfo
from fastapi.responses import JSONResponse

from hl_gateway.application.forward import Call
from hl_gateway.domain.access import region_for
from hl_gateway.domain.idempotency import KEY_HEADER, check_key
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey, IfMatch, allowed
from hl_gateway.entrypoints.forwarding import Forward, ForwardDep, params, segment, to_response
from hl_gateway.entrypoints.routes.spec import Idempotency, Route
from hl_platform.http import reject_unknown_query
from hl_platform.identity import Caller

# The stand-in caller of the routes without credentials: a role that may do nothing (the tips
# service's public routes read no caller; its officer routes refuse this one).
PUBLIC = Caller(id="public", name="public", role="bureau")
_PATH_PARAM = re.compile(r"{(\w+)}")
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


async def public_limit(request: Request, gateway: GatewayDep) -> None:
    """One token of the client address's bucket (these routes have no key to count by)."""
    gateway.public_limiter.take(f"address:{request.client.host if request.client else '?'}")


def router_of(rows: Iterable[Route]) -> APIRouter:
    """Every row as a route under /api/v1, in the table's order (which is the matching order)."""
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(reject_unknown_query)])
    for row in rows:
        api.add_api_route(
            row.path,
            _endpoint(row),
            methods=[row.method],
            name=row.name,
            status_code=row.status,
            response_model=row.response_model,
            response_class=JSONResponse if row.response_model is not None else Response,
            responses=dict(row.responses),
            tags=[row.tag],
            summary=row.summary,
            dependencies=[Depends(public_limit)] if row.public_limited else None,
            openapi_extra=row.openapi_extra,
        )
    return api


def _endpoint(row: Route) -> Any:
    if row.endpoint is not None:
        return _served(row)
    return _forwarded(row)


def _served(row: Route) -> Any:
    """The row's own handler, its `caller` parameter guarded by the row's permission."""
    handler = row.endpoint
    assert handler is not None
    signature = inspect.signature(handler, eval_str=True)
    parameters = [
        parameter.replace(annotation=_caller(row)) if parameter.name == "caller" else parameter
        for parameter in signature.parameters.values()
    ]

    async def endpoint(**values: Any) -> Any:
        return await handler(**values)

    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = row.name
    endpoint.__doc__ = handler.__doc__
    return endpoint


def _caller(row: Route) -> Any:
    assert row.permission is not None, f"{row.name}: a served route with a caller needs a permission"
    return Annotated[Caller, allowed(row.permission)]


def _forwarded(row: Route) -> Any:
    """A handler for a forwarded row, with the signature the row declares."""

    async def endpoint(forward: Forward, caller: Caller = PUBLIC, **values: Any) -> Response:
        return await forward_call(row, forward, caller, values)

    endpoint.__signature__ = inspect.Signature(_parameters(row), return_annotation=Response)  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = row.name
    endpoint.__doc__ = row.doc
    return endpoint


def _parameters(row: Route) -> list[inspect.Parameter]:
    parameters = [inspect.Parameter(name, _KEYWORD, annotation=row.path_params[name]) for name in path_names(row)]
    parameters += row.query
    if row.body is not None:
        parameters.append(inspect.Parameter("body", _KEYWORD, annotation=row.body))
    if row.permission is not None:
        parameters.append(inspect.Parameter("caller", _KEYWORD, annotation=_caller(row)))
    parameters.append(inspect.Parameter("forward", _KEYWORD, annotation=ForwardDep))
    parameters += row.headers
    if row.idempotency is not None:
        parameters.append(inspect.Parameter("idempotency_key", _KEYWORD, annotation=IdempotencyKey, default=None))
    if row.if_match:
        parameters.append(inspect.Parameter("if_match", _KEYWORD, annotation=IfMatch, default=None))
    return parameters


def path_names(row: Route) -> list[str]:
    return _PATH_PARAM.findall(row.path)


async def forward_call(row: Route, forward: Forward, caller: Caller, values: dict[str, Any]) -> Response:
    """Forward one request as its row says: path, query, headers and body; the key per its mode."""
    assert row.upstream is not None
    path = row.upstream.path.format(**{name: segment(values[name]) for name in path_names(row)})
    body = values.get("body")
    if row.region_checked and body is not None and hasattr(body, "region_code"):
        region_for(caller, body.region_code)
    key: str | None = values.get("idempotency_key")
    headers = _headers(row, values, key)
    content = body.model_dump_json(exclude_unset=True).encode() if body is not None else None
    if content is None and row.idempotency is Idempotency.GATEWAY:
        content = b"{}"  # a command without a body of its own
    query = _query(row, caller, values)
    call = Call(row.upstream.service, row.method, path, caller, params=query, body=content, headers=headers)
    response = await _send(row, forward, caller, call, key)
    if row.no_store:
        response.headers["Cache-Control"] = "no-store"
    return response


async def _send(row: Route, forward: Forward, caller: Caller, call: Call, key: str | None) -> Response:
    upstream = forward.gateway.upstream
    if key is None or row.idempotency is Idempotency.SERVICE:
        return to_response(await upstream.send(call))
    if row.idempotency is Idempotency.GATEWAY:
        return await forward.once(caller, key, lambda: upstream.send(call), redact=row.redact)
    stamp = await forward.fingerprint()
    reply, replayed = await forward.gateway.guard.forward(caller.id, key, stamp, lambda: upstream.send(call))
    return to_response(reply, replayed)


def _query(row: Route, caller: Caller, values: dict[str, Any]) -> dict[str, str]:
    given = {parameter.name: values[parameter.name] for parameter in row.query}
    if "region_code" in given:  # "" or omitted: the service's default (the caller's region)
        region = given["region_code"]
        given["region_code"] = (region_for(caller, region) if row.region_checked else region) or None
    return params(**given)


def _headers(row: Route, values: dict[str, Any], key: str | None) -> dict[str, str]:
    headers = {_alias(parameter): values[parameter.name] for parameter in row.headers}
    if key is not None and row.idempotency is Idempotency.FORWARDED:
        headers[KEY_HEADER] = check_key(key)  # the service stores it with the write
    elif key is not None and row.idempotency is Idempotency.SERVICE:
        headers[KEY_HEADER] = key
    if values.get("if_match") is not None:
        headers["If-Match"] = values["if_match"]
    return {name: value for name, value in headers.items() if value is not None}


def _alias(parameter: inspect.Parameter) -> str:
    info = next(arg for arg in get_args(parameter.annotation) if isinstance(arg, HeaderInfo))
    assert info.alias is not None, parameter.name
    return info.alias
