"""Read a class's fields as its JSON Schema states them, so that a request schema (pydantic), a
domain command (a dataclass) and a contract event (pydantic) can be compared field by field.

Each field becomes a `Shape`: its kind (JSON type, format, item kind, enum class; whether null is
allowed), its constraints (lengths, patterns, enum values, ranges, at any depth), whether it is required
and its default. Titles, descriptions and examples are documentation, not shape, and are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

CONSTRAINTS = frozenset(
    {
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "enum",
        "const",
        "additionalProperties",
    }
)
DOCUMENTATION = frozenset({"title", "description", "examples", "default"})
MISSING = "<required>"


@dataclass(frozen=True)
class Shape:
    """One field: what it holds, the rules on it, and what it is when left out."""

    kind: Any
    constraints: dict[str, Any] = field(default_factory=dict)
    required: bool = True
    default: Any = MISSING


def shapes(cls: type[Any]) -> dict[str, Shape]:
    """The fields of a pydantic model or a dataclass, by name, as their validation schema says."""
    schema = TypeAdapter(cls).json_schema(mode="validation")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    return {
        name: _shape(_resolved(prop, defs), name in required, prop.get("default", MISSING))
        for name, prop in schema["properties"].items()
    }


def _shape(prop: Any, required: bool, default: Any) -> Shape:
    constraints: dict[str, Any] = {}
    kind = _split(prop, "", constraints)
    return Shape(kind=kind, constraints=constraints, required=required, default=default)


def _resolved(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with every `$ref` replaced by its definition."""
    if isinstance(node, list):
        return [_resolved(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return _resolved(defs[name], defs)
    return {key: _resolved(value, defs) for key, value in node.items()}


def _split(node: Any, path: str, constraints: dict[str, Any]) -> Any:
    """The kind of `node`; its constraints go into `constraints`, keyed `path/keyword`."""
    if isinstance(node, list):
        return [_split(item, f"{path}/{index}", constraints) for index, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    kind: dict[str, Any] = {}
    for key, value in node.items():
        if key in CONSTRAINTS:
            constraints[f"{path}/{key}"] = value
        elif key not in DOCUMENTATION:
            kind[key] = _split(value, f"{path}/{key}", constraints)
    return kind


def differences(name: str, left: tuple[str, Shape], right: tuple[str, Shape], *, constraints: str) -> list[str]:
    """How field `name` differs between two classes (labels and shapes given as pairs).

    `constraints`: "equal" (the same rules), "covers" (the left states every rule of the right, the
    same, and may add its own) or "ignore" (a command carries input as given: it has no rules).
    """
    (left_label, a), (right_label, b) = left, right
    found = []
    if a.kind != b.kind:
        found.append(f"{name}: kind {a.kind} in {left_label}, {b.kind} in {right_label}")
    # A default made by a factory (`default_factory=list`) is not in the schema: compare what is.
    stated = MISSING not in (a.default, b.default)
    if a.required != b.required or (stated and a.default != b.default):
        found.append(f"{name}: default {a.default!r} in {left_label}, {b.default!r} in {right_label}")
    if constraints == "equal" and a.constraints != b.constraints:
        found.append(f"{name}: rules {a.constraints} in {left_label}, {b.constraints} in {right_label}")
    if constraints == "covers":
        missing = {
            key: value
            for key, value in b.constraints.items()
            if a.constraints.get(key) != value and not _implied(key, value, a.constraints)
        }
        if missing:
            found.append(f"{name}: {left_label} lacks {right_label}'s rules {missing}")
    return found


def _implied(key: str, value: Any, rules: dict[str, Any]) -> bool:
    """Whether `rules` imply the rule `key: value`: an enum whose every value keeps a length bound."""
    path, _, keyword = key.rpartition("/")
    values = rules.get(f"{path}/enum")
    if values is None or keyword not in ("maxLength", "minLength"):
        return False
    return all(len(item) <= value if keyword == "maxLength" else len(item) >= value for item in values)
