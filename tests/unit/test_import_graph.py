"""The layering of the tree's packages, read from the source: libraries below services, the `./hl`
application above both, and no import cycle anywhere — counting imports inside functions too (a
deferred import hides a cycle from Python, not from the reader)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = {"hl_contracts", "hl_platform", "hl_api", "hl_catalogue"}
APPLICATION = "hl_stack"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in [*(ROOT / "libs").glob("hl_*"), *(ROOT / "cli").glob("hl_*"), *(ROOT / "services").glob("*/hl_*")]:
        for path in package.rglob("*.py"):
            parts = path.relative_to(package.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """First-party modules `name` imports anywhere in its code (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def resolve(module: str) -> str | None:
        while module and module not in known:
            module = module.rpartition(".")[0]
        return module or None

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                targets.update(filter(None, (resolve(alias.name) for alias in node.names)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                for alias in node.names:
                    target = resolve(f"{base}.{alias.name}") or resolve(base)
                    if target:
                        targets.add(target)
            elif isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                continue
            else:
                visit([child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)])

    visit(tree.body)
    targets.discard(name)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node, [node])
    # A package importing its own submodules from __init__ is how packages are built, not a cycle.
    real = [cycle for cycle in cycles if not all(step.startswith(cycle[0] + ".") for step in cycle[1:-1])]
    assert real == [], "\n".join(" -> ".join(cycle) for cycle in real)


def test_libraries_import_no_service_and_nothing_imports_the_cli() -> None:
    assert {package.name for package in (ROOT / "libs").glob("hl_*")} == LIBRARIES
    wrong = []
    for name, targets in _graph().items():
        top = name.split(".")[0]
        for target in targets:
            target_top = target.split(".")[0]
            if top in LIBRARIES and target_top not in LIBRARIES:
                wrong.append(f"library {name} imports {target}")
            if target_top == APPLICATION and top != APPLICATION:
                wrong.append(f"{name} imports the ./hl application ({target})")
    assert wrong == []


def test_the_walk_sees_the_tree() -> None:
    graph = _graph()
    assert {"hl_stack.cli", "hl_hazard.domain.model", "hl_platform.relay"} <= set(graph)
    assert "hl_stack.commands" in graph["hl_stack.cli"]
