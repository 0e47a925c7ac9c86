"""Reading an evaluation scheme from its written form (a YAML mapping), checking every rule of the
language described in `evaluation_scheme`; an error names the file and the place, e.g.
`3710/v1.yaml: indicators[2].weight must be above 0`."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hl_reporting.domain.evaluation_scheme import (
    TOTAL_POINTS,
    Band,
    Indicator,
    Quantity,
    Scheme,
    SchemeError,
    plain,
)

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def parse_scheme(raw: Mapping[str, Any], known_figures: Collection[str], source: str) -> Scheme:
    """A scheme from its written form; `SchemeError` names the source and the rule broken."""
    where = _Where(source)
    region_code = where.text(raw, "region_code")
    if not region_code.isdigit():
        raise where.error("region_code", "must be a region code (digits)")
    effective_from = where.text(raw, "effective_from")
    if not _PERIOD.match(effective_from):
        raise where.error("effective_from", "must be a period YYYY-MM")
    due_day = raw.get("submission_due_day", 25)
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 31:
        raise where.error("submission_due_day", "must be a day of the month (1–31)")
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise where.error("version", "must be a whole number from 1")
    entries = raw.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise where.error("indicators", "must be a non-empty list")
    indicators = tuple(
        _indicator(where.at(f"indicators[{n}]"), entry, known_figures) for n, entry in enumerate(entries)
    )
    _check_whole(where, indicators)
    return Scheme(
        region_code=region_code,
        version=version,
        effective_from=effective_from,
        title=where.text(raw, "title"),
        submission_due_day=due_day,
        indicators=indicators,
        digest=hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest(),
    )


def _check_whole(where: _Where, indicators: Sequence[Indicator]) -> None:
    keys = [indicator.key for indicator in indicators]
    if len(set(keys)) != len(keys):
        raise where.error("indicators", "keys must be unique")
    total = sum((indicator.weight for indicator in indicators), Decimal(0))
    if total != TOTAL_POINTS:
        raise where.error("indicators", f"weights must sum to {TOTAL_POINTS} (they sum to {plain(total)})")


def _indicator(where: _Where, raw: Any, known: Collection[str]) -> Indicator:
    if not isinstance(raw, Mapping):
        raise where.error("", "must be a mapping")
    key = where.text(raw, "key")
    if not _KEY.match(key):
        raise where.error("key", "must be lower_snake_case")
    weight = where.number(raw, "weight")
    if weight <= 0:
        raise where.error("weight", "must be above 0")
    numerator, denominator, percent = _value(where.at("value"), raw.get("value"), known)
    undefined = raw.get("if_undefined")
    if denominator is not None and undefined is None:
        raise where.error("if_undefined", "a ratio needs the score to give when its denominator is 0")
    return Indicator(
        key=key,
        label=where.text(raw, "label"),
        weight=weight,
        numerator=numerator,
        denominator=denominator,
        percent=percent,
        if_undefined=None if undefined is None else _score(where, "if_undefined", undefined),
        bands=_bands(where.at("bands"), raw.get("bands")),
    )


def _value(where: _Where, raw: Any, known: Collection[str]) -> tuple[Quantity, Quantity | None, bool]:
    if not isinstance(raw, Mapping) or len(set(raw) & {"count", "ratio"}) != 1:
        raise where.error("", "must be {count: <quantity>} or {ratio: [<quantity>, <quantity>]}")
    unit = raw.get("unit", "ratio" if "ratio" in raw else "count")
    if set(raw) - {"count", "ratio", "unit"}:
        raise where.error("", f"unknown keys {sorted(set(raw) - {'count', 'ratio', 'unit'})}")
    if "count" in raw:
        if unit != "count":
            raise where.error("unit", "a count has no unit")
        return _quantity(where.at("count"), raw["count"], known), None, False
    pair = raw["ratio"]
    if not isinstance(pair, list) or len(pair) != 2:
        raise where.error("ratio", "must be [numerator, denominator]")
    if unit not in ("ratio", "percent"):
        raise where.error("unit", "must be ratio or percent")
    top = _quantity(where.at("ratio[0]"), pair[0], known)
    return top, _quantity(where.at("ratio[1]"), pair[1], known), unit == "percent"


def _quantity(where: _Where, raw: Any, known: Collection[str]) -> Quantity:
    names = raw["sum"] if isinstance(raw, Mapping) and set(raw) == {"sum"} else [raw]
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise where.error("", "must be a figure name or {sum: [figure names]}")
    for name in names:
        if name not in known:
            raise where.error("", f"{name!r} is not a figure an evaluation knows")
    return Quantity(tuple(names))


def _bands(where: _Where, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise where.error("", "must be a non-empty list")
    bands = []
    for n, entry in enumerate(raw):
        at = where.at(f"[{n}]")
        if not isinstance(entry, Mapping) or set(entry) - {"at_least", "at_most", "score"}:
            raise at.error("", "must be {at_least?, at_most?, score}")
        low = at.number(entry, "at_least") if "at_least" in entry else None
        high = at.number(entry, "at_most") if "at_most" in entry else None
        if low is not None and high is not None and low > high:
            raise at.error("", "at_least is above at_most")
        bands.append(Band(_score(at, "score", entry.get("score")), low, high))
    if bands[-1].at_least is not None or bands[-1].at_most is not None:
        raise where.error(f"[{len(bands) - 1}]", "the last band must take every other value (no bounds)")
    return tuple(bands)


def _score(where: _Where, field: str, raw: Any) -> Decimal:
    score = where.number({field: raw}, field)
    if not 0 <= score <= 1:
        raise where.error(field, "a score is a fraction of the weight, from 0 to 1")
    return score


@dataclass(frozen=True)
class _Where:
    """Where in a scheme a rule is checked, for error messages: `weihai.yaml: indicators[2].weight`."""

    source: str
    path: str = ""

    def at(self, step: str) -> _Where:
        return _Where(
            self.source, f"{self.path}.{step}" if self.path and not step.startswith("[") else self.path + step
        )

    def error(self, field: str, reason: str) -> SchemeError:
        place = self.at(field).path if field else self.path
        return SchemeError(f"{self.source}: {place or '(top)'} {reason}")

    def text(self, raw: Mapping[str, Any], field: str) -> str:
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty text")
        return value.strip()

    def number(self, raw: Mapping[str, Any], field: str) -> Decimal:
        value = raw.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(field, "must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(field, "must be a number") from None
        if not number.is_finite():
            raise self.error(field, "must be a finite number")
        return number
