"""plan's last repairs: who leaves when a coach's week cannot hold every pair.

A protected pair (continuity, or a year-2 candidate where year-2 candidates come first) is
spared while its coach has an unprotected candidate to move; without protection the short pair
itself leaves."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from conftest import SAMPLE

from matcher.io.loading import load_program
from matcher.planning.loop import _pairs_to_drop
from matcher.planning.timed_roster import timed_problem
from matcher.rules.pairs import build_pairs


def _planner(program, keep=frozenset()):
    """What the drop step reads of the planner: the program, the protected and pinned pairs,
    and the time model's pairs (to weigh how much two pairs of a coach compete)."""
    pairs = build_pairs(program)
    every = list(zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True))
    return SimpleNamespace(
        program=program,
        keep_pairs=set(keep),
        pinned=set(),
        problem=timed_problem(pairs),
        index={pair: p for p, pair in enumerate(every)},
    )


def _three(program):
    """A coach and three of its eligible candidates in the sample: one in year 2, two in
    year 1."""
    pairs = build_pairs(program)
    for c in range(len(program.coaches)):
        mine = sorted(set(pairs.candidate[pairs.coach == c].tolist()))
        year2 = [k for k in mine if program.candidates[k].program_year == 2]
        year1 = [k for k in mine if program.candidates[k].program_year == 1]
        if year2 and len(year1) >= 2:
            return c, year2[0], year1[:2]
    raise AssertionError("the sample has no such coach")


def test_a_year2_short_pair_stays_and_a_year1_pair_of_its_coach_moves():
    program = load_program(SAMPLE)
    c, k2, (a, b) = _three(program)
    short = {(k2, c): [SimpleNamespace(reason="coach time taken")]}
    drop = _pairs_to_drop(_planner(program), short, [(k2, c), (a, c), (b, c)])
    assert len(drop) == 1
    ((moved, reason),) = drop.items()
    assert moved in {(a, c), (b, c)}
    assert program.coaches[c].coach_id in reason


def test_without_priority_the_short_pair_itself_leaves():
    program = load_program(SAMPLE)
    policy = program.policy.model_copy(
        update={"priority": program.policy.priority.model_copy(update={"year2_first": False})}
    )
    program = dataclasses.replace(program, policy=policy)
    c, k2, (a, b) = _three(program)
    short = {(k2, c): [SimpleNamespace(reason="coach time taken")]}
    assert _pairs_to_drop(_planner(program), short, [(k2, c), (a, c), (b, c)]) == {
        (k2, c): "coach time taken"
    }


def test_a_continuity_pair_is_protected_and_unprotected_shorts_go_first():
    program = load_program(SAMPLE)
    c, _, (a, b) = _three(program)
    short = {(a, c): [SimpleNamespace(reason="r-a")], (b, c): [SimpleNamespace(reason="r-b")]}
    drop = _pairs_to_drop(_planner(program, keep={(a, c)}), short, [(a, c), (b, c)])
    assert drop == {(b, c): "r-b"}
