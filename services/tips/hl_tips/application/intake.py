"""The public side of a tip: filing it without an account, following it, adding photos, claiming the
reward and erasing one's identity, each with the tip's tracking number and secret.

A secret is checked (scrypt, tens of milliseconds) before any write transaction opens, so a
database lock is never held while hashing; an unknown number costs the same time as a wrong secret,
and both answer the same 404, so neither tells whether a tip exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from hl_api.tips import TipReceipt, TipStatusPublic
from hl_platform.clock import local_date
from hl_platform.errors import InvalidInput, NotFound
from hl_platform.ids import new_id
from hl_tips.application.deps import Deps
from hl_tips.application.idempotency import Once, remember, replayed
from hl_tips.application.ports import Credential, DuplicateRequest, UnitOfWork
from hl_tips.application.views import public_view
from hl_tips.domain.commands import AddPhoto, EraseIdentity, FileTip
from hl_tips.domain.credentials import (
    NUMBER_BYTES,
    SECRET_BYTES,
    new_secret,
    normalize_number,
    normalize_secret,
    tracking_number,
)
from hl_tips.domain.duplicates import enterprise_key, normalize, original_of
from hl_tips.domain.model import Place, Tip
from hl_tips.domain.photos import clean_photo, photo_key
from hl_tips.domain.policies import Principal

NUMBER_ATTEMPTS = 5
UNKNOWN_INDUSTRY = "other"


@dataclass(frozen=True)
class Filed:
    receipt: TipReceipt
    replayed: bool


class Intake:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def file(self, cmd: FileTip, once: Once | None = None) -> Filed:
        """File a tip; a retry with the same Idempotency-Key returns the same tip with a new secret."""
        secret = new_secret(self.deps.random(SECRET_BYTES))
        hashed = await self.deps.hasher.hash(secret)
        for _ in range(3):
            try:
                return await self._file(cmd, once, secret, hashed)
            except DuplicateRequest:  # a concurrent retry committed first: replay its answer
                continue
        raise RuntimeError("the same Idempotency-Key kept racing")

    async def _file(self, cmd: FileTip, once: Once | None, secret: str, hashed: str) -> Filed:
        now = self.deps.clock()
        async with self.deps.uow() as uow:
            if (record := await replayed(uow, once, now)) is not None:
                # The first answer's secret is lost with it (only its hash was kept): issue another.
                await uow.credentials.replace_secret(record.tip_id, hashed)
                return Filed(TipReceipt.model_validate({**record.response, "secret": secret}), True)
            tip = await self._new_tip(uow, cmd, hashed)
            if cmd.identity is not None:
                await uow.vault.seal(tip.id, cmd.identity)
            facts_key = _facts_key(tip)
            await self._link_if_duplicate(uow, tip, facts_key)
            await uow.tips.save(tip, facts_key)
            receipt = _receipt(tip, secret)
            await remember(
                uow, once, tip.id, receipt.model_dump(mode="json", exclude={"secret"}), now, self.deps.idempotency_ttl
            )
        self.deps.on_commit()
        return Filed(receipt, False)

    async def _new_tip(self, uow: UnitOfWork, cmd: FileTip, hashed: str) -> Tip:
        now = self.deps.clock()
        place = await self._place(uow, cmd)
        rule = self.deps.rules.rule_for(place.region_code)
        tip_id = new_id()
        for _ in range(NUMBER_ATTEMPTS):
            number = tracking_number(local_date(now), self.deps.random(NUMBER_BYTES))
            if await uow.credentials.add(Credential(tip_id, number, hashed)):
                return Tip.file(tip_id, cmd, place, number, rule, now)
        raise RuntimeError("no free tracking number after several draws")

    async def _place(self, uow: UnitOfWork, cmd: FileTip) -> Place:
        known = await uow.enterprises.resolve(cmd.uscc.upper(), cmd.enterprise_name, cmd.region_code)
        if known is not None:
            return Place(
                region_code=known.region_code,
                industry=known.industry,
                enterprise_id=known.id,
                enterprise_name=known.name,
            )
        if not cmd.region_code:
            raise InvalidInput("region_code", "required unless the uscc names an enterprise known here")
        if not self.deps.region_exists(cmd.region_code):
            raise InvalidInput("region_code", f"unknown region code {cmd.region_code}")
        return Place(region_code=cmd.region_code, industry=UNKNOWN_INDUSTRY)

    async def _link_if_duplicate(self, uow: UnitOfWork, tip: Tip, facts_key: str | None) -> None:
        """Only the first valid reporter earns: a tip repeating an open or verified one is linked to it."""
        if facts_key is None or tip.filed_at is None:
            return
        await uow.index.lock_facts(facts_key)
        window = self.deps.duplicate_window
        candidates = await uow.index.candidates(facts_key, tip.filed_at - window)
        match = original_of(tip.filed.category, normalize(tip.filed.description), tip.filed_at, candidates, window)
        if match is None:
            return
        candidate, score = match
        original = await uow.tips.get(candidate.tip_id)
        if original is None:
            return
        reason = f"same enterprise and category, facts {score:.0%} alike, within {window.days} days"
        tip.link_duplicate(original, reason, Principal.system(), self.deps.clock())

    async def status(self, number: str, secret: str) -> TipStatusPublic:
        credential = await self._check(number, secret)
        async with self.deps.uow(write=False) as uow:
            return public_view(await self._tip(uow, credential.tip_id))

    async def add_photo(self, number: str, secret: str, data: bytes, once: Once | None = None) -> TipStatusPublic:
        """Store the cleaned photo's bytes, then record it (an unrecorded object is an orphan, never reachable)."""
        photo = clean_photo(data)
        credential = await self._check(number, secret)
        digest = hashlib.sha256(photo.data).hexdigest()
        await self.deps.photos.put(photo_key(credential.tip_id, digest), photo.data, photo.content_type)
        cmd = AddPhoto(photo_id=new_id(), sha256=digest, size_bytes=len(photo.data), content_type=photo.content_type)
        return await self._as_tipster(credential, lambda tip, now: tip.add_photo(cmd, Principal.tipster(), now), once)

    async def claim(self, number: str, secret: str, once: Once | None = None) -> TipStatusPublic:
        credential = await self._check(number, secret)
        return await self._as_tipster(credential, lambda tip, now: tip.claim_reward(Principal.tipster(), now), once)

    async def erase(self, number: str, secret: str, once: Once | None = None) -> TipStatusPublic:
        """The tipster's own erasure: the key is destroyed with the event, in one transaction."""
        credential = await self._check(number, secret)
        erase = EraseIdentity(requested_by="tipster")

        def act(tip: Tip, now: datetime) -> None:
            tip.erase_identity(erase, Principal.tipster(), now)

        return await self._as_tipster(credential, act, once, shred=True)

    async def _as_tipster(
        self, credential: Credential, act: Callable[[Tip, datetime], object], once: Once | None, shred: bool = False
    ) -> TipStatusPublic:
        for _ in range(3):
            try:
                return await self._once_as_tipster(credential, act, once, shred)
            except DuplicateRequest:
                continue
        raise RuntimeError("the same Idempotency-Key kept racing")

    async def _once_as_tipster(
        self, credential: Credential, act: Callable[[Tip, datetime], object], once: Once | None, shred: bool
    ) -> TipStatusPublic:
        now = self.deps.clock()
        async with self.deps.uow() as uow:
            if (record := await replayed(uow, once, now)) is not None:
                return TipStatusPublic.model_validate(record.response)
            tip = await self._tip(uow, credential.tip_id)
            act(tip, now)
            if shred:
                await uow.vault.shred(tip.id)
            await uow.tips.save(tip)
            view = public_view(tip)
            await remember(uow, once, tip.id, view.model_dump(mode="json"), now, self.deps.idempotency_ttl)
        self.deps.on_commit()
        return view

    async def _check(self, number: str, secret: str) -> Credential:
        async with self.deps.uow(write=False) as uow:
            credential = await uow.credentials.find(normalize_number(number))
        typed = normalize_secret(secret)
        if not await self.deps.hasher.verify(typed, credential.secret_hash if credential else None) or not credential:
            raise NotFound("no tip with this tracking number and secret")
        return credential

    async def _tip(self, uow: UnitOfWork, tip_id: str) -> Tip:
        tip = await uow.tips.get(tip_id)
        if tip is None:
            raise NotFound("no tip with this tracking number and secret")
        return tip


def _facts_key(tip: Tip) -> str | None:
    filed = tip.filed
    return enterprise_key(filed.enterprise_id, filed.uscc, filed.enterprise_name, tip.region_code, filed.address)


def _receipt(tip: Tip, secret: str) -> TipReceipt:
    assert tip.filed_at is not None
    return TipReceipt(
        tracking_number=tip.filed.tracking_number,
        secret=secret,
        status=tip.status,
        filed_at=tip.filed_at,
        deadline=tip.deadline,
        anonymous=tip.filed.anonymous,
    )
