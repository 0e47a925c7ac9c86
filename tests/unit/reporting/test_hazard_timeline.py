"""A hazard's bucket steps: their running sum is its standing on every day, whatever its history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import astuple
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hl_reporting.domain.hazard_timeline import (
    FOUND,
    LISTED,
    LISTED_RECTIFIED,
    OVERDUE,
    RECTIFIED,
    BucketKey,
    Fact,
    Placement,
    contributions,
    decode_contributions,
    difference,
    encode_contributions,
    standing,
)

WHERE = Placement("371002100", "hazardous_chemicals", "self_inspection")
MAY = date(2024, 5, 1)


def day(n: int) -> date:
    return MAY + timedelta(days=n - 1)


def metrics(facts: list[Fact], on: int) -> dict[str, int]:
    """The standing as "metric:level" (listing figures as "metric:listing:level")."""
    named = {}
    for (metric, _cohort, level, listing), value in standing(facts, day(on)).items():
        named[":".join(part for part in (metric, listing, level) if part)] = value
    return named


def test_rectified_then_rejected_counts_only_between() -> None:
    facts = [Fact(1, day(5), "found", level="major"), Fact(2, day(14), "rectified"), Fact(3, day(16), "rejected")]
    assert RECTIFIED + ":major" not in metrics(facts, 13)
    assert metrics(facts, 14)[RECTIFIED + ":major"] == 1
    assert RECTIFIED + ":major" not in metrics(facts, 16)
    steps = contributions(facts, WHERE)
    assert steps[(day(14), day(5), *astuple(WHERE), "major", "", RECTIFIED)] == 1
    assert steps[(day(16), day(5), *astuple(WHERE), "major", "", RECTIFIED)] == -1


def test_a_void_takes_back_every_step() -> None:
    facts = [Fact(1, day(5), "found", level="major"), Fact(2, day(7), "rectified")]
    before = contributions(facts, WHERE)
    after = contributions([*facts, Fact(3, day(10), "voided")], WHERE)
    assert after == {}
    assert difference(before, after) == {key: -delta for key, delta in sorted(before.items())}


def test_reclassification_moves_the_hazard_from_its_day() -> None:
    facts = [Fact(1, day(10), "found", level="general"), Fact(2, day(22), "reclassified", level="major")]
    assert metrics(facts, 21) == {"found:general": 1}
    assert metrics(facts, 22) == {"found:major": 1}


def test_overdue_starts_the_day_after_the_deadline_and_ends_with_an_extension() -> None:
    facts = [
        Fact(1, day(2), "found", level="major"),
        Fact(2, day(3), "escalated", level="county", deadline=day(10)),
        Fact(3, day(15), "extended", deadline=day(30)),
        Fact(4, day(20), "escalated", level="province", deadline=day(25)),
    ]
    assert OVERDUE + ":major" not in metrics(facts, 10)
    assert metrics(facts, 11)[OVERDUE + ":major"] == 1
    assert OVERDUE + ":major" not in metrics(facts, 15)
    assert metrics(facts, 26)[OVERDUE + ":major"] == 1
    # re-listed at province level: still one listing, its cohort the first listing day
    assert standing(facts, day(20))[(LISTED, day(3), "major", "province")] == 1
    assert (LISTED, day(3), "major", "county") not in standing(facts, day(20))


def test_a_back_dated_fix_lands_on_its_own_day() -> None:
    facts = [
        Fact(1, day(1), "found", level="major"),
        Fact(2, day(5), "escalated", level="city"),
        Fact(3, day(3), "rectified"),
    ]  # recorded last, dated the 3rd
    assert (RECTIFIED, day(1), "major", "") in standing(facts, day(3))
    assert (LISTED_RECTIFIED, day(5), "major", "city") in standing(facts, day(5))


def test_contributions_round_trip_through_json() -> None:
    facts = [
        Fact(1, day(1), "found", level="major", deadline=day(4)),
        Fact(2, day(2), "plan", deadline=day(9), funds_fen=123),
    ]
    steps = contributions(facts, WHERE)
    assert decode_contributions(encode_contributions(steps)) == steps
    assert [Fact.from_json(f.to_json()) for f in facts] == facts


KINDS = ["plan", "rectified", "accepted", "rejected", "escalated", "extended", "reclassified", "voided"]


@st.composite
def histories(draw: st.DrawFn) -> list[Fact]:
    found = draw(st.integers(1, 20))
    facts = [
        Fact(
            1,
            day(found),
            "found",
            level=draw(st.sampled_from(["general", "major"])),
            deadline=draw(st.none() | st.integers(1, 40).map(day)),
        )
    ]
    for version in range(2, draw(st.integers(1, 9)) + 1):
        kind = draw(st.sampled_from(KINDS[:-1] if draw(st.integers(0, 9)) else KINDS))
        level = {
            "escalated": st.sampled_from(["county", "city", "province"]),
            "reclassified": st.sampled_from(["general", "major"]),
        }.get(kind, st.none())
        deadline = st.integers(1, 40).map(day) if kind in ("plan", "escalated", "extended") else st.none()
        funds = st.integers(0, 10**9) if kind == "plan" else st.none()
        facts.append(
            Fact(
                version,
                day(draw(st.integers(1, 40))),
                kind,
                level=draw(level),
                deadline=draw(deadline),
                funds_fen=draw(funds),
            )
        )
    return facts


@settings(deadline=None)
@given(histories())
def test_steps_sum_to_the_standing_on_every_day(facts: list[Fact]) -> None:
    steps = contributions(facts, WHERE)
    running: dict[tuple[object, ...], int] = defaultdict(int)
    for n in range(0, 60):
        for key, delta in steps.items():
            if key[0] == day(n):
                running[(key[7], key[1], key[5], key[6])] += delta
        assert {k: v for k, v in running.items() if v} == standing(facts, day(n))


@settings(deadline=None)
@given(histories(), histories())
def test_applying_a_difference_turns_old_steps_into_new(old: list[Fact], new: list[Fact]) -> None:
    before, after = contributions(old, WHERE), contributions(new, WHERE)
    merged: dict[BucketKey, int] = dict(before)
    for key, delta in difference(before, after).items():
        merged[key] = merged.get(key, 0) + delta
    assert {k: v for k, v in merged.items() if v} == after
    assert all(
        standing(new, day(n)).get((FOUND, new[0].day, lv, ""), 0) in (0, 1)
        for n in range(40)
        for lv in ("general", "major")
    )
