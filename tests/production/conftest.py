"""The production suite: the compose stack built and run by podman (deploy/podman/stack.sh) —
three NATS nodes (JetStream R3), PostgreSQL, the S3 object store (SeaweedFS), the six services
with two reporting replicas, each a container — and faults injected into it.

It runs only when asked (HL_TEST_PRODUCTION=1; `.ci/run` asks when podman can run here) and when
`stack.sh can-run` proves that a container runs; otherwise every test is skipped with the reason.
The stack is started once for the session and removed at its end (HL_STACK_KEEP=1 keeps it up).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.production.stack import Stack, parse_timings, stack_sh

SUMMARY: dict[str, Any] = {"timings": {}, "faults": []}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "production: runs on the podman compose stack (HL_TEST_PRODUCTION=1)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    first = True
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.production)
            if first:  # its setup builds the images (when not cached) and starts the stack
                item.add_marker(pytest.mark.timeout(2400))
                first = False


def _skip_reason() -> str | None:
    if os.environ.get("HL_TEST_PRODUCTION") != "1":
        return "the production suite runs with HL_TEST_PRODUCTION=1 (it builds and starts the podman stack)"
    answer = stack_sh("can-run", timeout=600)
    if answer.returncode != 0:
        return (answer.stdout + answer.stderr).strip().splitlines()[-1]
    return None


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    env = os.environ
    running = Stack(
        project=env.get("HL_STACK_PROJECT", "hl-prod"),
        gateway_port=int(env.get("HL_STACK_GATEWAY_PORT", "18000")),
        nats_port=int(env.get("HL_STACK_NATS_PORT", "14222")),
        s3_port=int(env.get("HL_STACK_S3_PORT", "18333")),
    )
    up = stack_sh("up")
    print(up.stderr)
    timings = parse_timings(up.stderr)
    SUMMARY["timings"] = running.timings = {
        **build_times(timings),
        **{k: v for k, v in timings.items() if v or not k.startswith("build")},
    }
    try:
        assert up.returncode == 0, f"stack.sh up failed:\n{up.stdout}\n{up.stderr}"
        running.admin_key = running.admin_api_key()
        yield running
    finally:
        if env.get("HL_STACK_KEEP") != "1":
            down = stack_sh("down", timeout=300)
            assert down.returncode == 0, down.stderr


@pytest.fixture
def healthy_stack(stack: Stack) -> Stack:
    """The stack with every container healthy (a fault test that failed half-way may have left one
    stopped: `stack.sh up` starts what is missing and waits)."""
    if not stack.ready():
        again = stack_sh("up")
        assert again.returncode == 0, again.stderr
    return stack


def build_times(timings: dict[str, float]) -> dict[str, float]:
    """How long each image took to build: now, or when it was built (stack.sh keeps the figure
    beside the cached image)."""
    state = Path(os.environ.get("HL_STACK_STATE_DIR", "/var/tmp/hl-stack"))
    times = {}
    for name in ("base", "nats", "postgres", "s3", "app"):
        seconds = state / f"build-{name}.seconds"
        if timings.get(f"build {name}") == 0.0 and seconds.exists():
            times[f"build {name} (cached now; its build took)"] = float(seconds.read_text().strip())
    return times


def record_fault(**figures: Any) -> None:
    SUMMARY["faults"].append(figures)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SUMMARY["timings"] and not SUMMARY["faults"]:
        return
    write = terminalreporter.write_line
    terminalreporter.section("production stack (podman)")
    for name, seconds in SUMMARY["timings"].items():
        write(f"  {name:<48} {seconds:6.0f} s")
    if SUMMARY["faults"]:
        write(
            f"  {'fault':<40} {'acked':>6} {'unanswered':>10} {'stored':>6} {'counted':>7} "
            f"{'writes down':>11} {'reads down':>10} {'converged':>9}"
        )
    for fault in SUMMARY["faults"]:
        write(
            f"  {fault['fault']:<40} {fault['acknowledged']:>6} {fault['unanswered']:>10} {fault['stored']:>6} "
            f"{fault['counted']:>7} {fault['writes_unavailable_s']:>10.1f}s {fault['reads_unavailable_s']:>9.1f}s "
            f"{fault['converged_s']:>8.1f}s"
        )
