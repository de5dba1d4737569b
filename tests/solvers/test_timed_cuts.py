"""Proven cuts for the time relaxation (``solvers.timed_cuts``): they lower the bound where
whole sessions and travel make a coach's set of pairs impossible, and never below the best
roster that can really be scheduled (brute force in ``test_timed_assign``)."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
from test_timed_assign import _best_schedulable, _random_problem

from solvers.assignment_data import AssignmentProblem
from solvers.timed_assign import TimedAssignProblem, coverage_bound, solve_timed
from solvers.timed_cuts import Verdicts, bound_with_cuts, check_sets, fit_cuts, may_fit

AFTERNOON = ((0, 870, 1020),)  # Mondays 14:30-17:00


def _afternoon(sites: list[int], lat_step: float = 0.1) -> TimedAssignProblem:
    """One coach (four places) and three candidates free only on Monday afternoons, at
    ``sites`` (named-site ids; coordinates ~11 km apart per site, 14 minutes at 50 km/h)."""
    n = len(sites)
    dates = np.zeros((7, 10), dtype=np.int64)
    dates[0, :] = 4
    base = AssignmentProblem(
        n_left=n,
        n_right=1,
        left=np.arange(n, dtype=np.int64),
        right=np.zeros(n, dtype=np.int64),
        weight=np.full(n, 100_000, dtype=np.int64),
        capacity=np.array([4], dtype=np.int64),
    )
    return TimedAssignProblem(
        base=base,
        windows=(AFTERNOON,) * n,
        dates=dates,
        session_lengths=(60, 90, 120),
        first_month=np.zeros(n, dtype=np.int64),
        min_month=180,
        max_month=0,
        min_total=np.full(n, 1800, dtype=np.int64),
        coach_cap=np.array([-1], dtype=np.int64),
        place_xy=np.array([(34.0 + lat_step * s, -118.0) for s in sites]),
        place_site=np.array(sites, dtype=np.int64),
        travel_kmh=50.0,
    )


def test_three_sites_sharing_an_afternoon_lower_the_bound_by_one():
    problem = _afternoon([0, 1, 2])
    assert coverage_bound(problem).bound == 3  # the minutes alone fit: 600 >= 540
    tightened = bound_with_cuts(problem)
    assert tightened.bound.bound == 2 and tightened.bound.proven
    assert tightened.problem.cuts == (((0, 1, 2), 2),)
    # the roster solve keeps the cut too
    assert solve_timed(tightened.problem).assigned == 2


def test_one_site_needs_no_cut():
    problem = _afternoon([0, 0, 0])
    assert fit_cuts(problem, np.arange(3)) == []
    assert bound_with_cuts(problem).bound.bound == 3


def test_without_travel_speed_sites_cost_nothing():
    problem = dataclasses.replace(_afternoon([0, 1, 2]), travel_kmh=0.0)
    assert bound_with_cuts(problem).bound.bound == 3


def test_cut_bound_is_never_below_the_best_schedulable_roster():
    rng = random.Random(5)
    for _ in range(30):
        problem = _random_problem(rng)
        best = _best_schedulable(problem)
        plain = coverage_bound(problem, time_limit=5).bound
        assert best <= bound_with_cuts(problem, time_limit=5).bound.bound <= plain


def test_may_fit_says_no_only_with_a_proof():
    problem = _afternoon([0, 1, 2])
    assert may_fit(problem, [0, 1, 2]) is False
    assert may_fit(problem, [0, 1]) is True
    assert may_fit(_afternoon([0, 0, 0]), [0, 1, 2]) is True


def test_a_core_is_lifted_to_every_pair_confined_with_it():
    # four candidates at four sites share the afternoon: whichever three a roster takes
    # cannot meet, so one lifted row holds at most two of all four
    problem = _afternoon([0, 1, 2, 3])
    tightened = bound_with_cuts(problem)
    assert tightened.bound.bound == 2
    assert ((0, 1, 2, 3), 2) in tightened.problem.cuts
    assert len(tightened.passes) == 2  # one pass of cuts, then the bound holds


def test_a_known_cut_refutes_every_set_that_breaks_it_without_a_solve(monkeypatch):
    import solvers.timed_cuts as timed_cuts

    problem = _afternoon([0, 1, 2, 3])
    known = Verdicts()
    bound_with_cuts(problem, known=known)  # the lifted row: at most two of all four
    assert known.refutes(0, (0, 1, 3)) and known.refutes(0, (1, 2, 3))
    assert not known.refutes(0, (0, 3)) and not known.refutes(1, (0, 1, 3))

    def no_solve(*args, **kwargs):
        raise AssertionError("a refuted set was solved")

    monkeypatch.setattr(timed_cuts, "check_group", no_solve)
    assert (0, (0, 1, 3)) not in known  # never checked ...
    assert may_fit(problem, [0, 1, 3], known=known) is False  # ... yet refuted
    assert (0, (0, 1, 3)) not in known


def test_sets_checked_together_get_may_fit_verdicts_one_by_one():
    problem = _afternoon([0, 1, 2, 3])
    groups = [[0, 1, 2], [0, 1], [3, 2, 1], [0, 3], [0, 1]]
    together = Verdicts()
    check_sets(problem, groups, known=together, workers=2)
    alone = Verdicts()
    answers = [may_fit(problem, group, known=alone) for group in groups]
    assert together.by_set == alone.by_set
    assert answers == [False, True, False, True, True]
    assert [may_fit(problem, group, known=together) for group in groups] == answers


def _two_coaches() -> TimedAssignProblem:
    """Two coaches, each with its own three afternoon candidates at three sites."""
    one = _afternoon([0, 1, 2, 3, 4, 5])
    base = dataclasses.replace(
        one.base,
        n_right=2,
        right=np.array([0, 0, 0, 1, 1, 1], dtype=np.int64),
        capacity=np.array([3, 3], dtype=np.int64),
    )
    return dataclasses.replace(one, base=base, coach_cap=np.array([-1, -1], dtype=np.int64))


def test_same_cuts_whatever_the_number_of_workers():
    rng = random.Random(3)
    problems = [_two_coaches()] + [_random_problem(rng) for _ in range(3)]
    assert bound_with_cuts(problems[0]).bound.bound == 4  # two of each coach's three
    for problem in problems:
        one = bound_with_cuts(problem, workers=1)
        two = bound_with_cuts(problem, workers=2)
        assert one.problem.cuts == two.problem.cuts
        assert one.bound.bound == two.bound.bound
