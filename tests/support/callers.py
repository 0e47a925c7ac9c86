"""Callers as the gateway vouches for them, and an in-process client for a service app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from hl_platform.identity import CALLER_HEADER, TOKEN_HEADER, Caller
from hl_platform.settings import DEV_INTERNAL_TOKEN

INSPECTOR = Caller(id="u-insp", name="王检查", role="inspector", organisation="威海市应急管理局", region_code="3710")
ADMIN = Caller(id="u-admin", name="管理员", role="admin", region_code="")
CITY_SUPERVISOR = Caller(id="u-city", name="市安委办", role="supervisor", region_code="3710", level="city")
OTHER_CITY_INSPECTOR = Caller(id="u-jn", name="济南检查员", role="inspector", region_code="3701")


def headers_for(caller: Caller, token: str = DEV_INTERNAL_TOKEN) -> dict[str, str]:
    return {TOKEN_HEADER: token, CALLER_HEADER: caller.encode()}


@asynccontextmanager
async def service_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running (NATS, relay, consumers), reached in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client
