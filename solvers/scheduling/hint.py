"""A greedy standing week: CP-SAT's starting point, and sometimes provably the answer.

CP-SAT's own first solutions of a packing model with a dominant shortfall term can be poor,
and with a small deterministic budget the search then spends its time repairing them. A greedy
week — the least flexible pairs first, each taking the plan and earliest start that add least to
the objective while keeping the week free of overlaps and travel conflicts — is usually already
free of avoidable shortfall and close to the best calendar, so the search starts from there.

The plans it is given are each pair's least-shortfall ones: for a pair that can be served fully
alone, only full plans. A pair that no longer fits is left out whole (it pays the short-pair
penalty once) instead of squeezing the others, which is what the objective wants: the most
pairs fully served first (see :class:`~solvers.scheduling.problem.ScheduleWeights`). Its week
is a feasible solution of the model and its objective is counted as the model counts it, so
the solve may compare it with a lower bound and stop.
"""

from __future__ import annotations

from .calendar import WEEKLY
from .model import Week, grid_starts
from .plans import Plan, points
from .problem import CoachScheduleProblem, TimeWindow

Booked = dict[tuple[int, int], list[tuple[int, int, int, int]]]
"""(weekday, week parity) -> booked (start, end, site, slot id)."""


def _parities(mode: int) -> tuple[int, ...]:
    return (0, 1) if mode == WEEKLY else (mode - 1,)


def _fits(
    booked: Booked, problem: CoachScheduleProblem, key: tuple[int, int], s: int, e: int, site: int
) -> bool:
    """Whether ``[s, e)`` at ``site`` keeps clear of, and travel time from, the booked slots."""
    travel = problem.travel_minutes
    for bs, be, bsite, _ in booked.get(key, ()):
        if s < be and bs < e:
            return False
        if bsite != site:
            if be <= s and s - be < travel[bsite][site]:
                return False
            if e <= bs and bs - e < travel[site][bsite]:
                return False
    return True


def _occupancy(plan: Plan) -> int:
    """Minutes of the standing fortnight the plan's slots hold (an alternate week: half)."""
    return sum(s.length * (2 if s.mode == WEEKLY else 1) for s in plan.slots)


def greedy_week(
    problem: CoachScheduleProblem,
    windows: dict[int, tuple[TimeWindow, ...]],
    plans: dict[int, list[Plan]],
    day_span: int,
) -> tuple[Week, int]:
    """A week for the pairs it could place, and its objective over those pairs (scaled
    points: their plans' costs, weekdays in use, same-weekday travel — as the model counts).

    Pairs go least flexible first (fewest window minutes); each takes the plan whose earliest
    feasible placement adds least to the objective. If that leaves a pair out, a second pass
    prefers plans that hold the least of the week (shorter and alternate-week slots); the
    week placing more pairs, then the cheaper one, is kept.
    """
    best: tuple[Week, int] = ({}, 0)
    best_key: tuple[int, int] | None = None
    for compact in (False, True):
        week, total = _insert_all(problem, windows, plans, day_span, compact)
        key = (len(plans) - len(week), total)
        if best_key is None or key < best_key:
            best, best_key = (week, total), key
        if len(week) == len(plans):
            break
    return best


def _insert_all(
    problem: CoachScheduleProblem,
    windows: dict[int, tuple[TimeWindow, ...]],
    plans: dict[int, list[Plan]],
    day_span: int,
    compact: bool,
) -> tuple[Week, int]:
    """One greedy pass: the week and its objective over the placed pairs."""
    wts = problem.weights
    travel = problem.travel_minutes
    weekday_points = points(wts.weekday)
    booked: Booked = {}
    out: Week = {}
    total = 0
    for pi in sorted(plans, key=lambda i: (sum(w.end - w.start for w in windows[i]), i)):
        site = problem.pairs[pi].site
        choice: tuple[tuple[int, ...], Plan, list[int], int] | None = None
        for plan in plans[pi]:
            starts: list[int] = []
            delta = plan.cost
            for spec in plan.slots:
                parities = _parities(spec.mode)
                start = _earliest(
                    problem, booked, windows[pi], spec.weekday, spec.length, parities, site
                )
                if start is None:
                    break
                starts.append(start)
                if not any(booked.get((spec.weekday, q)) for q in (0, 1)):
                    delta += weekday_points
                meets = {  # slots this one shares a date with, at another site
                    (b[3], b[2]) for q in parities for b in booked.get((spec.weekday, q), ())
                }
                delta += sum(
                    points(wts.travel_minute, (travel[site][o] + travel[o][site]) / 2)
                    for _, o in meets
                    if o != site
                )
            else:
                key = (plan.shortfall_points, _occupancy(plan), delta) if compact else (delta,)
                if choice is None or key < choice[0]:
                    choice = (key, plan, starts, delta)
        if choice is None:
            continue
        _, plan, starts, delta = choice
        total += delta
        for k, (spec, start) in enumerate(zip(plan.slots, starts, strict=True)):
            for q in _parities(spec.mode):
                booked.setdefault((spec.weekday, q), []).append(
                    (start, start + spec.length, site, 2 * pi + k)
                )
        out[pi] = (
            plan,
            tuple(spec.weekday * day_span + s for spec, s in zip(plan.slots, starts, strict=True)),
        )
    return out, total


def _earliest(
    problem: CoachScheduleProblem,
    booked: Booked,
    windows: tuple[TimeWindow, ...],
    weekday: int,
    length: int,
    parities: tuple[int, ...],
    site: int,
) -> int | None:
    """The earliest grid start of a ``length`` slot on ``weekday`` that fits the booked week."""
    for w in windows:
        if w.weekday != weekday:
            continue
        for s in grid_starts(w, length, problem.start_step):
            if all(_fits(booked, problem, (weekday, q), s, s + length, site) for q in parities):
                return s
    return None
