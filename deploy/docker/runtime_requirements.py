"""Print the runtime subset of requirements.lock (for the container image).

requirements.lock is compiled by `uv pip compile pyproject.toml --extra dev`, so it also pins the
development tools (pytest, mypy, ruff, schemathesis, ...). The image needs only the packages
reachable from [project.dependencies]: a package is kept when it is a runtime dependency itself or
when the lock's `# via` annotations name a kept package as its parent. Versions stay exactly as
locked; nothing is resolved again.

Usage: python runtime_requirements.py pyproject.toml requirements.lock > requirements.runtime.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT_NAME = "hazard-ledger"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from {requirement!r}")
    return normalize(match.group(1))


def parse_lock(text: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The pinned lines (name → `name==version`) and each package's parents from `# via`."""
    pins: dict[str, str] = {}
    parents: dict[str, set[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            current = requirement_name(line)
            pins[current] = line
            parents[current] = set()
            continue
        if current is None:
            continue  # the header comments
        comment = line.lstrip("#").strip()
        if comment == "via":
            continue
        if comment.startswith("via "):
            comment = comment[4:]
        parent = comment.split(" (", 1)[0].strip()
        if parent:
            parents[current].add(normalize(parent))
    return pins, parents


def runtime_subset(pyproject: str, lock: str) -> list[str]:
    roots = {requirement_name(r) for r in tomllib.loads(pyproject)["project"]["dependencies"]}
    pins, parents = parse_lock(lock)
    missing = roots - pins.keys()
    if missing:
        raise SystemExit(f"runtime dependencies missing from the lock: {sorted(missing)}")
    keep = set(roots)
    changed = True
    while changed:
        changed = False
        for name, via in parents.items():
            if name not in keep and via & keep:
                keep.add(name)
                changed = True
    return [pins[name] for name in sorted(keep)]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    lines = runtime_subset(Path(argv[1]).read_text(encoding="utf-8"), Path(argv[2]).read_text(encoding="utf-8"))
    print("# runtime subset of requirements.lock, made by deploy/docker/runtime_requirements.py")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
