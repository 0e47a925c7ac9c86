"""Turning pydantic validation errors into the service's `InvalidInput` (field + reason) shape."""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError

from hl_platform.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


class FieldError(TypedDict):
    """One broken field: a dotted path ("principal.phone") and what is wrong with it."""

    field: str
    reason: str


class InvalidFields(InvalidInput):
    """Several fields broken at once; `errors` lists each (the first is also `field`/`reason`)."""

    def __init__(self, errors: list[FieldError]) -> None:
        detail = "; ".join(f"{error['field']}: {error['reason']}" for error in errors)
        super().__init__(errors[0]["field"], errors[0]["reason"], detail=detail)
        self.errors = errors
        self.extensions["errors"] = [dict(error) for error in errors]


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Each pydantic error as a `FieldError`, the field a dotted path ("" loc → "input")."""
    return [
        FieldError(field=".".join(str(part) for part in error["loc"]) or "input", reason=error["msg"])
        for error in exc.errors(include_url=False)
    ]


def build(model: type[M], data: dict[str, Any], context: dict[str, Any] | None = None) -> M:
    """Validate `data` into `model`, raising `InvalidFields` instead of pydantic's error."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InvalidFields(field_errors(exc)) from exc
