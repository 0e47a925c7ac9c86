"""Which stack an operator command acts on.

The embedded stack running on the data folder (`--data-dir`, else HL_DATA_DIR, else ./data), as
its state file describes it: ports, credentials, databases. Without one, a command uses explicit
HL_<SERVICE>_* settings when there are some and no folder was named (production: a pod's
environment); otherwise it says that no stack runs there and the command exits non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from hl_stack.services import SERVICES
from hl_stack.state import StackState, default_data_dir, environment, running_stack

EXPLICIT = ("DATABASE_URL", "NATS_URL", "HOST", "PORT")


class NoStack(Exception):
    """No stack to act on: the message says where none runs and how to name the right one."""


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the data folder of the stack to act on (default HL_DATA_DIR, else ./data)",
    )


def _explicit_settings(services: tuple[str, ...]) -> bool:
    prefixes = [SERVICES[name].env_prefix for name in services]
    return any(prefix + suffix in os.environ for prefix in prefixes for suffix in EXPLICIT)


@contextlib.contextmanager
def acting_on(data_dir: Path | None, *services: str) -> Iterator[StackState | None]:
    """Within: the services' settings classes address the stack found (the state, or None when
    explicit settings are used). Raises NoStack when there is nothing to act on."""
    from hl_stack.credentials import service_credentials
    from hl_stack.launcher import service_environment

    named = data_dir is not None or bool(os.environ.get("HL_DATA_DIR"))
    folder = default_data_dir(data_dir)
    state = running_stack(folder)
    if state is None:
        if not named and _explicit_settings(services):
            yield None
            return
        raise NoStack(
            f"no ./hl up runs on {folder}: start one (./hl up --data-dir {folder}), or name the folder of"
            " the one that runs with --data-dir or HL_DATA_DIR"
        )
    env = service_environment(folder, state.ports, service_credentials(folder), state.database_urls)
    with environment(env):
        yield state
