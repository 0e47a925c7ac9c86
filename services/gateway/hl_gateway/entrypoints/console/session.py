"""Signing in to the console with an API key or a JWT, kept in a cookie for the browser session.

Why a cookie, and this one: the pages are rendered on the server, so every navigation must carry
the credential, which sessionStorage cannot do without a script on every link. The cookie holds
the bearer credential itself and every page authenticates it exactly as the API does, so a
revoked key or an expired JWT ends the console session at once (nothing is cached beyond the
API's own key cache). It is `HttpOnly` (no script can read it, so an injected script cannot steal
it), `Secure` (never sent over plain HTTP; browsers treat 127.0.0.1 and localhost as secure),
`SameSite=Strict` (never sent on a request started by another site), scoped to `/console`, with
no expiry (it ends with the browser session; a JWT's own expiry still applies).

CSRF: every page is a GET without side effects. The only POSTs are sign-in and sign-out; both
also require that an `Origin` header, when the browser sends one, is this site's.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from hl_gateway.bootstrap import Gateway
from hl_gateway.domain.access import PERMISSIONS, Operation
from hl_gateway.domain.errors import Unauthenticated
from hl_gateway.entrypoints.deps import GatewayDep
from hl_platform.identity import Caller

COOKIE = "hl_console"
PATH = "/console"
READERS = PERMISSIONS[Operation.READ_REPORTS]


class SignInRequired(Exception):
    """No valid credential: the browser is sent to the sign-in page, then back to `next`."""

    def __init__(self, next_path: str, reason: str = "") -> None:
        super().__init__(reason)
        self.next_path = next_path
        self.reason = reason


class ConsoleProblem(Exception):
    """A page that cannot be shown: the status and the reason, in Chinese, for the error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def login_url(next_path: str, reason: str = "") -> str:
    url = f"{PATH}/login?next={quote(next_path, safe='')}"
    return url + (f"&reason={quote(reason, safe='')}" if reason else "")


def safe_next(value: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if not value or not value.startswith(PATH + "/") or value.startswith("//") or "\\" in value:
        return f"{PATH}/"
    return value


def same_origin(request: Request) -> bool:
    """Whether the form was posted from this site (an absent Origin is an old browser or a tool)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == request.headers.get("host", "")


async def sign_in(gateway: Gateway, request: Request, token: str) -> Caller:
    """The caller behind the credential, if it may read the console (a reader of reports)."""
    try:
        caller = await gateway.authenticator.caller(token.strip())
    except Unauthenticated:
        gateway.limiter.take(f"address:{request.client.host if request.client else '?'}")
        raise
    if caller.role not in READERS:
        raise ConsoleProblem(403, f"角色 {caller.role} 不能使用监管控制台(仅限监管、检查等人员)")
    return caller


async def console_caller(request: Request, gateway: GatewayDep) -> Caller:
    """The signed-in caller of a console page, charged one request against its rate limit."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInRequired(here)
    try:
        caller = await gateway.authenticator.caller(token)
    except Unauthenticated:
        raise SignInRequired(here, "expired") from None
    if caller.role not in READERS:
        raise ConsoleProblem(403, f"角色 {caller.role} 不能使用监管控制台")
    gateway.limiter.take(caller.id)
    return caller


ConsoleCaller = Annotated[Caller, Depends(console_caller)]
