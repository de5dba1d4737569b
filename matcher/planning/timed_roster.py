"""A program as a time-aware assignment: each coach's free week is part of its capacity.

Translates eligible pairs, common windows, the calendar and the hour rules into
:class:`solvers.timed_assign.TimedAssignProblem` (see that module for the model and why its
optimum bounds every schedulable roster), and names the *continuity* pairs: a year-2
candidate with its current coach, where that pair is eligible and can meet its hours alone.
"""

from __future__ import annotations

import math

import numpy as np

from matcher.assignment.optimize import build_problem
from matcher.problem import ProgramData
from matcher.rules.pairs import EligiblePairs
from matcher.scheduling.sessions import coaching_days, common_windows, month_spans
from solvers.timed_assign import TimedAssignProblem


def date_counts(program: ProgramData) -> np.ndarray:
    """Usable coaching dates per weekday (rows, 0 = Monday) and program month (columns)."""
    spans = month_spans(program)
    counts = np.zeros((7, len(spans)), dtype=np.int64)
    m = 0
    for day in coaching_days(program):
        while day > spans[m].last:
            m += 1
        counts[day.weekday(), m] += 1
    return counts


def continuity_mask(pairs: EligiblePairs, unfit: set[tuple[int, int]]) -> np.ndarray:
    """Pairs of a year-2 candidate and its current coach that can meet their hours alone."""
    program = pairs.program
    coaches = program.coach_index()
    mask = np.zeros(len(pairs), dtype=bool)
    for p, (k, c) in enumerate(zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True)):
        cand = program.candidates[k]
        if cand.program_year == 2 and coaches.get(cand.current_coach_id) == c:
            mask[p] = (k, c) not in unfit
    return mask


def standing_reserve(
    windows: tuple[tuple[int, int, int], ...],
    dates: np.ndarray,
    first: int,
    lengths: tuple[int, ...],
    min_month: int,
    min_total: int,
) -> int:
    """Minutes of the coach's week a standing slot blocks for this pair over the year.

    The scheduler gives each pair a weekly (or alternate-week) slot: that time is the pair's
    on every date, used or not. So the roster sets aside the least such slot that meets the
    pair's minimums — slot length times the dates it recurs on — rather than the minimum
    alone (90 minutes every week for 40 h a year blocks ~54 h). Where no single slot does,
    a third more than the minimum (a second slot).
    """
    months = dates[:, first:]
    if months.shape[1] == 0 or min_total <= 0:
        return 0
    longest: dict[int, int] = {}
    for d, start, end in windows:
        longest[d] = max(longest.get(d, 0), end - start)
    best = None
    for d, width in longest.items():
        for length in sorted(lengths):
            if length > width:
                break
            for share in (1, 2):  # every week, alternate weeks
                per_month = months[d] // share
                if (length * per_month < min_month).any() or length * per_month.sum() < min_total:
                    continue
                blocked = length * -(-int(months[d].sum()) // share)
                best = blocked if best is None else min(best, blocked)
    return best if best is not None else math.ceil(min_total * 4 / 3)


def timed_problem(
    pairs: EligiblePairs,
    pins: list[tuple[int, int]] = (),
    continuity: np.ndarray | None = None,
) -> TimedAssignProblem:
    """The program's pairs with their common windows, the calendar and the hour rules."""
    program = pairs.program
    coaching = program.policy.coaching
    n_months = len(coaching.months)
    first = np.array([program.first_month_index(k) for k in program.candidates], dtype=np.int64)
    windows = tuple(
        tuple(
            (w.weekday, w.start, w.end)
            for w in common_windows(program.coaches[c], program.candidates[k], program)
        )
        for k, c in zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True)
    )
    pair_first = first[pairs.candidate]
    yearly = coaching.min_hours_per_year * 60
    left = np.maximum(n_months - pair_first, 0)
    min_total = np.array([math.ceil(yearly * n / n_months - 1e-9) for n in left.tolist()])
    caps = np.array(
        [
            -1 if c.max_hours_per_month is None else math.floor(c.max_hours_per_month * 60 + 1e-9)
            for c in program.coaches
        ],
        dtype=np.int64,
    )
    top = coaching.max_pair_hours_per_month
    priority = None
    if program.policy.priority.year2_first:
        priority = np.array([k.program_year == 2 for k in program.candidates], dtype=bool)
    dates = date_counts(program)
    min_month = math.ceil(coaching.min_hours_per_month * 60 - 1e-9)
    lengths = tuple(coaching.session_minutes)
    reserve = np.array(
        [
            standing_reserve(w, dates, int(f), lengths, min_month, int(t))
            for w, f, t in zip(windows, pair_first.tolist(), min_total.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    return TimedAssignProblem(
        **_places(program),
        base=build_problem(pairs, pins),
        windows=windows,
        dates=dates,
        session_lengths=lengths,
        first_month=pair_first,
        min_month=min_month,
        max_month=math.floor(top * 60 + 1e-9) if top else 0,
        min_total=min_total.astype(np.int64),
        coach_cap=caps,
        priority=priority,
        continuity=continuity,
        reserve=reserve,
    )


def _places(program: ProgramData) -> dict:
    """Where each candidate meets, for the travel rule of the relaxation's cuts: its own
    coordinates (NaN without), and an id per named site (one site needs no travel)."""
    xy = np.array(
        [
            (np.nan, np.nan) if k.lat is None or k.lon is None else (k.lat, k.lon)
            for k in program.candidates
        ],
        dtype=float,
    ).reshape(-1, 2)
    ids: dict[tuple[str, str], int] = {}
    site = np.array(
        [
            ids.setdefault((k.district, k.site), len(ids)) if k.site else -1
            for k in program.candidates
        ],
        dtype=np.int64,
    )
    return {
        "place_xy": xy,
        "place_site": site,
        "travel_kmh": float(program.policy.coaching.travel_kmh or 0.0),
    }
