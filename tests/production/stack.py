"""The compose stack as podman runs it (deploy/podman/stack.sh): its containers by service, the
faults a test injects into them, and reads of its PostgreSQL databases through `psql` inside the
postgres container (the database port is not published)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import nats.aio.client

from hl_platform.nats_io import inbox_prefix

ROOT = Path(__file__).resolve().parents[2]
STACK_SH = ROOT / "deploy" / "podman" / "stack.sh"
ENV = {**os.environ, "CONTAINERS_CONF": str(ROOT / "deploy" / "podman" / "containers.conf")}


def compose_default(variable: str) -> str:
    """The development default docker-compose.yml gives a variable (`${VAR:-default}`): the
    passwords the stack runs with here, read from the compose file rather than copied."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    found = re.search(r"\$\{" + re.escape(variable) + r":-([^}]*)\}", text)
    assert found, f"docker-compose.yml gives {variable} no default"
    return found.group(1)


SERVICES = (
    "nats-1", "nats-2", "nats-3", "postgres", "s3", "hazard", "enterprise", "reporting", "tips", "gateway", "webhooks",
)  # fmt: skip
NATS_USERS = {"hl-admin": "HL_NATS_ADMIN_PASSWORD", "bureau-weihai": "HL_NATS_BUREAU_WEIHAI_PASSWORD"}


def run(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One command, bounded in time; its output captured."""
    result = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def stack_sh(command: str, *, timeout: float = 1500) -> subprocess.CompletedProcess[str]:
    return run("bash", str(STACK_SH), command, timeout=timeout, check=False)


@dataclass
class Stack:
    """A running stack: where it answers, and how to reach into it."""

    project: str
    gateway_port: int
    nats_port: int
    s3_port: int = 18333
    admin_key: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def s3_url(self) -> str:
        """The object store's S3 API as published on this host (where download links point)."""
        return f"http://127.0.0.1:{self.s3_port}"

    def nats_url(self, user: str) -> str:
        return f"nats://{user}:{compose_default(NATS_USERS[user])}@127.0.0.1:{self.nats_port}"

    async def nats(self, user: str, **options: Any) -> nats.aio.client.Client:
        """A connection as `user`, receiving replies on the user's own inbox prefix (the only
        subjects auth.conf lets it subscribe to)."""
        return await nats.connect(self.nats_url(user), connect_timeout=5, inbox_prefix=inbox_prefix(user), **options)

    # -- containers ---------------------------------------------------------------------------

    def containers(self, service: str) -> list[str]:
        """The service's containers (its replicas), in number order."""
        out = run(
            "podman", "ps", "-a", "--filter", f"label=io.podman.compose.project={self.project}",
            "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}",
        ).stdout.split()  # fmt: skip
        return sorted(out, key=lambda name: int(name.rsplit("_", 1)[1]))

    def container(self, service: str, replica: int = 1) -> str:
        return f"{self.project}_{service}_{replica}"

    def ready(self) -> bool:
        """Every long-running container up and the gateway ready: one `podman ps` and one request
        (the full check, every healthcheck run, is `stack.sh check`)."""
        listed = run(
            "podman", "ps", "--filter", f"label=io.podman.compose.project={self.project}", "--format", "{{.Names}}",
        ).stdout.split()  # fmt: skip
        wanted = {self.container(s) for s in SERVICES} | {self.container("reporting", 2)}
        if not wanted <= set(listed):
            return False
        try:
            with urllib.request.urlopen(f"{self.gateway_url}/readyz", timeout=10) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def running(self, container: str) -> bool:
        state = run("podman", "inspect", "-f", "{{.State.Running}}", container, check=False).stdout.strip()
        return state == "true"

    def healthy(self, container: str) -> bool:
        """The compose file's (or the image's) healthcheck for the container, run now."""
        if not self.running(container):
            return False
        return run("podman", "healthcheck", "run", container, timeout=30, check=False).returncode == 0

    def wait_healthy(self, container: str, timeout: float = 120) -> float:
        """Seconds until the container is healthy again."""
        start = time.monotonic()
        while not self.healthy(container):
            if time.monotonic() - start > timeout:
                logs = run("podman", "logs", "--tail", "40", container, check=False)
                raise AssertionError(f"{container} not healthy after {timeout:.0f} s\n{logs.stdout}{logs.stderr}")
            time.sleep(0.5)
        return time.monotonic() - start

    def exit_code(self, container: str) -> int:
        return int(run("podman", "inspect", "-f", "{{.State.ExitCode}}", container).stdout.strip())

    def image(self, container: str) -> str:
        return run("podman", "inspect", "-f", "{{.ImageName}}", container).stdout.strip()

    def stop(self, container: str, grace_s: int = 10) -> None:
        """An operator's stop: SIGTERM, then SIGKILL after the grace period."""
        run("podman", "stop", "-t", str(grace_s), container, timeout=grace_s + 60)

    def start(self, container: str) -> None:
        run("podman", "start", container)

    def restart(self, container: str, grace_s: int = 10) -> None:
        run("podman", "restart", "-t", str(grace_s), container, timeout=grace_s + 60)

    def crash(self, container: str) -> None:
        """SIGKILL the container's main process from the host, as a crash would: no shutdown at all,
        and the container's restart policy (`unless-stopped`) decides what happens next."""
        pid = run("podman", "inspect", "-f", "{{.State.Pid}}", container).stdout.strip()
        assert pid.isdigit() and int(pid) > 1, f"{container} has no process ({pid!r})"
        os.kill(int(pid), 9)

    def restarts(self, container: str) -> int:
        return int(run("podman", "inspect", "-f", "{{.RestartCount}}", container).stdout.strip() or 0)

    def exec(self, container: str, *command: str, timeout: float = 60) -> str:
        return run("podman", "exec", container, *command, timeout=timeout).stdout

    # -- reads -------------------------------------------------------------------------------

    def sql(self, database: str, query: str) -> Any:
        """A query returning one JSON value, run by psql inside the postgres container."""
        out = self.exec(
            self.container("postgres"), "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres",
            "-d", database, "-At", "-c", query,
        )  # fmt: skip
        return json.loads(out.strip() or "null")

    def jsz(self, node: str) -> dict[str, Any]:
        """A NATS node's JetStream monitoring page (port 8222 stays inside its container)."""
        out = self.exec(self.container(node), "wget", "-q", "-O", "-", "http://127.0.0.1:8222/jsz?streams=true")
        data: dict[str, Any] = json.loads(out)
        return data

    def admin_api_key(self) -> str:
        """An admin key issued with the gateway's own CLI inside its container."""
        out = self.exec(
            self.container("gateway"), "python", "-m", "hl_stack", "keys", "create", "--role", "admin",
            "--name", "production-suite",
        )  # fmt: skip
        keys = re.findall(r"^(hl_\S+)$", out, re.MULTILINE)
        assert keys, f"no key in the CLI's answer: {out}"
        return str(keys[-1])


def parse_timings(log: str) -> dict[str, float]:
    """`stack.sh up`'s own figures: build time per image, time per start phase."""
    timings: dict[str, float] = {}
    for line in log.splitlines():
        built = re.search(r"\] (\w+) image \S+: built in (\d+) s", line) or re.search(
            r"\] (base) image \S+: built in (\d+) s", line
        )
        if built:
            timings[f"build {built.group(1)}"] = float(built.group(2))
        elif re.search(r"\] (\w+) image \S+: cached", line):
            name = re.search(r"\] (\w+) image", line)
            assert name is not None
            timings[f"build {name.group(1)}"] = 0.0
        phase = re.search(r"\] ([^\]]+?): (\d+) s$", line)
        if phase and "image" not in phase.group(1):
            timings[phase.group(1)] = float(phase.group(2))
        total = re.search(r"\] (images ready|stack \S+ up) in (\d+) s", line)
        if total:
            timings[total.group(1)] = float(total.group(2))
    return timings
