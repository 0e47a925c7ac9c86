"""Idempotency-Key: fingerprints, and the guard's replay / mismatch / in-flight / retry rules."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hl_gateway.application.idempotency import IdempotencyGuard
from hl_gateway.domain.errors import IdempotencyInFlight, IdempotencyMismatch
from hl_gateway.domain.idempotency import Record, check_key, fingerprint
from hl_gateway.domain.reply import Reply
from hl_platform.errors import InvalidInput
from tests.unit.gateway.fakes import Clock, MemoryIdempotencyStore

CREATED = Reply(201, {"content-type": "application/json", "location": "/api/v1/hazards/h-1"}, b'{"id": "h-1"}')


def test_a_fingerprint_ignores_json_spelling_but_not_content() -> None:
    base = fingerprint("POST", "/api/v1/hazards", b'{"a": 1, "b": [1, 2]}')
    assert base == fingerprint("post", "/api/v1/hazards", b'{"b":[1,2],\n "a":1}')
    assert base != fingerprint("POST", "/api/v1/hazards", b'{"a": 2, "b": [1, 2]}')
    assert base != fingerprint("POST", "/api/v1/enterprises", b'{"a": 1, "b": [1, 2]}')
    assert fingerprint("POST", "/x", b"\xff not json") != fingerprint("POST", "/x", b"\xfe not json")


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 256])
def test_keys_are_visible_ascii_up_to_255(key: str) -> None:
    with pytest.raises(InvalidInput):
        check_key(key)
    assert check_key("0191f3c2-7d5e-7c3a-9b1e-2f6d8a4c5e7f") == "0191f3c2-7d5e-7c3a-9b1e-2f6d8a4c5e7f"


class Upstream:
    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.calls = 0

    async def __call__(self) -> Reply:
        self.calls += 1
        return self.replies.pop(0)


def guard(clock: Clock | None = None, store: MemoryIdempotencyStore | None = None) -> IdempotencyGuard:
    return IdempotencyGuard(
        store or MemoryIdempotencyStore(),
        ttl=timedelta(hours=24),
        in_flight=timedelta(minutes=2),
        clock=clock or Clock(),
    )


async def test_a_replay_returns_the_first_reply_without_calling_again() -> None:
    g, upstream = guard(), Upstream(CREATED)
    first = await g.run("client-1", "k1", "fp", upstream)
    again = await g.run("client-1", "k1", "fp", upstream)
    assert first == (CREATED, False) and again == (CREATED, True) and upstream.calls == 1


async def test_keys_belong_to_one_client() -> None:
    g, upstream = guard(), Upstream(CREATED, CREATED)
    await g.run("client-1", "k1", "fp", upstream)
    assert await g.run("client-2", "k1", "fp", upstream) == (CREATED, False) and upstream.calls == 2


async def test_the_same_key_with_another_request_is_422() -> None:
    g = guard()
    await g.run("client-1", "k1", "fp", Upstream(CREATED))
    with pytest.raises(IdempotencyMismatch) as refused:
        await g.run("client-1", "k1", "other-fp", Upstream(CREATED))
    assert refused.value.status == 422


async def test_a_replay_while_the_first_is_in_flight_is_409() -> None:
    g, release = guard(), asyncio.Event()

    async def slow() -> Reply:
        await release.wait()
        return CREATED

    first = asyncio.create_task(g.run("client-1", "k1", "fp", slow))
    await asyncio.sleep(0)
    with pytest.raises(IdempotencyInFlight) as refused:
        await g.run("client-1", "k1", "fp", Upstream(CREATED))
    assert refused.value.status == 409
    release.set()
    assert await first == (CREATED, False)


async def test_server_errors_and_exceptions_free_the_key_for_a_retry() -> None:
    g, store = guard(), MemoryIdempotencyStore()
    g.store = store
    upstream = Upstream(Reply(503, {}, b"down"), CREATED)
    assert (await g.run("c", "k", "fp", upstream))[0].status == 503 and not store.records

    async def boom() -> Reply:
        raise TimeoutError

    with pytest.raises(TimeoutError):
        await g.run("c", "k", "fp", boom)
    assert not store.records
    assert await g.run("c", "k", "fp", upstream) == (CREATED, False)


async def test_refusals_are_not_remembered() -> None:
    """A 4xx wrote nothing: the same key is free for a corrected request."""
    g, refused = guard(), Reply(409, {"content-type": "application/problem+json"}, b"{}")
    assert await g.run("c", "k", "fp", Upstream(refused)) == (refused, False)
    assert await g.run("c", "k", "other-fp", Upstream(CREATED)) == (CREATED, False)
    assert await g.forward("c", "k2", "fp", Upstream(refused)) == (refused, False)
    assert await g.forward("c", "k2", "fp", Upstream(CREATED)) == (CREATED, False)


async def test_a_relayed_write_is_replayed_from_the_copy_or_sent_on() -> None:
    clock, store = Clock(), MemoryIdempotencyStore()
    g, upstream = guard(clock, store), Upstream(CREATED)
    assert await g.forward("c", "k", "fp", upstream) == (CREATED, False)
    assert await g.forward("c", "k", "fp", Upstream()) == (CREATED, True) and upstream.calls == 1
    with pytest.raises(IdempotencyMismatch):
        await g.forward("c", "k", "other-fp", Upstream())
    # A claim left in flight (a gateway killed mid-request) does not block: the service decides.
    await store.claim(Record("c", "stuck", "fp", clock.now, clock.now + timedelta(hours=24)), None)
    from_service = Reply(201, {**CREATED.headers, "idempotent-replayed": "true"}, CREATED.body)
    assert await g.forward("c", "stuck", "fp", Upstream(from_service)) == (from_service, True)
    assert (await store.get("c", "stuck")).response == CREATED  # kept without the replay mark


async def test_keys_expire_after_the_ttl_and_abandoned_claims_are_taken_over() -> None:
    clock, store = Clock(), MemoryIdempotencyStore()
    g = guard(clock, store)
    await g.run("c", "k", "fp", Upstream(CREATED))
    clock.advance(hours=24)
    assert await g.run("c", "k", "other-fp", Upstream(CREATED)) == (CREATED, False)
    clock.advance(hours=25)
    assert await store.purge(clock.now) == 1

    never = asyncio.Event()

    async def hangs() -> Reply:
        await never.wait()
        return CREATED

    stuck = asyncio.create_task(g.run("c", "k2", "fp", hangs))
    await asyncio.sleep(0)
    clock.advance(minutes=3)  # the holder is presumed dead
    assert await g.run("c", "k2", "fp", Upstream(CREATED)) == (CREATED, False)
    stuck.cancel()


async def test_what_is_kept_can_be_redacted() -> None:
    g = guard()
    secret = Reply(201, {}, b'{"key": "hl_secret"}')
    await g.run("c", "k", "fp", Upstream(secret), redact=lambda r: Reply(r.status, r.headers, b'{"key": ""}'))
    assert (await g.run("c", "k", "fp", Upstream()))[0].body == b'{"key": ""}'
