"""The time-aware assignment (``solvers.timed_assign``) against schedules found by brute force.

On tiny programs (whole-hour windows, one 60-minute session length, no travel) a roster is
schedulable exactly when a flow of session hours from pair-months to the coaches' free
(date, hour) slots meets every monthly minimum; every roster is enumerated, and the model's
proven bound must never be below the best schedulable coverage. A hand-made case checks the
bound is tight, and one checks that where the paper optimum over-fills a coach's only window,
the timed model does not.
"""

from __future__ import annotations

import dataclasses
import itertools
import random

import networkx as nx
import numpy as np

from solvers.assignment_data import AssignmentProblem
from solvers.flow import solve_flow
from solvers.timed_assign import (
    TimedAssignProblem,
    continuity_bound,
    coverage_bound,
    solve_timed,
)

MONTHS = 2
DATES = np.zeros((7, MONTHS), dtype=np.int64)
DATES[0, :] = 2  # two Mondays a month
DATES[2, :] = 1  # one Wednesday a month
NEED_MONTH = 60  # one session a month per pair


def _problem(left, right, windows, n_left, n_right, capacity, weight=None) -> TimedAssignProblem:
    n = len(left)
    weight = [100_000] * n if weight is None else weight
    base = AssignmentProblem(
        n_left=n_left,
        n_right=n_right,
        left=np.array(left, dtype=np.int64),
        right=np.array(right, dtype=np.int64),
        weight=np.array(weight, dtype=np.int64),
        capacity=np.array(capacity, dtype=np.int64),
    )
    return TimedAssignProblem(
        base=base,
        windows=tuple(tuple(w) for w in windows),
        dates=DATES,
        session_lengths=(60,),
        first_month=np.zeros(n, dtype=np.int64),
        min_month=NEED_MONTH,
        max_month=0,
        min_total=np.full(n, NEED_MONTH * MONTHS, dtype=np.int64),
        coach_cap=np.full(n_right, -1, dtype=np.int64),
    )


def _schedulable(problem: TimedAssignProblem, chosen: list[int]) -> bool:
    """Flow of session hours: pair-month demand -> (coach, date, hour) slots in its windows."""
    graph = nx.DiGraph()
    demand = 0
    for p in chosen:
        coach = int(problem.base.right[p])
        for m in range(problem.n_months):
            graph.add_edge("s", ("pm", p, m), capacity=NEED_MONTH // 60)
            demand += NEED_MONTH // 60
            for d, start, end in problem.windows[p]:
                for date in range(int(problem.dates[d, m])):
                    for hour in range(start // 60, end // 60):
                        slot = ("slot", coach, d, m, date, hour)
                        graph.add_edge(("pm", p, m), slot, capacity=1)
                        graph.add_edge(slot, "t", capacity=1)
    if demand == 0:
        return True
    return nx.maximum_flow_value(graph, "s", "t") == demand


def _best_schedulable(problem: TimedAssignProblem) -> int:
    base = problem.base
    options = [
        [None] + [p for p in range(base.n_pairs) if base.left[p] == k] for k in range(base.n_left)
    ]
    best = 0
    for pick in itertools.product(*options):
        chosen = [p for p in pick if p is not None]
        loads = np.bincount(base.right[chosen], minlength=base.n_right)
        if (loads > base.capacity).any() or len(chosen) <= best:
            continue
        if _schedulable(problem, chosen):
            best = len(chosen)
    return best


def _random_problem(rng: random.Random) -> TimedAssignProblem:
    n_left, n_right = rng.randint(2, 4), rng.randint(1, 2)
    left, right, windows = [], [], []
    for k in range(n_left):
        for c in range(n_right):
            if rng.random() < 0.8:
                left.append(k)
                right.append(c)
                day = rng.choice([0, 2])
                start = rng.randint(8, 10) * 60
                windows.append([(day, start, start + rng.randint(1, 2) * 60)])
    if not left:
        left, right, windows = [0], [0], [[(0, 540, 600)]]
    capacity = [rng.randint(1, 3) for _ in range(n_right)]
    return _problem(left, right, windows, n_left, n_right, capacity)


def test_bound_is_never_below_the_best_schedulable_roster():
    rng = random.Random(11)
    for _ in range(40):
        problem = _random_problem(rng)
        best = _best_schedulable(problem)
        bound = coverage_bound(problem, time_limit=5)
        assert bound.proven
        assert bound.bound >= best
        assert bound.found == bound.bound


def test_bound_is_tight_on_a_shared_window():
    # three candidates, one coach free Mondays 9-10 only: two Mondays a month hold two
    # monthly sessions, so exactly two pairs fit, whatever the places
    problem = _problem([0, 1, 2], [0, 0, 0], [[(0, 540, 600)]] * 3, 3, 1, [3])
    assert _best_schedulable(problem) == 2
    assert coverage_bound(problem, time_limit=5).bound == 2


def test_a_month_with_fewer_dates_limits_the_pairs_confined_to_them():
    # candidates 0 and 1 can meet coach 0 only on Mondays 9-10, candidate 2 on Wednesdays
    # 9-11. The first month has one Monday: a whole month's week (60 + 120 minutes) and the
    # year's Mondays (4 x 60) would hold all three, but that Monday holds one monthly minimum
    dates = np.zeros((7, 2), dtype=np.int64)
    dates[0] = [1, 3]
    dates[2] = [1, 1]
    windows = [[(0, 540, 600)], [(0, 540, 600)], [(2, 540, 660)]]
    problem = dataclasses.replace(_problem([0, 1, 2], [0, 0, 0], windows, 3, 1, [3]), dates=dates)
    assert _best_schedulable(problem) == 2
    bound = coverage_bound(problem, time_limit=5)
    assert bound.proven and bound.bound == 2


def test_paper_optimum_over_fills_a_window_the_timed_model_does_not():
    # coach 0 (3 places) is free only Mondays 9-10; coach 1 has one place on Wednesdays, and
    # candidate 2 scores higher with coach 0, so the paper puts all three on Mondays 9-10
    left = [0, 1, 2, 2]
    right = [0, 0, 0, 1]
    windows = [[(0, 540, 600)], [(0, 540, 600)], [(0, 540, 600)], [(2, 540, 660)]]
    weight = [100_000, 100_000, 300_000, 100_000]
    problem = _problem(left, right, windows, 3, 2, [3, 1], weight)
    paper = solve_flow(problem.base)
    assert paper.assigned == 3
    assert list(problem.base.right[paper.chosen]).count(0) == 3  # more than Mondays hold
    assert not _schedulable(problem, paper.chosen.tolist())
    timed = solve_timed(problem, time_limit=5)
    assert timed.assigned == 3
    assert list(problem.base.right[timed.chosen]).count(0) == 2
    assert _schedulable(problem, timed.chosen.tolist())
    assert coverage_bound(problem, time_limit=5).bound == 3


def test_priority_then_continuity_come_first():
    # one Monday hour for two candidates: the priority one gets it even at equal coverage;
    # among two priority candidates, the continuity pair wins
    problem = _problem([0, 1], [0, 0], [[(0, 540, 600)]] * 2, 2, 1, [2])
    problem = problem.__class__(**{**problem.__dict__, "min_total": np.array([240, 240])})
    first = problem.__class__(**{**problem.__dict__, "priority": np.array([False, True])})
    assert solve_timed(first, time_limit=5).chosen.tolist() == [1]
    both = problem.__class__(
        **{
            **problem.__dict__,
            "priority": np.array([True, True]),
            "continuity": np.array([True, False]),
        }
    )
    assert solve_timed(both, time_limit=5).chosen.tolist() == [0]


def test_continuity_bound_counts_what_one_coach_week_holds_together():
    # three year-2 candidates whose last coach is coach 0, free Mondays 9-10 only: each pair
    # fits alone, two fit together; a fourth continuity pair with coach 1 fits too
    left, right = [0, 1, 2, 3], [0, 0, 0, 1]
    windows = [[(0, 540, 600)]] * 3 + [[(2, 540, 600)]]
    problem = dataclasses.replace(
        _problem(left, right, windows, 4, 2, [3, 1]),
        continuity=np.array([True, True, True, True]),
    )
    bound = continuity_bound(problem, time_limit=5)
    assert bound.proven and bound.bound == 3
    kept = solve_timed(problem, time_limit=5).continuity_kept
    assert kept <= bound.bound
    assert continuity_bound(dataclasses.replace(problem, continuity=None)).bound == 0


def test_same_answer_twice():
    problem = _random_problem(random.Random(5))
    a, b = solve_timed(problem, time_limit=5), solve_timed(problem, time_limit=5)
    assert a.chosen.tolist() == b.chosen.tolist()
