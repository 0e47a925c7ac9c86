"""A client generated from the running gateway's `/openapi.json` by openapi-python-client works:
the generated package and a program written against it (`generated_client_driver.py`) pass
`mypy --strict`, and the program takes a major hazard from its report to its closing (销号) and finds
it counted in the dispatch table (调度表), through the generated client alone."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import Stack
from tests.support.uscc import random_uscc

PACKAGE = "hazard_ledger_client"
DRIVER = Path(__file__).with_name("generated_client_driver.py")
BIN = Path(sys.executable).parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTED = ("department_inspection_major_found", "department_inspection_major_rectified")


def _run(command: list[str], cwd: Path, **env: str) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240, env={**os.environ, **env})
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command[0]} exited {done.returncode}:\n{output[-6000:]}"
    return output


def _generate(spec: Path, into: Path) -> str:
    """Generate the client package (no formatting hooks: the code is checked as generated)."""
    config = into.parent / "generator.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none"]
    return _run([*command, "--output-path", str(into), "--config", str(config)], into.parent)


def _skipped_parts(output: str) -> list[str]:
    """What the generator left out, and why: only bodies it cannot type (files other than JSON,
    CSV and octet-stream, i.e. workbooks and photos) may be; any other warning is a defect of the
    document."""
    return [block for block in output.split("WARNING parsing ")[1:] if "Unsupported content" not in block]


@pytest.fixture
def driver(stack: Stack, tmp_path: Path) -> Iterator[ModuleType]:
    """The driver, imported against a client just generated from the served document and checked."""
    spec = tmp_path / "openapi.json"
    spec.write_bytes(httpx.get(f"{stack.base_url}/openapi.json", timeout=30).raise_for_status().content)
    output = _generate(spec, tmp_path / PACKAGE)
    assert _skipped_parts(output) == []
    (tmp_path / "mypy.ini").write_text("[mypy]\n")
    checked = [str(BIN / "mypy"), "--strict", "--config-file", "mypy.ini", "--no-error-summary", PACKAGE, str(DRIVER)]
    _run(checked, tmp_path, MYPYPATH=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("tests.e2e.generated_client_driver")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith(PACKAGE) or name.endswith("client_driver")]:
            del sys.modules[name]  # the next stack's run generates and imports its own


def test_a_generated_client_closes_a_major_hazard_and_reads_the_dispatch_table(
    stack: Stack, driver: ModuleType
) -> None:
    admin = driver.client(stack.base_url, stack.admin_key)
    inspector = driver.client(stack.base_url, driver.inspector_key(admin, "3710", "威海市应急管理局"))
    period = driver.period_covering(datetime.now(SHANGHAI).date())

    def counts() -> dict[str, int]:
        table = driver.dispatch_table(inspector, period, "3710")
        assert isinstance(table, driver.DispatchTable) and table.region_code == "3710"
        return {key: driver.figure(table, key) for key in COUNTED}

    before = counts()  # the stack is shared by the session: other tests' hazards count too
    enterprise = driver.register(inspector, random_uscc(), "371002")
    company = driver.client(stack.base_url, driver.enterprise_key(admin, enterprise))
    now = driver.utc_now()

    reported = driver.report_major(inspector, enterprise.id, now)
    assert isinstance(reported, driver.HazardPublic)
    assert (reported.status, reported.level, reported.region_code) == ("reported", "major", "371002")
    closed = driver.close_out(reported, company, inspector, now)
    assert isinstance(closed, driver.HazardPublic) and closed.status == "closed"
    assert closed.plan.responsible_person == "赵总" and closed.acceptance.reviewer == "李处长"
    assert closed.version == reported.version + 3

    history = driver.history(inspector, reported.id)
    assert [entry.type_ for entry in history] == [
        "hazard.found",
        "hazard.plan_set",
        "hazard.rectified",
        "hazard.accepted",
    ]
    assert history[1].actor.name == "冷库安全员"

    added = _eventually_added(counts, before, "department_inspection_major_rectified")
    assert added == dict.fromkeys(COUNTED, 1)


def _eventually_added(counts: Callable[[], dict[str, int]], before: dict[str, int], key: str) -> dict[str, int]:
    """What the table gained once `key` grew (it is a projection: eventually consistent), in 30 s."""
    deadline = time.monotonic() + 30
    while (now := counts())[key] == before[key]:
        assert time.monotonic() < deadline, f"not counted in time: {now}"
        time.sleep(0.2)
    return {name: now[name] - before[name] for name in now}
