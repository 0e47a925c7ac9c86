"""Every service's domain is pure: importing all of its modules loads no database, web framework,
messaging or telemetry package (ARCHITECTURE.md "Layers"). Each check runs in a fresh interpreter,
so that what the test process itself has imported cannot hide an import."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAINS = [
    "hl_hazard.domain",
    "hl_enterprise.domain",
    "hl_reporting.domain",
    "hl_tips.domain",
    "hl_webhooks.domain",
    "hl_gateway.domain",
]
FORBIDDEN = {"sqlalchemy", "fastapi", "starlette", "nats", "opentelemetry", "alembic", "aiosqlite", "asyncpg"}

CHECK = """
import importlib, pkgutil, sys
package = importlib.import_module({domain!r})
names = [module.name for module in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & {forbidden!r})
print(len(names), ",".join(loaded))
"""


@pytest.mark.parametrize("domain", DOMAINS)
def test_importing_every_module_of_a_domain_loads_no_infrastructure(domain: str) -> None:
    code = CHECK.format(domain=domain, forbidden=FORBIDDEN)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    modules, loaded = run.stdout.split()[0], run.stdout.strip().partition(" ")[2]
    assert int(modules) > 0, f"{domain} has no modules to check"
    assert loaded == "", f"importing {domain} loads {loaded}"
