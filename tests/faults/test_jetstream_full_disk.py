"""A full disk under JetStream, for real: the embedded stack's JetStream store on a small tmpfs,
filled to the last byte while the stack runs.

While JetStream cannot store, the publishing service's /readyz says so (503, `jetstream: cannot
store …`) and writes keep landing in the outbox; once space is freed the stack recovers by itself
(the supervisor restarts the nats-server whose stream has a write error, the relay's retries then
get their PubAcks) and every event written meanwhile reaches the stream.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.stack import eventually, start_up
from tests.support.uscc import random_uscc

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "16m") -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem refuses another byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: nothing is left to fail at close
        for chunk in (65536, 1):
            with contextlib.suppress(OSError):
                while out.write(b"\0" * chunk):
                    pass
    return filler


def _readyz(url: str) -> tuple[int, dict[str, Any]]:
    try:
        answer = httpx.get(f"{url}/readyz", timeout=3)
    except httpx.HTTPError:
        return 0, {}
    return answer.status_code, answer.json().get("checks", {})


def _cannot_store(url: str) -> tuple[int, dict[str, Any]] | None:
    status, checks = _readyz(url)
    return (status, checks) if str(checks.get("jetstream", "")).startswith("cannot store") else None


def _unpublished(data_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(data_dir / "hazard.db", timeout=10)) as conn:
        return int(conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0])


def _report(admin: httpx.Client, enterprise_id: str, title: str, description: str = "") -> str:
    report = {
        "enterprise_id": enterprise_id,
        "source": "self_inspection",
        "level": "general",
        "title": title,
        "description": description,
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "张三",
    }

    def reported() -> httpx.Response | None:
        answer = admin.post("/hazards", json=report)
        return answer if answer.status_code != 409 else None  # the replica is still catching up

    answer = eventually(reported, timeout=60)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_full_disk_makes_the_publisher_unready_and_the_stack_recovers_when_space_returns(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with small_filesystem(data_dir / "nats" / "jetstream") as store:
        up = start_up(data_dir)
        try:
            hazard = up.internal("hazard")
            with up.client() as admin:
                registered = admin.post(
                    "/enterprises",
                    json={
                        "uscc": random_uscc(),
                        "name": "威海磁盘测试有限公司",
                        "region_code": "371002",
                        "industry": "other",
                        "principal": {"name": "张三", "phone": "13806310000"},
                        "high_risk": False,
                    },
                )
                assert registered.status_code == 201, registered.text
                enterprise_id = registered.json()["id"]
                _report(admin, enterprise_id, "满盘之前")
                eventually(lambda: _unpublished(data_dir) == 0, timeout=30)

                filler = fill(store)
                # Events of a few kB each: more than the free end of a file's last page, which a
                # full filesystem still lets a write fill.
                written = [_report(admin, enterprise_id, f"满盘之时 {n}", "隐患描述" * 250) for n in range(6)]
                assert len(written) == 6, "writes are accepted into the outbox meanwhile"
                # (503 with `nats: disconnected` too, while the supervisor restarts the server)
                status, checks = eventually(lambda: _cannot_store(hazard), timeout=90, why=up.diagnosis)
                assert status == 503, checks
                assert _unpublished(data_dir) >= 1

                filler.unlink()  # space again: nobody restarts anything by hand
                eventually(lambda: _readyz(hazard)[0] == 200, timeout=120, why=up.diagnosis)
                eventually(lambda: _unpublished(data_dir) == 0, timeout=60, why=up.diagnosis)
                assert _report(admin, enterprise_id, "满盘之后")
                eventually(lambda: _unpublished(data_dir) == 0, timeout=30)
            assert "nats-server unhealthy" in up.output() or "nats-server exited" in up.output(), up.output()[-2000:]
        finally:
            up.stop()
