"""What an operator reaches and a client does not: /metrics only on the gateway's internal
listener, and API docs that load every asset from the gateway itself (they work offline)."""

from __future__ import annotations

import re

import httpx
import pytest

from hl_platform.settings import ServiceSettings
from tests.integration.gateway.conftest import Stack

ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")
EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+""", re.IGNORECASE)


async def test_metrics_are_served_on_the_internal_listener_only(stack: Stack) -> None:
    public = await stack.client.get("/metrics")
    assert public.status_code == 404
    assert "/metrics" not in (await stack.client.get("/openapi.json")).json()["paths"]
    assert stack.gateway.app is not None
    address = stack.gateway.app.state.gateway.metrics.address
    assert address is not None and address[0] == "127.0.0.1" and address[1] != stack.gateway.port
    async with httpx.AsyncClient() as client:
        scraped = await client.get(f"http://127.0.0.1:{address[1]}/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    assert "# HELP" in scraped.text and "python_info" in scraped.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_load_every_asset_from_the_gateway(stack: Stack, page: str) -> None:
    answer = await stack.client.get(page)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.search(answer.text), f"an external URL in {page}: {EXTERNAL.findall(answer.text)}"
    assets = [a or b for a, b in ASSET.findall(answer.text)]
    assert "/openapi.json" in assets and len(assets) >= 3, assets
    for asset in assets:
        fetched = await stack.client.get(asset)
        assert fetched.status_code == 200 and fetched.content, asset
    assert any(asset.endswith(".js") for asset in assets)


def test_production_refuses_a_short_internal_token() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        ServiceSettings(environment="production", internal_token="x")
    with pytest.raises(ValueError, match="development default"):
        ServiceSettings(environment="production")
    assert ServiceSettings(environment="production", internal_token="t" * 32).internal_token == "t" * 32
    assert ServiceSettings(environment="development", internal_token="x").internal_token == "x"
