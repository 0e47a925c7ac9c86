"""Which figures each kind of enforcement action carries (dispatch table section 三).

The report sums these figures per kind, so a figure on the wrong kind would be counted nowhere
or in the wrong row: it is refused rather than stored.

    administrative_penalty  amount_wan required (万元, ≥ 0)
    dual_penalty            amount_wan optional
    judicial_referral       persons required (≥ 1)     → 移送司法机关 (人)
    accountability          persons required (≥ 1)     → 追责问责 (人)
    typical_case            dangerous_operation_crime  → 其中危险作业罪
    assistance_visit        key_enterprise             → 帮扶重点企业 (家次)
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hl_contracts.vocabulary import ENFORCEMENT_KINDS
from hl_platform.errors import InvalidInput

# figure → {kind: required?}
_NUMBERS: dict[str, dict[str, bool]] = {
    "amount_wan": {"administrative_penalty": True, "dual_penalty": False},
    "persons": {"judicial_referral": True, "accountability": True},
}
_MINIMUM: dict[str, int] = {"amount_wan": 0, "persons": 1}
# flag → the one kind it qualifies
_FLAGS: dict[str, str] = {"key_enterprise": "assistance_visit", "dangerous_operation_crime": "typical_case"}


def check_enforcement(kind: str, figures: Mapping[str, Any]) -> None:
    """Raise `InvalidInput` unless `kind` is known and `figures` fit it."""
    if kind not in ENFORCEMENT_KINDS:
        raise InvalidInput("kind", f"unknown enforcement kind {kind!r}; one of {', '.join(ENFORCEMENT_KINDS)}")
    for figure, kinds in _NUMBERS.items():
        _check_number(figure, figures.get(figure), kind, kinds)
    for flag, only_kind in _FLAGS.items():
        if figures.get(flag) and kind != only_kind:
            raise InvalidInput(flag, f"only for {only_kind}, not for {kind}")


def _check_number(figure: str, value: Decimal | int | None, kind: str, kinds: Mapping[str, bool]) -> None:
    if value is None:
        if kinds.get(kind, False):
            raise InvalidInput(figure, f"required for {kind}")
        return
    if kind not in kinds:
        raise InvalidInput(figure, f"not used for {kind}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidInput(figure, "must be a finite number")
    if value < _MINIMUM[figure]:
        raise InvalidInput(figure, f"must be at least {_MINIMUM[figure]}")
