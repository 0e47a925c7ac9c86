"""JSON Schemas read as exact promises about a response body: every documented key is sent, and
nothing else is. FastAPI documents a field with a default as optional and leaves objects open;
read that way, a key the service forgot (documented, never sent) or added (sent, undocumented)
would pass unseen."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator


def exact(schemas: dict[str, Any]) -> dict[str, Any]:
    """A copy of the named `schemas` (a `components/schemas` or `$defs` map) with every model closed
    and each of its properties required (a nullable one may be null, but its key is there)."""
    closed = copy.deepcopy(schemas)
    for schema in closed.values():
        if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
            schema["required"] = sorted(schema["properties"])
    return closed


def mismatches(schema: dict[str, Any], body: Any) -> list[str]:
    """Where `body` breaks `schema`, one line per error (`path: message`); empty if it keeps it."""
    errors = Draft202012Validator(schema).iter_errors(body)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]
