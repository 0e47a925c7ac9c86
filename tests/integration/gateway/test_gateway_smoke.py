"""A first request through the gateway to the real hazard service."""

from __future__ import annotations

from tests.integration.gateway.conftest import ADMIN_KEY, Stack


async def test_report_and_read_a_hazard_through_the_gateway(stack: Stack) -> None:
    enterprise_id = await stack.enterprise("371002")
    hazard = await stack.report(enterprise_id)
    answer = await stack.client.get(f"/api/v1/hazards/{hazard['id']}", headers=stack.as_(ADMIN_KEY))
    assert answer.status_code == 200 and answer.headers["etag"] == '"1"'
