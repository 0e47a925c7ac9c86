"""Processes the benchmark starts (only those), their memory from /proc, and clean shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


def rss_mb(pid: int) -> float | None:
    """Current resident set size."""
    value = proc_status(pid).get("VmRSS")
    return int(value.split()[0]) / 1024 if value else None


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size since the process started (the kernel's high-water mark)."""
    value = proc_status(pid).get("VmHWM")
    return int(value.split()[0]) / 1024 if value else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_http(url: str, process: subprocess.Popen[bytes] | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with code {process.returncode} while starting")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 15.0, sig: int = signal.SIGTERM) -> None:
    """Stop one process we started, by its own id: the signal, then a kill if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "ab")
    try:
        return subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        handle.close()


def wait_child(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """Wait for a child; returns (exit code, ru_maxrss in MB — which on Linux includes the pages of
    the forked parent before exec, so it is no measure of the child's own peak)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage.ru_maxrss / 1024
        time.sleep(0.05)
    stop_process(process)
    raise TimeoutError(f"{process.args!r} did not finish within {timeout:.0f} s")
