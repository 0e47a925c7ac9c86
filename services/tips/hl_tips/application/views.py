"""What each reader sees of a tip: the officers' view (facts and handling) and the tipster's (progress
and reward). Neither holds the identity; that is answered to the handler alone (`IdentityPublic`)."""

from __future__ import annotations

from hl_api.tips import (
    EnforcementPublic,
    PhotoPublic,
    RewardDetail,
    RewardPublic,
    TipPublic,
    TipStatusPublic,
    VerificationPublic,
)
from hl_contracts.vocabulary import RewardStatus, TipStatus
from hl_tips.domain.model import Tip

PUBLIC_REWARD = (RewardStatus.APPROVED, RewardStatus.CLAIMED, RewardStatus.PAID)


def officer_view(tip: Tip) -> TipPublic:
    filed = tip.filed
    assert tip.filed_at is not None
    return TipPublic(
        id=tip.id,
        version=tip.version,
        tracking_number=filed.tracking_number,
        region_code=tip.region_code,
        industry=tip.industry,
        category=filed.category,
        description=filed.description,
        enterprise_id=tip.enterprise_id,
        enterprise_name=tip.verification.enterprise_name if tip.verification else filed.enterprise_name,
        uscc=filed.uscc,
        address=filed.address,
        occurred_on=filed.occurred_on,
        anonymous=filed.anonymous,
        status=tip.status,
        filed_at=tip.filed_at,
        deadline=tip.deadline,
        overdue=tip.overdue,
        duplicate_of=tip.duplicate_of.original_id if tip.duplicate_of else None,
        handler=tip.handler.handler if tip.handler else None,
        identity_sealed=tip.has_identity and tip.erasure is None,
        identity_erased=tip.erasure is not None,
        identity_views=tip.identity_views,
        photos=[PhotoPublic.model_validate(photo.model_dump()) for photo in tip.photos],
        verification=VerificationPublic.model_validate(tip.verification.model_dump()) if tip.verification else None,
        hazard_id=tip.hazard.hazard_id if tip.hazard else None,
        enforcement=[EnforcementPublic.model_validate(action.model_dump()) for action in tip.enforcement],
        closed_reason=tip.closure.reason if tip.closure else None,
        reward=_reward_detail(tip),
    )


def _reward_detail(tip: Tip) -> RewardDetail | None:
    computed, status = tip.computation, tip.reward_status
    if computed is None or status is None:
        return None
    return RewardDetail(
        status=status,
        amount_yuan=tip.approval.amount_yuan if tip.approval else computed.amount_yuan,
        rule=computed.rule,
        basis=computed.basis,
        inputs=computed.inputs,
        explanation=computed.explanation,
        approved_by=tip.approval.approved_by if tip.approval else None,
        approved_at=tip.approval.approved_at if tip.approval else None,
        claimed_at=tip.claim.claimed_at if tip.claim else None,
        paid_at=tip.payment.paid_at if tip.payment else None,
        method=tip.payment.method if tip.payment else None,
    )


def public_view(tip: Tip) -> TipStatusPublic:
    filed, status, reward = tip.filed, tip.status, tip.reward_status
    assert tip.filed_at is not None
    shown = reward in PUBLIC_REWARD and tip.approval is not None
    return TipStatusPublic(
        tracking_number=filed.tracking_number,
        status=status,
        category=filed.category,
        filed_at=tip.filed_at,
        deadline=tip.deadline,
        anonymous=filed.anonymous,
        photos=len(tip.photos),
        outcome=_outcome(tip),
        reward=RewardPublic(status=reward, amount_yuan=tip.approval.amount_yuan)
        if shown and reward and tip.approval
        else None,
        claimable=reward is RewardStatus.APPROVED,
        identity_erased=tip.erasure is not None,
    )


def _outcome(tip: Tip) -> str:
    if tip.status is TipStatus.VERIFIED and tip.verification is not None:
        return tip.verification.finding.value
    if tip.status is TipStatus.UNFOUNDED and tip.closure is not None:
        return tip.closure.reason
    if tip.status is TipStatus.DUPLICATE and tip.duplicate_of is not None:
        return "the same facts were reported earlier by another tip; only the first reporter is rewarded"
    return ""
