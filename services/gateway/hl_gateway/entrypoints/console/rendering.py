"""Rendering console pages: the templates, the security headers, and errors as pages.

Every page is served with a Content-Security-Policy that allows only this site's own files (no
inline script, no CDN, no framing): the console must work on an intranet and a injected string
must not run. Errors inside a console route (a region outside the caller's, a service that is
down, a bad parameter) become an error page with the honest status instead of problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment

from hl_gateway.domain.errors import GatewayError, OutsideRegion, RateLimited, Unauthenticated
from hl_gateway.entrypoints.console import views
from hl_gateway.entrypoints.console.session import COOKIE, PATH, ConsoleProblem, SignInRequired, login_url

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["shown"] = views.shown
templates.env.globals["urlencode"] = urlencode
# The same templates, rendered as a stream: a page whose data takes long (the trends read a table
# per month) sends its header at once and the rest as the data arrives, so it paints early.
streaming = Environment(loader=templates.env.loader, autoescape=True, enable_async=True)
streaming.filters.update(templates.env.filters)
streaming.globals.update(templates.env.globals)
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send Origin: null on our own forms
    "Cache-Control": "no-store",  # pages carry figures of one caller's scope
}
_MESSAGES = {401: "请先登录", 403: "无权查看", 404: "未找到", 422: "参数有误", 429: "请求过于频繁,请稍后再试"}


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(HEADERS)
    return response


def streamed_page(request: Request, name: str, context: dict[str, Any]) -> Response:
    """A page sent as it renders; its awaited parts (`context` coroutines) come after the header.
    Its status is decided before: whatever fails later is said in the page itself."""
    chunks = streaming.get_template(name).generate_async({"request": request, **context})
    return StreamingResponse(chunks, media_type="text/html; charset=utf-8", headers=HEADERS)


def error_page(request: Request, status: int, message: str) -> Response:
    title = _MESSAGES.get(status, "服务暂不可用" if status >= 500 else "无法显示")
    return page(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def _chinese(exc: GatewayError) -> str:
    if isinstance(exc, OutsideRegion):
        return f"区域 {exc.extensions.get('region_code', '')} 不在您的管辖范围内"
    if isinstance(exc, RateLimited):
        return "请求过于频繁,请稍后再试"
    return exc.detail


class ConsoleRoute(APIRoute):
    """A route whose errors, from its dependencies too, are console pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated as exc:
                raise ConsoleProblem(401, exc.detail) from exc
            except GatewayError as exc:
                raise ConsoleProblem(exc.status, _chinese(exc)) from exc
            except RequestValidationError as exc:
                fields = ", ".join(".".join(str(p) for p in error["loc"][1:]) for error in exc.errors())
                raise ConsoleProblem(422, f"参数有误:{fields}") from exc

        return guarded


async def on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleProblem)
    return error_page(request, exc.status, exc.message)


async def on_sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = Response(status_code=303, headers={"Location": login_url(exc.next_path, exc.reason)})
    if exc.reason:  # a credential that no longer works is forgotten
        response.delete_cookie(COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")
    return response
