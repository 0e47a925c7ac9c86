"""The public request schemas take booleans strictly and bound every business time and date, so a
field added later cannot slip back to pydantic's lax defaults ("yes" → true, year 1 → a 500)."""

from __future__ import annotations

import types
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import AfterValidator, AwareDatetime, BaseModel, Strict, ValidationError

from hl_api import enterprises, hazards, keys
from hl_api.common import Request
from hl_api.values import plausible_date, plausible_time

MODULES = (hazards, enterprises, keys)
BOUNDED = {plausible_time, plausible_date}


def _requests() -> list[type[Request]]:
    found = {
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Request) and value is not Request
    }
    return sorted(found, key=lambda cls: cls.__name__)


def _loose(annotation: Any, metadata: list[Any]) -> bool:
    """Whether a lax bool, or an unbounded date or time, is anywhere in the annotation."""
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        return _loose(base, [*metadata, *extra])
    if get_origin(annotation) in (Union, types.UnionType, list, tuple):
        return any(_loose(arg, []) for arg in get_args(annotation) if arg is not type(None))
    if annotation is bool:
        return not any(isinstance(m, Strict) and m.strict for m in metadata)
    if annotation in (date, datetime, AwareDatetime):
        return not any(isinstance(m, AfterValidator) and m.func in BOUNDED for m in metadata)
    return False


@pytest.mark.parametrize("schema", _requests(), ids=lambda cls: cls.__name__)
def test_request_booleans_are_strict_and_times_bounded(schema: type[BaseModel]) -> None:
    loose = [name for name, field in schema.model_fields.items() if _loose(field.annotation, list(field.metadata))]
    assert not loose, f"{schema.__name__}: use hl_api.values Bool / BusinessTime / BusinessDate for {loose}"


def test_the_check_sees_what_it_must() -> None:
    assert len(_requests()) >= 12
    assert _loose(bool, []) and _loose(date | None, []) and _loose(AwareDatetime, [])
    assert not _loose(
        hazards.HazardCreate.model_fields["found_at"].annotation, hazards.HazardCreate.model_fields["found_at"].metadata
    )


def test_yes_is_not_a_boolean_and_year_one_is_not_a_time() -> None:
    base = {"accepted": True, "reviewer": "王检查", "decided_at": "2024-05-01T10:00:00+08:00"}
    assert hazards.AcceptanceDecision.model_validate(base).accepted is True
    for value in ("yes", "true", 1, "on"):
        with pytest.raises(ValidationError, match="accepted"):
            hazards.AcceptanceDecision.model_validate({**base, "accepted": value})
    for when in ("0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z", "2101-01-01T00:00:00+00:00"):
        with pytest.raises(ValidationError, match="2000-01-01"):
            hazards.AcceptanceDecision.model_validate({**base, "decided_at": when})
