"""plan's last step (``matcher.planning.fill``): free places offered to left-out candidates,
and year-2 candidates offered last year's coach, only where the calendars say yes.

The calendars are a stand-in here (``calendar_fits`` a test decides), so each rule of the
step is seen on its own: places, the program's caps per coach, pins, the coach left behind,
the order (year-2 first) and that nothing is offered where the coach's week cannot hold it.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np

from matcher.planning.fill import FillInputs, fill
from solvers.assignment_data import AssignmentProblem, GroupCaps
from solvers.timed_assign import TimedAssignProblem

WIDE = ((0, 480, 1020), (1, 480, 1020), (2, 480, 1020), (3, 480, 1020), (4, 480, 1020))
DATES = np.zeros((7, 2), dtype=np.int64)
DATES[:5] = 4


def _inputs(pairs, years, places, continuity=(), windows=None, fixed=(), groups=()):
    """Candidates with ``years``; ``pairs`` (candidate, coach), all free all week unless
    ``windows`` says otherwise; 60-minute monthly minimums."""
    n = len(pairs)
    base = AssignmentProblem(
        n_left=len(years),
        n_right=len(places),
        left=np.array([k for k, _ in pairs], dtype=np.int64),
        right=np.array([c for _, c in pairs], dtype=np.int64),
        weight=np.full(n, 100_000, dtype=np.int64),
        capacity=np.array(places, dtype=np.int64),
        groups=groups,
    )
    problem = TimedAssignProblem(
        base=base,
        windows=tuple(WIDE for _ in pairs) if windows is None else windows,
        dates=DATES,
        session_lengths=(60,),
        first_month=np.zeros(n, dtype=np.int64),
        min_month=60,
        max_month=0,
        min_total=np.full(n, 120, dtype=np.int64),
        coach_cap=np.full(len(places), -1, dtype=np.int64),
    )
    program = SimpleNamespace(
        candidates=[SimpleNamespace(program_year=y) for y in years],
        policy=SimpleNamespace(priority=SimpleNamespace(year2_first=True)),
    )
    return FillInputs(
        program=program,
        problem=problem,
        every=list(pairs),
        index={pair: p for p, pair in enumerate(pairs)},
        places=np.array(places, dtype=np.int64),
        never=set(),
        continuity=np.array([pair in continuity for pair in pairs], dtype=bool),
        fixed=set(fixed),
    )


def _calendars(most: dict[int, int], calls: list | None = None):
    """A coach's calendar fits while it has at most ``most[coach]`` candidates."""

    def fits(requests: list[tuple[int, list[int]]]) -> list[bool]:
        if calls is not None:
            calls.extend((c, tuple(members)) for c, members in requests)
        return [len(members) <= most.get(c, 99) for c, members in requests]

    return fits


def test_a_left_out_candidate_takes_a_free_place_whose_calendar_fits():
    inputs = _inputs([(0, 0), (1, 0), (1, 1)], [1, 1], [2, 2])
    out = fill(inputs, {0: 0}, _calendars({0: 1}))
    assert out.mapping == {0: 0, 1: 1}  # coach 0's calendar holds one: coach 1 takes it
    assert out.inserted == (1,) and out.returned == ()


def test_no_offer_beyond_a_coach_places():
    calls: list = []
    inputs = _inputs([(0, 0), (1, 0)], [1, 1], [1])
    out = fill(inputs, {0: 0}, _calendars({}, calls))
    assert out.mapping == {0: 0} and calls == []


def test_no_offer_where_the_coach_week_cannot_hold_the_hours():
    # coach 0 is free Mondays 9-10 only, four Mondays a month: two 60-minute monthly
    # minimums fit, plus 120 minutes a year each; a third pair does not
    monday = ((0, 540, 600),)
    inputs = _inputs([(0, 0), (1, 0), (2, 0)], [1, 1, 1], [3], windows=(monday,) * 3)
    inputs = dataclasses.replace(
        inputs,
        problem=dataclasses.replace(
            inputs.problem, dates=np.where(np.arange(7)[:, None] == 0, 1, 0) * np.ones((1, 2))
        ),
    )
    calls: list = []
    out = fill(inputs, {0: 0}, _calendars({}, calls))
    assert out.mapping == {0: 0} and calls == []  # one Monday a month holds one pair


def test_year2_candidates_are_offered_first():
    inputs = _inputs([(0, 0), (1, 0)], [1, 2], [1])
    out = fill(inputs, {}, _calendars({}))
    assert out.mapping == {1: 0}


def test_a_year2_candidate_returns_to_last_year_coach_and_frees_a_place():
    pairs = [(0, 0), (0, 1), (1, 0)]
    inputs = _inputs(pairs, [2, 1], [1, 1], continuity={(0, 1)})
    out = fill(inputs, {0: 0}, _calendars({}))
    assert out.returned == (0,)
    assert out.mapping == {0: 1, 1: 0}  # the place it left went to candidate 1


def test_no_return_when_the_coach_left_behind_would_come_out_short():
    # the scheduler is a heuristic: a coach's calendar with one candidate fewer is checked too
    pairs = [(0, 0), (0, 1), (1, 0)]
    inputs = _inputs(pairs, [2, 1], [2, 1], continuity={(0, 1)})

    def fits(requests: list[tuple[int, list[int]]]) -> list[bool]:
        return [not (c == 0 and members == [1]) for c, members in requests]

    out = fill(inputs, {0: 0, 1: 0}, fits)
    assert out.returned == () and out.mapping == {0: 0, 1: 0}


def test_pinned_candidates_never_move():
    pairs = [(0, 0), (0, 1)]
    inputs = _inputs(pairs, [2], [1, 1], continuity={(0, 1)}, fixed={0})
    assert fill(inputs, {0: 0}, _calendars({})).mapping == {0: 0}


def test_the_program_caps_per_coach_hold():
    # at most one year-1 candidate per coach (a group family over pairs 0 and 1)
    family = GroupCaps(np.array([0, 0], dtype=np.int64), np.array([1], dtype=np.int64))
    inputs = _inputs([(0, 0), (1, 0)], [1, 1], [2], groups=(family,))
    assert fill(inputs, {0: 0}, _calendars({})).mapping == {0: 0}


def test_same_answer_twice():
    pairs = [(k, c) for k in range(6) for c in range(3)]
    inputs = _inputs(pairs, [1, 2, 1, 2, 1, 1], [2, 2, 1], continuity={(1, 2), (3, 0)})
    first = fill(inputs, {0: 0}, _calendars({0: 1}))
    assert first == fill(inputs, {0: 0}, _calendars({0: 1}))
    batched = fill(inputs, {0: 0}, _calendars({0: 1}), batch=3)  # as with 3 workers
    assert batched.mapping == first.mapping and batched.inserted == first.inserted
    assert len(first.mapping) == 4  # coach 0 calendar holds one (it has it), then 2 + 1 places


def test_a_year1_candidate_moves_so_a_year2_candidate_keeps_last_year_coach():
    # coach 0 has one place, taken by year-1 candidate 1, who could also go to coach 1
    pairs = [(0, 0), (1, 0), (1, 1)]
    inputs = _inputs(pairs, [2, 1], [1, 1], continuity={(0, 0)})
    out = fill(inputs, {1: 0}, _calendars({}))
    assert out.mapping == {0: 0, 1: 1} and out.inserted == (0,)
    # with candidate 0 at coach 1 already, the swap is a return: 1 and 0 trade coaches
    out = fill(
        _inputs([(0, 0), (0, 1), (1, 0), (1, 1)], [2, 1], [1, 1], continuity={(0, 0)}),
        {0: 1, 1: 0},
        _calendars({}),
    )
    assert out.mapping == {0: 0, 1: 1} and out.returned == (0,)


def test_no_swap_moves_a_continuity_candidate():
    # candidate 1 is with its own last year's coach: it stays, and candidate 0 waits
    pairs = [(0, 0), (1, 0), (1, 1)]
    inputs = _inputs(pairs, [2, 2], [1, 1], continuity={(0, 0), (1, 0)})
    assert fill(inputs, {1: 0}, _calendars({})).mapping == {1: 0}


def test_a_year2_candidate_without_continuity_here_may_move_and_keeps_a_coach():
    # candidate 1 is in year 2 but coach 0 was not its coach: it moves to coach 1, so that
    # candidate 0 comes back to coach 0; both year-2 candidates keep a coach
    pairs = [(0, 0), (1, 0), (1, 1)]
    inputs = _inputs(pairs, [2, 2], [1, 1], continuity={(0, 0)})
    out = fill(inputs, {1: 0}, _calendars({}))
    assert out.mapping == {0: 0, 1: 1} and out.inserted == (0,)


def test_the_swap_moves_whoever_competes_for_the_returning_candidate_hours():
    # coach 0 is free Monday and Tuesday mornings; year-2 candidate 0 (with coach 1 now) only
    # on Tuesday. Of coach 0's two candidates, 1 meets on Monday and 2 on Tuesday: only moving
    # 2 frees the hours candidate 0 needs, so 2 is asked to move first, and only 2 is moved.
    monday, tuesday = ((0, 480, 600),), ((1, 480, 600),)
    pairs = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    windows = (tuesday, WIDE, monday, WIDE, tuesday, WIDE)
    inputs = _inputs(pairs, [2, 1, 1], [2, 2], continuity={(0, 0)}, windows=windows)
    calls: list = []

    def fits(requests: list[tuple[int, list[int]]]) -> list[bool]:
        calls.extend((c, tuple(members)) for c, members in requests)
        return [c != 0 or not {0, 2} <= set(members) for c, members in requests]

    out = fill(inputs, {0: 1, 1: 0, 2: 0}, fits)
    assert out.mapping == {0: 0, 1: 0, 2: 1} and out.returned == (0,)
    assert (0, (0, 1)) in calls and (0, (0, 2)) not in calls[: calls.index((0, (0, 1)))]


def test_the_step_stops_at_its_budget_of_calendar_solves():
    pairs = [(k, c) for k in range(6) for c in range(3)]
    inputs = _inputs(pairs, [1] * 6, [6, 6, 6])
    calls: list = []
    out = fill(inputs, {}, _calendars({0: 0, 1: 0, 2: 0}, calls))  # no calendar ever fits
    assert out.capped and out.offers == len(calls) == 6  # one solve per candidate
    assert out.mapping == {}
    assert not fill(inputs, {}, _calendars({})).capped  # everyone placed on the first try


def test_the_budget_counts_the_same_solves_whatever_the_workers():
    # every first offer fits: one solve per candidate with one worker, within the budget
    # of one per candidate; with three workers three sets are solved at a time, but only the
    # ones a single worker would have asked count, so nobody is left out for want of budget
    pairs = [(k, c) for k in range(6) for c in range(3)]
    inputs = _inputs(pairs, [1] * 6, [6, 6, 6])
    one = fill(inputs, {}, _calendars({}), batch=1)
    assert len(one.mapping) == 6 and one.offers == 6 and not one.capped
    for batch in (2, 3):
        assert fill(inputs, {}, _calendars({}), batch=batch) == one
    # where the budget binds, it binds at the same move
    tight = _calendars({0: 0, 1: 0})  # only coach 2's calendar fits: three solves each
    one = fill(inputs, {}, tight, batch=1)
    assert one.capped and len(one.mapping) == 2
    assert fill(inputs, {}, _calendars({0: 0, 1: 0}), batch=3) == one


def test_a_left_out_candidate_gets_a_full_coach_whose_candidate_moves_to_a_free_place():
    # candidate 0 (year 1) can only have coach 0, whose one place candidate 1 holds; 1 could
    # also have coach 1, which has a place: 1 moves, 0 comes in, coverage grows by one
    pairs = [(0, 0), (1, 0), (1, 1)]
    inputs = _inputs(pairs, [1, 1], [1, 1])
    out = fill(inputs, {1: 0}, _calendars({}))
    assert out.mapping == {0: 0, 1: 1} and out.inserted == (0,)
    # not where the candidate holding the place has continuity with that coach
    inputs = _inputs(pairs, [1, 2], [1, 1], continuity={(1, 0)})
    assert fill(inputs, {1: 0}, _calendars({})).mapping == {1: 0}
    # nor where the coach's calendar would not hold the newcomer
    out = fill(_inputs(pairs, [1, 1], [1, 1]), {1: 0}, _calendars({0: 0}))
    assert out.mapping == {1: 0} and out.inserted == ()
