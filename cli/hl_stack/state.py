"""Which embedded stack runs on a data folder, and where its parts listen.

`./hl up` holds an exclusive `flock` on `<data>/hl-up.lock` for as long as it or any of its
processes lives (they inherit the descriptor), so a second `./hl up` on the same folder is
refused, and a dead holder releases the lock without anyone cleaning up. Beside it, `up` writes
`<data>/hl-up.json` (0600): its pid, the ports it chose, the pids of its processes and the database
URLs it was given. The other commands read it to act on that stack, and say plainly when none runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

LOCK_FILE = "hl-up.lock"
STATE_FILE = "hl-up.json"


def default_data_dir(given: Path | None = None) -> Path:
    """`--data-dir`, else HL_DATA_DIR, else ./data (absolute)."""
    return (given or Path(os.environ.get("HL_DATA_DIR") or "data")).resolve()


class StackLocked(Exception):
    """Another `./hl up` (or processes it left stopping) holds the data folder."""

    def __init__(self, data_dir: Path, state: StackState | None) -> None:
        self.data_dir = data_dir
        self.state = state
        holder = f" (pid {state.pid}, gateway {state.gateway_url})" if state else ""
        super().__init__(
            f"another ./hl up already runs on {data_dir}{holder}: stop it first, or use another --data-dir"
        )


@dataclass
class StackState:
    pid: int
    data_dir: str
    ports: dict[str, int]
    pids: dict[str, int] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.get('gateway', 0)}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports.get('nats', 0)}"


class DataFolderLock:
    """The exclusive lock of one data folder, held by `./hl up` and inherited by its processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.fd: int | None = None

    def acquire(self) -> int:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StackLocked(self.data_dir, read_state(self.data_dir)) from None
        self.fd = fd
        return fd

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                (self.data_dir / STATE_FILE).unlink()
            os.close(self.fd)  # the lock goes with the last descriptor (children have exited)
            self.fd = None


def is_locked(data_dir: Path) -> bool:
    """Whether some `./hl up` (or a process of it) holds the folder: a probe that takes nothing."""
    path = data_dir / LOCK_FILE
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases the shared lock, if it was taken
    return False


def write_state(data_dir: Path, state: StackState) -> None:
    """Replace the state file atomically (readers never see half of it)."""
    path = data_dir / STATE_FILE
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(state), out, indent=2)
    os.replace(temporary, path)


def read_state(data_dir: Path) -> StackState | None:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
        return StackState(**raw)
    except (OSError, ValueError, TypeError):
        return None


def running_stack(data_dir: Path) -> StackState | None:
    """The state of the stack running on `data_dir`, or None when none runs (or it is still starting)."""
    if not is_locked(data_dir):
        return None
    return read_state(data_dir)


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set variables for the settings classes a command builds, and restore them afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
