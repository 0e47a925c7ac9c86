"""A bounded schemathesis run against the gateway's own /openapi.json, with the real hazard,
enterprise and reporting services behind it. Every answer must match the document (status,
content type, body schema); errors must be problem+json; no 5xx on any route. The live event
stream is fuzzed too: its answer is judged by status and headers, then the stream is closed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation

from tests.integration.gateway.conftest import ADMIN_KEY, PROBLEM, Stack

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}
STREAMED = {"/api/v1/events/stream"}  # endless: judged by status and headers only
# Services the fixture does not run: the gateway answers 503/504 for them, as documented.
NOT_RUNNING = ("/api/v1/webhooks", "/api/v1/tips", "/api/v1/public/tips")


def _check(case: Case[Any], response: Response, path: str) -> None:
    label = f"{case.method} {case.formatted_path} → {response.status_code}: {response.content[:300]!r}"
    if response.status_code >= 500:
        documented = set(case.operation.definition.raw["responses"])
        unavailable = path.startswith(NOT_RUNNING) or str(response.status_code) in documented
        assert response.status_code in (503, 504) and unavailable, label
    if response.status_code >= 400:
        assert response.headers.get("content-type") == [PROBLEM], label
    case.validate_response(
        response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
    )


def _check_stream(case: Case[Any], base_url: str) -> None:
    """Open the stream, read the status and headers, close it."""
    kwargs = case.as_transport_kwargs(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    with httpx.stream(
        kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"), timeout=10
    ) as answer:
        label = f"{case.method} {case.formatted_path} → {answer.status_code}"
        assert answer.status_code < 500, label
        documented = set(case.operation.definition.raw["responses"])
        assert str(answer.status_code) in documented, label
        expected = "text/event-stream" if answer.status_code == 200 else PROBLEM
        assert answer.headers["content-type"].startswith(expected), label


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any], base_url: str, mode: GenerationMode, session: requests.Session
) -> int:
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case[Any]) -> None:
        nonlocal calls
        calls += 1
        if operation.path in STREAMED:
            _check_stream(case, base_url)
            return
        response = case.call(base_url=base_url, session=session, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        _check(case, response, operation.path)

    run()
    return calls


def _run(document: dict[str, Any], base_url: str) -> tuple[int, int]:
    schema = schemathesis.openapi.from_dict(document)
    operations = calls = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails loudly here
            if not operation.path.startswith("/api/v1"):
                continue
            operations += 1
            for mode in EXAMPLES_PER_OPERATION:
                calls += _fuzz(operation, base_url, mode, session)
    return operations, calls


async def test_the_gateway_keeps_to_its_openapi_document(full_stack: Stack) -> None:
    document = (await full_stack.client.get("/openapi.json")).json()
    started = time.monotonic()
    operations, calls = await asyncio.to_thread(_run, document, full_stack.gateway.url)
    assert operations == 87 and calls >= operations  # every public operation (82 + the enterprise five)
    assert time.monotonic() - started < 600
