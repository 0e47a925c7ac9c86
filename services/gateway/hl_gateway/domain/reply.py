"""An HTTP answer as the gateway relays and remembers it: status, the headers that matter, body."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def final(self) -> bool:
        """Worth remembering for a replay: success or the client's own mistake (2xx, 4xx)."""
        return self.status < 500
