"""A stack's ports are picked so that no two of its servers are promised the same one (a port is
only taken when its server binds it, so the kernel may hand it out twice before then)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hl_stack import nats_server, object_store


class _Socket:
    """`socket.socket` handing out the ports of a script, as the kernel might."""

    script: Iterator[int]

    def __init__(self, *_: Any) -> None:
        self.port = 0

    def __enter__(self) -> _Socket:
        return self

    def __exit__(self, *_: Any) -> None:
        return None

    def bind(self, _address: tuple[str, int]) -> None:
        self.port = next(self.script)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> type[_Socket]:
    monkeypatch.setattr(nats_server.socket, "socket", _Socket)
    return _Socket


def test_a_promised_port_is_never_handed_out_again(kernel: type[_Socket]) -> None:
    kernel.script = iter([41000, 41000, 41001])
    assert nats_server.free_port(avoid={41000}) == 41001


def test_the_object_stores_ports_avoid_the_stacks_and_each_other(kernel: type[_Socket], tmp_path: Path) -> None:
    # The service port 48541 was promised first; the kernel offers it again, and one port twice.
    kernel.script = iter([48541, 50000, 50000, *range(50001, 50020)])
    store = object_store.SeaweedFS(tmp_path, s3_port=50100).prepare(avoid={48541})
    ports = list(store.ports.values())
    assert 48541 not in ports and 50100 not in ports
    assert len(set(ports)) == len(ports) == len(object_store._PORTS)
