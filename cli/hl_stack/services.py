"""The services: how to build each one's app and its default port (started in this order)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    default_port: int

    @property
    def env_prefix(self) -> str:
        return f"HL_{self.name.upper()}_"

    def settings(self) -> Any:
        module = importlib.import_module(f"hl_{self.name}.settings")
        return getattr(module, f"{self.name.capitalize()}Settings")()

    def app_factory(self) -> str:
        return f"hl_{self.name}.entrypoints.app:create_app"


SERVICES = {
    info.name: info
    for info in (
        ServiceInfo("enterprise", 8002),
        ServiceInfo("hazard", 8001),
        ServiceInfo("tips", 8004),  # before reporting, which reads its stream
        ServiceInfo("reporting", 8003),
        ServiceInfo("webhooks", 8006),
        ServiceInfo("gateway", 8000),
    )
}
