"""How spot inspections and enforcement actions feed sections 二 and 三 of the dispatch table.

Rows counted in enterprises (家) must count an enterprise once however often it appears in the
window, so they become *marks*: (enterprise, mark, day) rows whose distinct enterprises are counted.
Rows counted in actions, persons or money (个次, 家次, 次, 人, 个, 万元) are additive, so they become
daily *deltas* summed like the hazard buckets. Money is kept in fen (分) so that sums stay exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hl_contracts.enterprise import EnterpriseEnforcementRecorded, EnterpriseInspected
from hl_contracts.vocabulary import DEFICIENCIES

INSPECTED = "enterprises_inspected"
PENALTY_AMOUNT_FEN = "administrative_penalty_amount_fen"
FEN_PER_WAN = 1_000_000  # 1 万元 = 10 000 元 = 1 000 000 分

# enforcement kinds whose row counts distinct enterprises (家)
_MARK_OF_KIND = {
    "suspension_order": "suspension_orders",
    "exposure": "exposed_interviewed_punished",
    "interview": "exposed_interviewed_punished",
    "joint_punishment": "exposed_interviewed_punished",
}
# enforcement kinds whose row counts actions (个次, 次, 个)
_COUNT_OF_KIND = {
    "assistance_visit": "assistance_visits",
    "administrative_penalty": "administrative_penalties",
    "dual_penalty": "dual_penalties",
    "typical_case": "typical_cases",
    "region_interview": "regions_interviewed",
}
# enforcement kinds whose row counts persons (人); an action that names no number counts one
_PERSONS_OF_KIND = {
    "judicial_referral": "judicial_referrals",
    "accountability": "persons_held_accountable",
}
MARKS = (INSPECTED, *(f"deficiency_{key}" for key in DEFICIENCIES), "suspension_orders", "exposed_interviewed_punished")


def wan_to_fen(amount: Decimal) -> int:
    return int((amount * FEN_PER_WAN).to_integral_value(rounding=ROUND_HALF_UP))


def inspection_marks(data: EnterpriseInspected) -> list[str]:
    """The enterprise was inspected, and found with each listed deficiency (unknown codes ignored)."""
    return [INSPECTED, *(f"deficiency_{code}" for code in dict.fromkeys(data.findings) if code in DEFICIENCIES)]


def enforcement_marks(data: EnterpriseEnforcementRecorded) -> list[str]:
    mark = _MARK_OF_KIND.get(data.kind)
    return [mark] if mark else []


def enforcement_deltas(data: EnterpriseEnforcementRecorded) -> dict[str, int]:
    """The additive figures one enforcement action moves, by figure key."""
    deltas: dict[str, int] = {}
    if data.kind in _COUNT_OF_KIND:
        deltas[_COUNT_OF_KIND[data.kind]] = 1
    if data.kind in _PERSONS_OF_KIND:
        deltas[_PERSONS_OF_KIND[data.kind]] = 1 if data.persons is None else data.persons
    if data.kind == "assistance_visit" and data.key_enterprise:
        deltas["key_enterprise_assistance"] = 1
    if data.kind == "administrative_penalty" and data.amount_wan:
        deltas[PENALTY_AMOUNT_FEN] = wan_to_fen(data.amount_wan)
    if data.kind == "typical_case" and data.dangerous_operation_crime:
        deltas["typical_cases_dangerous_operation"] = 1
    return deltas
