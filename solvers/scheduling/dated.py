"""A calendar date by date, for a coach whose standing week leaves a pair short.

Why: the standing week gives each pair a weekly slot, and make-ups add one-off sessions around
it; on a crowded coach with narrow windows (before and after school, several sites) that can
still leave a pair short although a calendar exists. The month model of :mod:`.month_fit`
chooses, per month and per block of the week, what each usable date holds (a sequence of
sessions with the travel between sites); when it finds a choice that meets every minimum,
that choice *is* a calendar. The scheduler keeps it only when it leaves fewer pairs short than
the standing week did and breaks no rule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from .calendar import build_calendar, normalise_windows
from .month_fit import FitGroup, dated_sessions
from .problem import DATED, CoachScheduleProblem, Session


def fit_group_of(
    problem: CoachScheduleProblem, month_of: dict[dt.date, int] | None = None
) -> FitGroup | None:
    """The coach's pairs as the month model's group, or ``None`` where pairs differ in their
    monthly minimum or maximum (the group holds one of each)."""
    pairs = problem.pairs
    if not pairs or len({(p.min_minutes_per_month, p.max_minutes_per_month) for p in pairs}) > 1:
        return None
    dates = np.zeros((7, len(problem.months)), dtype=np.int64)
    for day, m in (month_of or month_of_days(problem)).items():
        dates[day.weekday(), m] += 1
    weekdays = tuple(int(d) for d in np.flatnonzero(dates.sum(axis=1) > 0))
    shortest = min(problem.session_lengths)
    travel = problem.travel_minutes
    return FitGroup(
        segments=tuple(normalise_windows(p.windows, shortest, weekdays) for p in pairs),
        travel=tuple(tuple(travel[a.site][b.site] for b in pairs) for a in pairs),
        dates=dates,
        session_lengths=tuple(problem.session_lengths),
        first_month=tuple(p.first_month for p in pairs),
        min_month=pairs[0].min_minutes_per_month,
        max_month=pairs[0].max_minutes_per_month or 0,
        min_total=tuple(p.min_minutes_total for p in pairs),
        coach_cap=-1
        if problem.coach_max_minutes_per_month is None
        else problem.coach_max_minutes_per_month,
    )


def month_of_days(problem: CoachScheduleProblem) -> dict[dt.date, int]:
    """Each coaching day's program month (the calendar's own index, computed once per call)."""
    return dict(zip(problem.days, build_calendar(problem).day_month, strict=True))


def dated_calendar(
    problem: CoachScheduleProblem, *, work_limit: float = 2.0
) -> list[Session] | None:
    """Sessions meeting every pair's minimums, placed date by date, or ``None`` when the month
    model finds none (or cannot list a block's sessions). The dates' sessions are then
    trimmed to every maximum and cap, and beyond what the minimums need (:func:`trim`), so
    the calendar stays lean."""
    month_of = month_of_days(problem)
    group = fit_group_of(problem, month_of)
    if group is None:
        return None
    found = dated_sessions(group, work_limit=work_limit)
    if found is None:
        return None
    days: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day, m in sorted(month_of.items()):
        days[(m, day.weekday())].append(day)
    sessions = []
    for m, weekday, k, i, start, length in found:
        day = days[(m, weekday)][k]
        sessions.append(Session(problem.pairs[i].pair_id, day, start, start + length, DATED))
    return trim(problem, sessions, month_of)


TRIM_WORK = 0.5
"""CP-SAT deterministic seconds for :func:`trim`'s first stage, the fewest minutes owed (its
LP is tight: on the sample's 41 trims it proves the optimum in at most 0.09 s)."""
TRIM_LEAN_WORK = 0.2
"""... and for its second, the fewest minutes booked with that held: a calendar's last few
surplus minutes are not worth more (a subset-sum search that rarely proves its optimum; over
the sample's 41 trims it books 0.2 % more than the weighted objective did with five times this
budget, and 0.3 % less than with a quarter of it)."""


def trim(
    problem: CoachScheduleProblem, sessions: list[Session], month_of: dict[dt.date, int]
) -> list[Session]:
    """The sessions within every pair's monthly maximum and the coach's monthly cap, each
    kept at its length, shortened (same start) or dropped: the fewest minutes owed to the
    monthly and yearly minimums, then (that held) the fewest minutes booked. Two solves, not
    one weighted objective: weighted, the search spent its budget on booked minutes and
    stopped with more owed than the first stage alone proves (sample: 29,580 minutes owed
    over 41 trims against 28,110, in 37 s against 14 s).

    Why exact: the dates may give a pair more in a month than the month model counted, and
    where the coach is over its cap too, *whose* session goes decides whether another month
    over a pair's maximum can still be mended within that pair's yearly slack; a greedy
    spent one pair's slack on the coach's cap and threw away calendars that a choice of
    other sessions kept. Dropping or shortening a session never breaks a rule of the date
    (travel times between sites obey the triangle inequality, and a shorter session leaves
    more room after it), so only minute sums constrain the choice: a small selection model.
    Dropping everything keeps every limit, so there is always an answer; the caller judges
    its shortfalls."""
    if not sessions:
        return []
    model = cp_model.CpModel()
    lengths = sorted(problem.session_lengths)
    unit = math.gcd(*lengths, *(s.minutes for s in sessions))
    kept: list[list[tuple[int, cp_model.IntVar]]] = []
    pair_month: dict[tuple[int, int], list[cp_model.LinearExprT]] = defaultdict(list)
    coach_month: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    for s in sessions:
        options = [(n, model.new_bool_var("")) for n in lengths if n <= s.minutes]
        model.add_at_most_one(v for _, v in options)
        kept.append(options)
        booked = sum(n // unit * v for n, v in options)
        pair_month[s.pair_id, month_of[s.day]].append(booked)
        coach_month[month_of[s.day]].append(booked)
    cap = problem.coach_max_minutes_per_month
    if cap is not None:
        for terms in coach_month.values():
            model.add(sum(terms) <= cap // unit)
    owed: list[cp_model.IntVar] = []
    for pair in problem.pairs:
        year: list[cp_model.LinearExprT] = []
        for m in range(pair.first_month, len(problem.months)):
            terms = pair_month.get((pair.pair_id, m), [])
            year.extend(terms)
            if pair.max_minutes_per_month and terms:
                model.add(sum(terms) <= pair.max_minutes_per_month // unit)
            if pair.min_minutes_per_month > 0:
                owed.append(_owed(model, terms, -(-pair.min_minutes_per_month // unit)))
        if pair.min_minutes_total > 0:
            owed.append(_owed(model, year, -(-pair.min_minutes_total // unit)))
    for s, options in zip(sessions, kept, strict=True):  # start from the dates' own sessions
        for n, v in options:
            model.add_hint(v, n == s.minutes)
    model.minimize(sum(owed))
    first = _solve(model, TRIM_WORK)
    if first is None:
        return []  # not reached: dropping everything is always a solution
    model.add(sum(owed) <= round(first.objective_value))
    model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools
    for options in kept:
        for _, v in options:
            model.add_hint(v, first.boolean_value(v))
    model.minimize(sum(n // unit * v for options in kept for n, v in options))
    solver = _solve(model, TRIM_LEAN_WORK) or first
    out = [
        Session(s.pair_id, s.day, s.start, s.start + n, s.kind)
        for s, options in zip(sessions, kept, strict=True)
        for n, v in options
        if solver.value(v)
    ]
    return sorted(out, key=lambda s: (s.day, s.start, s.pair_id))


def _solve(model: cp_model.CpModel, work_limit: float) -> cp_model.CpSolver | None:
    """One deterministic CP-SAT solve (one worker, seed 0); the solver if it found a solution."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = work_limit
    found = solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver if found else None


def _owed(model: cp_model.CpModel, terms: list[cp_model.LinearExprT], need: int) -> cp_model.IntVar:
    """The units by which ``terms`` fall short of ``need`` (0 where they reach it)."""
    owed = model.new_int_var(0, need, "")
    model.add(owed >= need - sum(terms))
    return owed
