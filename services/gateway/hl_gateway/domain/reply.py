"""An HTTP answer as the gateway forwards and remembers it: status, the headers that matter, body."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def succeeded(self) -> bool:
        """Worth remembering for a replay: a 2xx (after a refusal nothing was written)."""
        return 200 <= self.status < 300
