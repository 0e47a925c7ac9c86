"""`write_once`, the loop every writing service's handlers share: one unit of work per attempt,
the first answer for a key that was seen, and a fresh attempt when a concurrent twin won."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import pytest

from hl_platform.errors import Conflict
from hl_platform.idempotency import KeyTaken, RequestKey, Result
from hl_platform.unit_of_work import TWIN_ATTEMPTS, write_once

KEY = RequestKey("client", "k", "fingerprint")


class Keys:
    def __init__(self, answers: list[Result | type[KeyTaken] | None]) -> None:
        self.answers = answers
        self.completed: list[Result] = []

    async def claim(self, key: RequestKey) -> Result | None:
        answer = self.answers.pop(0)
        if answer is KeyTaken:
            raise KeyTaken()
        return answer  # type: ignore[return-value]

    async def complete(self, key: RequestKey, result: Result) -> None:
        self.completed.append(result)


class Unit:
    def __init__(self, keys: Keys, log: list[str]) -> None:
        self.keys = keys
        self.log = log

    async def __aenter__(self) -> Self:
        self.log.append("begin")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.log.append("rollback" if kind else "commit")


async def _work(unit: Unit) -> Result:
    unit.log.append("work")
    return {"id": "new"}


async def test_a_new_key_does_the_work_and_keeps_its_answer_in_the_same_unit() -> None:
    log: list[str] = []
    keys = Keys([None])
    written = await write_once(lambda: Unit(keys, log), KEY, _work)
    assert written == ({"id": "new"}, False) and keys.completed == [{"id": "new"}]
    assert log == ["begin", "work", "commit"]


async def test_a_seen_key_replays_without_working() -> None:
    log: list[str] = []
    written = await write_once(lambda: Unit(Keys([{"id": "first"}]), log), KEY, _work)
    assert written.replayed and written.result == {"id": "first"} and "work" not in log


async def test_a_twin_that_won_is_read_on_the_next_attempt() -> None:
    log: list[str] = []
    keys = Keys([KeyTaken, {"id": "twin"}])
    written = await write_once(lambda: Unit(keys, log), KEY, _work)
    assert written == ({"id": "twin"}, True) and log == ["begin", "rollback", "begin", "commit"]


async def test_no_key_no_claim_and_twins_that_keep_vanishing_are_a_409_to_retry() -> None:
    log: list[str] = []
    assert (await write_once(lambda: Unit(Keys([]), log), None, _work)).result == {"id": "new"}
    keys = Keys([KeyTaken] * TWIN_ATTEMPTS)
    with pytest.raises(Conflict) as busy:
        await write_once(lambda: Unit(keys, log), KEY, _work)
    assert busy.value.status == 409 and "retry" in busy.value.detail
