"""A small process supervisor for the embedded stack.

Every process is described by a `ProcessSpec` (command, environment, readiness and health
probes), so adding one to the stack is a few lines. The supervisor starts them in order, each
once the previous is ready; then it watches them all: a process that exits, or whose health probe
fails for `unhealthy_after` seconds, is reported and restarted with exponential back-off (1 s, 2 s,
4 s … 30 s; the count starts again after a minute of good health).

Nothing outlives the supervisor: on Linux every child asks the kernel for SIGTERM when the
supervisor dies (PR_SET_PDEATHSIG), even by `kill -9`; each also runs in a session of its own,
so a Ctrl-C reaches the supervisor alone, which then stops them in reverse order.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console

PR_SET_PDEATHSIG = 1
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0  # running this long in good health resets the back-off


@dataclass
class ProcessSpec:
    """One supervised process."""

    name: str
    argv: Sequence[str]
    ready_url: str  # answers 200 once the process serves (probed at start and after a restart)
    health_url: str | None = None  # probed while running; None: only an exit counts as a failure
    env: Mapping[str, str] | None = None
    log_path: Path | None = None  # None: the supervisor's own stdout/stderr
    start_timeout: float = 60.0
    unhealthy_after: float = 20.0
    probe_interval: float = 2.0
    infrastructure: bool = False  # NATS, an object store: stopped after the services that use it
    cwd: Path | None = None  # where it keeps files it names relative to its working folder


def _die_with(parent: int) -> Callable[[], None]:
    """In the child, before exec: SIGTERM when the parent dies; give up if it already has."""

    def prepare() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return prepare


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None,
    log_path: Path | None,
    keep_fds: Sequence[int] = (),
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a child that dies with us, in a session of its own, holding `keep_fds` (the lock)."""
    log = open(log_path, "ab") if log_path is not None else None  # handed to the child
    try:
        return subprocess.Popen(
            list(argv),
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            start_new_session=True,
            preexec_fn=_die_with(os.getpid()),  # the supervisor runs no threads
            pass_fds=tuple(keep_fds),
            cwd=cwd,
        )
    finally:
        if log is not None:
            log.close()


def probe(url: str, timeout: float = 1.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Supervised:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    state: str = "stopped"  # starting, running, waiting (to restart), stopped
    failures: int = 0  # in a row, for the back-off
    restarts: int = 0
    since: float = 0.0  # when the current state began
    restart_at: float = 0.0
    unhealthy_since: float | None = None
    probed_at: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


class StartFailed(Exception):
    pass


class Supervisor:
    def __init__(
        self, console: Console, *, keep_fds: Sequence[int] = (), on_change: Callable[[], None] | None = None
    ) -> None:
        self.console = console
        self.keep_fds = tuple(keep_fds)
        self.on_change = on_change or (lambda: None)
        self.children: dict[str, Supervised] = {}

    def pids(self) -> dict[str, int]:
        return {name: child.pid for name, child in self.children.items() if child.pid is not None}

    # -- start ------------------------------------------------------------------------------
    def start(self, spec: ProcessSpec) -> None:
        """Start a process and wait until it is ready; StartFailed if it exits or times out."""
        child = self.children[spec.name] = Supervised(spec)
        self._launch(child)
        deadline = time.monotonic() + spec.start_timeout
        while not probe(spec.ready_url):
            if child.process is not None and child.process.poll() is not None:
                raise StartFailed(
                    f"{spec.name} exited with code {child.process.returncode} while starting{self._log_hint(spec)}"
                )
            if time.monotonic() > deadline:
                raise StartFailed(
                    f"{spec.name} did not become ready in {spec.start_timeout:.0f} s{self._log_hint(spec)}"
                )
            time.sleep(0.1)
        self._set(child, "running")

    def run_once(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
        """A one-shot step (migrations), dying with us like the others."""
        process = subprocess.Popen(
            list(argv),
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=_die_with(os.getpid()),
        )
        out, err = process.communicate()
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    def _launch(self, child: Supervised) -> None:
        spec = child.spec
        child.process = spawn(spec.argv, env=spec.env, log_path=spec.log_path, keep_fds=self.keep_fds, cwd=spec.cwd)
        self._set(child, "starting")
        child.unhealthy_since = None
        self.on_change()

    def _set(self, child: Supervised, state: str) -> None:
        child.state = state
        child.since = time.monotonic()

    @staticmethod
    def _log_hint(spec: ProcessSpec) -> str:
        return f"; see {spec.log_path}" if spec.log_path is not None else ""

    # -- watch ------------------------------------------------------------------------------
    def watch(self, stopping: Callable[[], bool], tick: float = 0.2) -> None:
        """Keep every process up until `stopping()` is true."""
        while not stopping():
            for child in self.children.values():
                self._check(child)
            time.sleep(tick)

    def _check(self, child: Supervised) -> None:
        now = time.monotonic()
        process = child.process
        if child.state == "waiting":
            if now >= child.restart_at:
                child.restarts += 1
                self.console.print(f"[yellow]↻ restarting {child.spec.name} (restart {child.restarts})[/]")
                self._launch(child)
            return
        assert process is not None
        if process.poll() is not None:
            self._failed(child, f"exited with code {process.returncode}")
        elif child.state == "starting":
            self._check_starting(child, now)
        elif child.state == "running":
            self._check_health(child, now)

    def _check_starting(self, child: Supervised, now: float) -> None:
        if now - child.probed_at < 0.5:
            return
        child.probed_at = now
        if probe(child.spec.ready_url):
            self._set(child, "running")
            self.console.print(f"[green]✓[/] {child.spec.name} ready again (pid {child.pid})")
            self.on_change()
        elif now - child.since > child.spec.start_timeout:
            self._terminate(child)
            self._failed(child, f"not ready after {child.spec.start_timeout:.0f} s")

    def _check_health(self, child: Supervised, now: float) -> None:
        spec = child.spec
        if child.failures and now - child.since > STABLE_AFTER_S:
            child.failures = 0
        if spec.health_url is None or now - child.probed_at < spec.probe_interval:
            return
        child.probed_at = now
        if probe(spec.health_url, timeout=2.0):
            child.unhealthy_since = None
            return
        child.unhealthy_since = child.unhealthy_since or now
        if now - child.unhealthy_since >= spec.unhealthy_after:
            self._terminate(child)
            self._failed(child, f"unhealthy for {spec.unhealthy_after:.0f} s ({spec.health_url})")

    def _failed(self, child: Supervised, why: str) -> None:
        child.failures += 1
        delay = min(2.0 ** (child.failures - 1), MAX_BACKOFF_S)
        self.console.print(
            f"[red]✗ {child.spec.name} {why}; restarting in {delay:.0f} s[/]{self._log_hint(child.spec)}"
        )
        self._set(child, "waiting")
        child.restart_at = time.monotonic() + delay

    @staticmethod
    def _terminate(child: Supervised, timeout: float = 10.0) -> None:
        process = child.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    # -- stop -------------------------------------------------------------------------------
    def stop_all(self, timeout: float = 20.0) -> None:
        """SIGTERM the services together, then the infrastructure they used (so that they can
        flush to it); SIGKILL whatever has not exited in time."""
        services = [child for child in self.children.values() if not child.spec.infrastructure]
        infrastructure = [child for child in self.children.values() if child.spec.infrastructure]
        for group, grace in ((services, timeout), (infrastructure, 10.0)):
            for child in group:
                if child.process is not None and child.process.poll() is None:
                    child.process.terminate()
            deadline = time.monotonic() + grace
            for child in group:
                self._wait(child, deadline)
                child.state = "stopped"

    def _wait(self, child: Supervised, deadline: float) -> None:
        process = child.process
        if process is None:
            return
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.console.print(f"[yellow]{child.spec.name} did not stop in time; killing it[/]")
            process.kill()
            process.wait()
