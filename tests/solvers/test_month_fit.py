"""The month model of :mod:`solvers.scheduling.month_fit`: it proves a coach's pairs cannot all meet
their minimums only when no calendar exists (checked against a date-by-date model of sessions
written here), and its cores are real."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solvers.scheduling.month_fit import (
    FitGroup,
    blocks,
    check_group,
    dated_sessions,
    day_patterns,
)
from solvers.scheduling.problem import TimeWindow

MONDAY = 0


def _group(
    windows,
    travel,
    *,
    dates_per_month=4,
    months=10,
    min_month=180,
    total=None,
    max_month=0,
    cap=-1,
    first=None,
    lengths=(60, 90, 120),
):
    n = len(windows)
    dates = np.zeros((7, months), dtype=np.int64)
    dates[MONDAY, :] = dates_per_month
    return FitGroup(
        segments=tuple(tuple(TimeWindow(MONDAY, s, e) for s, e in w) for w in windows),
        travel=tuple(tuple(r) for r in travel),
        dates=dates,
        session_lengths=lengths,
        first_month=tuple(first or [0] * n),
        min_month=min_month,
        max_month=max_month,
        min_total=tuple([min_month * months] * n if total is None else total),
        coach_cap=cap,
    )


def _apart(n, minutes):
    return [[0 if a == b else minutes for b in range(n)] for a in range(n)]


AFTER_SCHOOL = [(870, 1020)]  # 14:30-17:00


def test_three_sites_in_one_afternoon_do_not_fit_but_any_two_do():
    group = _group([AFTER_SCHOOL] * 3, _apart(3, 10))
    verdict = check_group(group)
    assert verdict.fits is False
    assert verdict.core == (0, 1, 2)
    for two in itertools.combinations(range(3), 2):
        assert check_group(group, two).fits is True


def test_one_site_holds_what_three_sites_cannot():
    # no travel: 4 Mondays x 150 minutes = 600 >= 3 x 180, and sessions can be split so
    assert check_group(_group([AFTER_SCHOOL] * 3, _apart(3, 0))).fits is True


def test_a_core_leaves_out_pairs_that_are_not_to_blame():
    windows = [AFTER_SCHOOL] * 3 + [[(480, 720)]]  # the fourth pair meets in the morning
    verdict = check_group(_group(windows, _apart(4, 10)))
    assert verdict.fits is False
    assert verdict.core == (0, 1, 2)


def test_monthly_cap_of_the_coach_counts():
    windows = [[(480, 720)], [(480, 720)]]
    assert check_group(_group(windows, _apart(2, 0), cap=360)).fits is True
    assert check_group(_group(windows, _apart(2, 0), cap=359)).fits is False


def test_late_start_owes_nothing_before_its_month():
    group = _group([AFTER_SCHOOL] * 3, _apart(3, 10), first=[0, 0, 5], total=[1800, 1800, 900])
    assert check_group(group).fits is False  # from month 5 on the three share the Mondays
    early = _group(
        [AFTER_SCHOOL] * 3, _apart(3, 10), months=5, first=[0, 0, 5], total=[900, 900, 0]
    )
    assert check_group(early).fits is True  # the third never runs in a 5-month year


def test_blocks_join_touching_segments_and_split_at_gaps():
    segs = ((TimeWindow(0, 420, 495), TimeWindow(0, 870, 1020)), (TimeWindow(0, 495, 600),))
    got = [(b.weekday, b.start, b.end, b.pairs) for b in blocks(segs)]
    assert got == [(0, 420, 600, (0, 1)), (0, 870, 1020, (0,))]


def test_day_patterns_keep_only_undominated_vectors():
    (block,) = blocks(((TimeWindow(0, 870, 1020),), (TimeWindow(0, 870, 1020),)))
    apart = day_patterns(block, (60, 90, 120), ((0, 10), (10, 0)))
    assert apart == [(0, 150), (60, 60), (150, 0)]


# --- an independent date-by-date model: sessions as optional intervals on every date ----------


def _dated_fits(group: FitGroup) -> bool:
    """Whether a calendar exists, by brute force over sessions on each date (small groups)."""
    m = cp_model.CpModel()
    lengths = group.session_lengths
    n = len(group.segments)
    yearly = [[] for _ in range(n)]
    for month in range(group.n_months):
        per_month = [[] for _ in range(n)]
        month_total = []
        for _day in range(int(group.dates[MONDAY, month])):
            sessions = []
            for i, segs in enumerate(group.segments):
                if group.first_month[i] > month:
                    continue
                room = sum((w.end - w.start) // min(lengths) for w in segs)
                for _ in range(room):  # as many sessions as its segments can hold
                    on = m.new_bool_var("")
                    start = m.new_int_var(0, 24 * 60, "")
                    size = m.new_int_var(0, max(lengths), "")
                    picks = [m.new_bool_var("") for _ in lengths]
                    m.add(sum(picks) == on)
                    m.add(size == sum(ln * b for ln, b in zip(lengths, picks, strict=False)))
                    inside = [m.new_bool_var("") for _ in segs]
                    m.add(sum(inside) == on)
                    for w, b in zip(segs, inside, strict=False):
                        m.add(start >= w.start).only_enforce_if(b)
                        m.add(start + size <= w.end).only_enforce_if(b)
                    sessions.append((i, on, start, size))
                    per_month[i].append(size)
                    month_total.append(size)
            for (i, on_a, s_a, l_a), (j, on_b, s_b, l_b) in itertools.combinations(sessions, 2):
                gap = group.travel[i][j]
                order = m.new_bool_var("")
                m.add(s_a + l_a + gap <= s_b).only_enforce_if([on_a, on_b, order])
                m.add(s_b + l_b + gap <= s_a).only_enforce_if([on_a, on_b, order.Not()])
        for i in range(n):
            if group.first_month[i] <= month:
                got = sum(per_month[i]) if per_month[i] else 0
                m.add(got >= group.min_month)
                if group.max_month:
                    m.add(got <= group.max_month)
                yearly[i].append(got)
        if group.coach_cap >= 0 and month_total:
            m.add(sum(month_total) <= group.coach_cap)
    for i in range(n):
        m.add(sum(yearly[i]) >= group.min_total[i])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(m)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
    return status != cp_model.INFEASIBLE


@pytest.mark.parametrize("seed", range(12))
def test_verdict_agrees_with_a_date_by_date_model(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 4)
    windows = []
    for _ in range(n):
        start = rng.choice([840, 855, 870, 900])
        windows.append([(start, start + rng.choice([60, 90, 120, 150, 180]))])
    travel = [[0] * n for _ in range(n)]
    for a, b in itertools.combinations(range(n), 2):
        travel[a][b] = travel[b][a] = rng.choice([0, 5, 15, 30])
    group = _group(
        windows,
        travel,
        dates_per_month=rng.choice([2, 3]),
        months=2,
        min_month=rng.choice([60, 90, 120]),
        max_month=rng.choice([0, 240]),
        lengths=(60, 90),
    )
    assert check_group(group).fits == _dated_fits(group)


# --- a long day shared by wide and narrow pairs (a bulk block with inner blocks) ---------------

ALL_DAY = [(480, 1020)]  # 08:00-17:00


def _wide_and_narrow(narrow: int, *, apart: int = 10, min_month: int = 120):
    """Two pairs free all Monday beside ``narrow`` pairs free only after school, each at its
    own site: the whole Monday is one block too long to list (bulk)."""
    windows = [ALL_DAY, ALL_DAY] + [AFTER_SCHOOL] * narrow
    return _group(
        windows, _apart(2 + narrow, apart), dates_per_month=2, months=1, min_month=min_month
    )


def test_a_day_with_wide_pairs_is_bulk():
    group = _wide_and_narrow(3)
    (monday,) = blocks(group.segments, 10)
    assert day_patterns(monday, group.session_lengths, group.travel) is None


def test_wide_pairs_do_not_hide_a_crowded_afternoon():
    # the bulk row alone lets the three after-school pairs share 2 x 540 minutes; their own
    # block holds 150 minutes a date at one site, 60 + 60 at two: 360 needed, 300 at most
    group = _wide_and_narrow(3)
    verdict = check_group(group)
    assert verdict.fits is False
    assert verdict.core == (2, 3, 4)
    assert _dated_fits(group) is False
    two = _wide_and_narrow(2)  # 240 needed: 60 + 60 on each date fits
    assert check_group(two).fits is True
    assert _dated_fits(two) is True


def test_a_proof_on_a_long_day_is_never_wrong():
    """With wide pairs the model is a relaxation: it may miss a misfit, never invent one.
    Random after-school pairs beside two all-day ones, some of them proven unable to fit."""
    verdicts = []
    for seed in range(8):
        rng = random.Random(seed)
        windows = [ALL_DAY] * 2
        for _ in range(rng.randint(2, 3)):
            start = rng.choice([840, 870, 900])
            windows.append([(start, start + rng.choice([90, 120, 150]))])
        n = len(windows)
        travel = [[0] * n for _ in range(n)]
        for a, b in itertools.combinations(range(n), 2):
            travel[a][b] = travel[b][a] = rng.choice([0, 10, 20])
        minimum = rng.choice([90, 120, 150])
        group = _group(
            windows, travel, dates_per_month=2, months=1, min_month=minimum, lengths=(60, 90)
        )
        verdict = check_group(group).fits
        if verdict is False:
            assert _dated_fits(group) is False, seed
        verdicts.append(verdict)
    assert True in verdicts and False in verdicts


def test_a_narrow_pair_free_morning_and_afternoon_counts_both_on_a_long_day():
    # two all-day pairs make Monday bulk; without them the narrow pairs' blocks are a morning
    # (pair 2 alone) and an afternoon (pairs 2 and 3). Pair 2 needs 180 minutes in two dates:
    # 60 + 60 in the mornings is not enough, so it meets in the afternoons too. Its share of
    # the day is bounded by both blocks together, never by the afternoon alone.
    windows = [ALL_DAY, ALL_DAY, [(480, 540), (870, 930)], [(930, 1110)]]
    group = _group(
        windows, _apart(4, 10), dates_per_month=2, months=1, min_month=180, lengths=(30, 60)
    )
    (monday,) = blocks(group.segments, 10)
    assert day_patterns(monday, group.session_lengths, group.travel) is None  # bulk
    assert _dated_fits(group) is True
    assert check_group(group).fits is True
    assert dated_sessions(group) is not None


@pytest.mark.parametrize("seed", range(10))
def test_a_proof_with_pairs_free_in_several_parts_of_a_long_day_is_never_wrong(seed):
    """Narrow pairs free in a morning, an afternoon or both, beside all-day pairs: a proof
    the model gives must hold date by date (the model may miss a misfit, never invent one)."""
    rng = random.Random(100 + seed)
    windows = [ALL_DAY] * rng.randint(1, 2)
    for _ in range(rng.randint(2, 3)):
        morning = rng.choice([480, 510]), rng.choice([570, 600])
        afternoon = rng.choice([840, 870]), rng.choice([930, 960, 990])
        windows.append(rng.choice([[morning], [afternoon], [morning, afternoon]]))
    n = len(windows)
    travel = [[0] * n for _ in range(n)]
    for a, b in itertools.combinations(range(n), 2):
        travel[a][b] = travel[b][a] = rng.choice([0, 10, 20])
    group = _group(
        windows,
        travel,
        dates_per_month=2,
        months=1,
        min_month=rng.choice([120, 150, 180]),
        lengths=(30, 60),
    )
    if check_group(group).fits is False:
        assert _dated_fits(group) is False
