"""The officers' side of a tip: handling it in the region it lies in, and its reward.

Scope: a tip is seen by the inspectors, supervisors and admins whose region holds it; outside it, or
for any other role (an enterprise must never learn who reported it, nor that anyone did), it is "not
found". Only the handler reads the identity, and each read is recorded before it is answered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hl_api.evidence import DownloadLink
from hl_api.tips import IdentityPublic, RewardRulePublic, TipPublic
from hl_contracts import CloudEvent
from hl_contracts.roles import Permission, roles_for
from hl_contracts.tips import TipPhotoAdded
from hl_platform.errors import InvalidInput, NotFound, PreconditionFailed, RuleViolation
from hl_platform.identity import Caller
from hl_tips.application.deps import Deps
from hl_tips.application.idempotency import Once, remember, replayed
from hl_tips.application.ports import DuplicateRequest, Filters, UnitOfWork
from hl_tips.application.views import officer_view
from hl_tips.domain.commands import (
    ApproveReward,
    CloseUnfounded,
    ComputeReward,
    EraseIdentity,
    LinkDuplicate,
    LinkEnforcement,
    LinkHazard,
    PayReward,
    TakeUp,
    Verify,
    ViewIdentity,
)
from hl_tips.domain.model import EnterpriseFacts, Redaction, Tip
from hl_tips.domain.photos import MAX_PHOTO_BYTES, photo_filename, photo_key
from hl_tips.domain.policies import Principal

OFFICERS = roles_for(Permission.READ_TIPS)
Command = (
    TakeUp
    | Verify
    | LinkHazard
    | LinkEnforcement
    | CloseUnfounded
    | LinkDuplicate
    | ComputeReward
    | ApproveReward
    | PayReward
    | EraseIdentity
)


def principal_of(caller: Caller) -> Principal:
    return Principal(actor=caller.actor, region_code=caller.region_code)


class Handling:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def execute(
        self, caller: Caller, tip_id: str, cmd: Command, if_match: int | None = None, once: Once | None = None
    ) -> TipPublic:
        """Run one command on a tip in the caller's region; a retried Idempotency-Key gets the first answer."""
        for _ in range(3):
            try:
                return await self._execute(caller, tip_id, cmd, if_match, once)
            except DuplicateRequest:
                continue
        raise RuntimeError("the same Idempotency-Key kept racing")

    async def _execute(
        self, caller: Caller, tip_id: str, cmd: Command, if_match: int | None, once: Once | None
    ) -> TipPublic:
        now = self.deps.clock()
        async with self.deps.uow() as uow:
            if (record := await replayed(uow, once, now)) is not None:
                return TipPublic.model_validate(record.response)
            tip = await self._visible(uow, caller, tip_id)
            if if_match is not None and if_match != tip.version:
                raise PreconditionFailed(f"tip {tip_id} is at version {tip.version}, not {if_match}", tip.version)
            await self._dispatch(uow, caller, tip, cmd)
            await uow.tips.save(tip)
            view = officer_view(tip)
            await remember(uow, once, tip.id, view.model_dump(mode="json"), now, self.deps.idempotency_ttl)
        self.deps.on_commit()
        return view

    async def _dispatch(self, uow: UnitOfWork, caller: Caller, tip: Tip, cmd: Command) -> None:
        principal, now = principal_of(caller), self.deps.clock()
        match cmd:
            case TakeUp():
                tip.take_up(cmd, principal, now)
            case Verify():
                enterprise = await self._enterprise(uow, caller, cmd.enterprise_id or tip.enterprise_id)
                tip.verify(cmd, enterprise, await self._redaction(uow, tip), principal, now)
            case LinkHazard():
                tip.link_hazard(cmd, principal, now)
            case LinkEnforcement():
                tip.link_enforcement(cmd, principal, now)
            case CloseUnfounded():
                tip.close_unfounded(cmd, await self._redaction(uow, tip), principal, now)
            case LinkDuplicate():
                original = await self._visible(uow, caller, cmd.original_id, field="original_id")
                tip.link_duplicate(original, (await self._redaction(uow, tip))(cmd.reason), principal, now)
            case ComputeReward():
                tip.compute_reward(self.deps.rules.rule_for(tip.region_code), principal, now)
            case ApproveReward():
                tip.approve_reward(cmd, principal, now)
            case PayReward():
                tip.pay_reward(cmd, principal, now)
            case EraseIdentity():
                tip.erase_identity(cmd, principal, now)
                await uow.vault.shred(tip.id)

    async def view_identity(self, caller: Caller, tip_id: str, cmd: ViewIdentity) -> IdentityPublic:
        """The identity, for the handler; the read is recorded (who, when, why) in the same transaction."""
        async with self.deps.uow() as uow:
            tip = await self._visible(uow, caller, tip_id)
            tip.view_identity(cmd, principal_of(caller), self.deps.clock())
            identity = await uow.vault.open(tip.id)
            if identity is None:
                raise RuleViolation("identity-erased", "the tipster's identity cannot be read", tip.current_state())
            await uow.tips.save(tip)
        self.deps.on_commit()
        return IdentityPublic(tip_id=tip.id, **identity.to_dict())

    async def get(self, caller: Caller, tip_id: str) -> TipPublic:
        async with self.deps.uow(write=False) as uow:
            return officer_view(await self._visible(uow, caller, tip_id))

    async def history(self, caller: Caller, tip_id: str) -> list[CloudEvent]:
        async with self.deps.uow(write=False) as uow:
            await self._visible(uow, caller, tip_id)
            return await uow.tips.history(tip_id)

    async def photo(self, caller: Caller, tip_id: str, photo_id: str) -> tuple[bytes, str]:
        """The photo's bytes (as stored: without their metadata) and their type."""
        tip, photo = await self._photo(caller, tip_id, photo_id)
        data = await self.deps.photos.get(photo_key(tip.id, photo.sha256), MAX_PHOTO_BYTES)
        if data is None:
            raise NotFound(f"the bytes of photo {photo_id} are not in the store")
        return data, photo.content_type

    async def photo_link(self, caller: Caller, tip_id: str, photo_id: str) -> DownloadLink:
        """A presigned GET of the private bucket, valid for `photo_link_ttl_s`: the bucket itself is never open."""
        tip, photo = await self._photo(caller, tip_id, photo_id)
        ttl = self.deps.photo_link_ttl_s
        url = self.deps.photos.download_url(
            photo_key(tip.id, photo.sha256),
            filename=photo_filename(photo.photo_id, photo.content_type),
            content_type=photo.content_type,
            ttl_s=ttl,
        )
        return DownloadLink(url=url, expires_at=self.deps.clock() + timedelta(seconds=ttl))

    async def _photo(self, caller: Caller, tip_id: str, photo_id: str) -> tuple[Tip, TipPhotoAdded]:
        async with self.deps.uow(write=False) as uow:
            tip = await self._visible(uow, caller, tip_id)
        for photo in tip.photos:
            if photo.photo_id == photo_id:
                return tip, photo
        raise NotFound(f"no photo {photo_id} on tip {tip_id}")

    async def list(
        self, caller: Caller, filters: Filters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Tips in the caller's region, newest first; a region outside it lists nothing."""
        if caller.role not in OFFICERS:
            return [], None
        scope = caller.region_code
        if scope.startswith(filters.region_code):
            filters = Filters(**{**filters.__dict__, "region_code": scope})
        elif not filters.region_code.startswith(scope):
            return [], None
        async with self.deps.uow(write=False) as uow:
            return await uow.index.page(filters, cursor, limit)

    def rule(self, caller: Caller, region_code: str) -> RewardRulePublic:
        region = region_code or caller.region_code
        if region and not self.deps.region_exists(region):
            raise InvalidInput("region_code", f"unknown region code {region}")
        rule = self.deps.rules.rule_for(region)
        return RewardRulePublic(
            region_code=region,
            rule=rule.label,
            fine_share=rule.fine_share,
            minimum_yuan=rule.minimum_yuan,
            maximum_yuan=rule.maximum_yuan,
            general_hazard_yuan=rule.general_hazard_yuan,
            per_concealed_death_yuan={grade.value: amount for grade, amount in rule.per_concealed_death_yuan.items()},
            handling_days=rule.handling_days,
        )

    async def _visible(self, uow: UnitOfWork, caller: Caller, tip_id: str, field: str = "") -> Tip:
        tip = await uow.tips.get(tip_id)
        if tip is None or caller.role not in OFFICERS or not tip.region_code.startswith(caller.region_code):
            if field:
                raise InvalidInput(field, f"no tip {tip_id} in your region")
            raise NotFound(f"no tip {tip_id}")
        return tip

    async def _enterprise(self, uow: UnitOfWork, caller: Caller, enterprise_id: str | None) -> EnterpriseFacts | None:
        if not enterprise_id:
            return None
        known = await uow.enterprises.by_id(enterprise_id)
        if known is None or not known.region_code.startswith(caller.region_code):
            raise InvalidInput("enterprise_id", f"no enterprise {enterprise_id} known in your region")
        return EnterpriseFacts(known.id, known.name)

    async def _redaction(self, uow: UnitOfWork, tip: Tip) -> Redaction:
        """What an officer's text must not say: the identity, opened in-process (no person reads it)."""
        if not tip.has_identity or tip.erasure is not None:
            return Redaction()
        return Redaction(await uow.vault.open(tip.id))
