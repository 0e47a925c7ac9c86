"""`./hl up` is a supervisor worth the name: one per data folder, nothing outlives it (even `kill -9`),
a crashed service or nats-server is restarted and reported, and the operator commands find the
stack it runs (its ports, its data folder) or say plainly that none runs."""

from __future__ import annotations

import csv
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hl_stack.services import SERVICES
from hl_stack.state import is_locked
from tests.support.stack import UpProcess, alive, eventually, hl, ok, start_up
from tests.support.uscc import random_uscc

pytestmark = pytest.mark.slow


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _holders(data_dir: Path) -> list[str]:
    lock = str(data_dir / "hl-up.lock")
    found = []
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) == lock:
                found.append(Path(fd.parent.parent, "cmdline").read_text().replace("\0", " "))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpProcess]:
    """One stack for the tests that leave it running; every port is set by the test."""
    stack = start_up(tmp_path_factory.mktemp("supervised") / "data")
    try:
        yield stack
    finally:
        stack.stop()


def test_kill_9_of_the_launcher_leaves_no_process_behind(tmp_path: Path) -> None:
    stack = start_up(tmp_path / "data")
    assert stack.process is not None
    children = _descendants(stack.process.pid)
    supervised = stack.state().pids
    assert set(supervised) == {"nats-server", "seaweedfs", *SERVICES}
    assert set(supervised.values()) <= set(children), "every supervised process is the launcher's own"
    os.kill(stack.process.pid, signal.SIGKILL)
    stack.process.wait(10)
    eventually(lambda: not any(alive(pid) for pid in children), timeout=40)
    assert eventually(lambda: not is_locked(stack.data_dir), timeout=10), (
        f"the lock goes with its last holder: {_holders(stack.data_dir)}"
    )
    assert not ok(f"{stack.gateway}/readyz")


def test_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    stack = start_up(tmp_path / "data")
    assert stack.process is not None
    children = _descendants(stack.process.pid)
    assert stack.stop() == 0
    assert "stopped." in stack.output()
    assert not any(alive(pid) for pid in children)
    assert not (stack.data_dir / "hl-up.json").exists()


def test_a_second_up_on_the_same_data_folder_is_refused(up: UpProcess) -> None:
    second = hl("up", "--data-dir", str(up.data_dir), env={**up.env, "HL_PORT": "0"}, timeout=60)
    assert second.returncode == 3
    assert f"another ./hl up already runs on {up.data_dir}" in second.stderr
    assert f"pid {up.state().pid}" in second.stderr
    assert ok(f"{up.gateway}/readyz"), "the running stack is untouched"


def test_a_killed_service_is_restarted_and_reported(up: UpProcess) -> None:
    before = up.state().pids["hazard"]
    os.kill(before, signal.SIGKILL)
    eventually(lambda: up.state().pids["hazard"] != before, timeout=30)
    eventually(lambda: ok(f"{up.internal('hazard')}/readyz"), timeout=60)
    eventually(lambda: "hazard ready again" in up.output(), timeout=10)
    assert "hazard exited with code -9; restarting in 1 s" in up.output()
    with up.client() as admin:  # and it serves writes again
        assert _register(admin).status_code == 201


def test_a_killed_nats_server_is_restarted_and_the_services_reconnect(up: UpProcess) -> None:
    before = up.state().pids["nats-server"]
    os.kill(before, signal.SIGKILL)
    eventually(lambda: up.state().pids["nats-server"] != before, timeout=30)
    assert "nats-server exited with code -9" in up.output()
    for service in SERVICES:
        eventually(
            lambda service=service: ok(f"{up.internal(service) if service != 'gateway' else up.gateway}/readyz"),
            timeout=60,
        )
    with up.client() as admin:  # an enterprise.registered goes through the new server to hazard's replica
        registered = _register(admin)
        assert registered.status_code == 201, registered.text
        _report_hazard(admin, registered.json()["id"])


def test_status_finds_the_ports_up_chose(up: UpProcess) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HL_")}
    env["COLUMNS"] = "200"  # the table's addresses in full
    answer = hl("status", "--data-dir", str(up.data_dir), env=env)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    for variable in ("HL_PORT", *(info.env_prefix + "PORT" for name, info in SERVICES.items() if name != "gateway")):
        assert f"http://127.0.0.1:{up.env[variable]}" in answer.stdout
    assert answer.stdout.count("ready") == len(SERVICES) and "not ready" not in answer.stdout
    by_variable = hl("status", env={**env, "HL_DATA_DIR": str(up.data_dir)})
    assert by_variable.returncode == 0, by_variable.stdout + by_variable.stderr


def test_commands_say_plainly_that_no_stack_runs(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HL_")}
    for args in (["status"], ["rebuild-projections"], ["import-enterprises", "x.csv"], ["keys", "list"]):
        answer = hl(*args, "--data-dir", str(tmp_path), env=env)
        assert answer.returncode == 1, args
        said = " ".join((answer.stdout + answer.stderr).split())  # rich wraps long lines
        assert f"no ./hl up runs on {tmp_path}" in said
        assert "Traceback" not in said


def test_import_and_rebuild_act_on_the_stack_of_the_data_folder(up: UpProcess, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HL_")}
    uscc = random_uscc()
    sheet = tmp_path / "enterprises.csv"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["统一社会信用代码", "企业名称", "行政区划代码", "行业领域", "主要负责人", "联系电话", "高危行业"]
        )
        writer.writerow([uscc, "威海导入测试有限公司", "371002", "other", "李四", "13806310001", "否"])
    imported = hl("import-enterprises", str(sheet), "--data-dir", str(up.data_dir), env=env)
    assert imported.returncode == 0, imported.stderr
    assert "registered: 1" in imported.stderr
    with up.client() as admin:
        eventually(lambda: _listed(admin, uscc), timeout=30)
        enterprise_id = _listed(admin, uscc)
        _report_hazard(admin, enterprise_id)  # the import's event reached the hazard service over NATS
    rebuilt = hl("rebuild-projections", "--data-dir", str(up.data_dir), env={**env, "COLUMNS": "300"}, timeout=180)
    assert rebuilt.returncode == 0, rebuilt.stderr
    live = next(line for line in rebuilt.stderr.splitlines() if "is live" in line)
    assert str(up.data_dir) in live, "the new generation lives in the stack's folder"


def _register(admin: httpx.Client, uscc: str | None = None) -> httpx.Response:
    return admin.post(
        "/enterprises",
        json={
            "uscc": uscc or random_uscc(),
            "name": "威海某监督测试有限公司",
            "region_code": "371002",
            "industry": "other",
            "principal": {"name": "张三", "phone": "13806310000"},
            "high_risk": False,
        },
    )


def _listed(admin: httpx.Client, uscc: str) -> str | None:
    answer = admin.get("/enterprises", params={"q": uscc})
    found = (
        [item["id"] for item in answer.json()["items"] if item.get("uscc") == uscc] if answer.status_code == 200 else []
    )
    return found[0] if found else None


def _report_hazard(admin: httpx.Client, enterprise_id: str) -> str:
    report = {
        "enterprise_id": enterprise_id,
        "source": "self_inspection",
        "level": "general",
        "title": "消防通道堵塞",
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "张三",
    }

    def reported() -> httpx.Response | None:
        answer = admin.post("/hazards", json=report)
        return answer if answer.status_code != 409 else None  # the replica is still catching up

    answer = eventually(reported, timeout=30)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])
