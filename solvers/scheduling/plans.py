"""A pair's *plans*: which standing slot(s) it could hold, and what each would give it.

Given a slot's weekday, week mode and length, the best monthly session counts of that pair do
not depend on any other pair (the coach's monthly cap aside, see :mod:`.counts`): take in each
month the fewest sessions that meet the monthly minimum (as far as the dates and the pair's
maximum allow), then add sessions where there is room until the yearly minimum is met. That
greedy is optimal for one length, since every added session is worth the same. So the counts,
the shortfalls, the first session's date and every per-pair objective term of a slot choice are
computed here once, in plain Python, and the CP-SAT model only chooses among plans and places
the slots in the week. This keeps the month dimension out of the search entirely.

A plan's shortfall points start with the short-pair penalty when it misses any minimum
(:func:`short_pair_points`): a pair counts as served only when fully served, since ``plan``
moves every pair with any shortfall, and the penalty outweighs all minutes so the model ranks
weeks by pairs fully served first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import MODES, WEEKLY, Calendar
from .problem import CoachScheduleProblem, PairDemand, ScheduleWeights, TimeWindow

SCALE = 100
"""Objective points are optimised at 1/100 resolution (CP-SAT needs integer coefficients)."""


@dataclass(frozen=True)
class SlotSpec:
    """One standing slot of a plan: weekday, week mode (``calendar.MODES``) and length."""

    weekday: int
    mode: int
    length: int


@dataclass(frozen=True)
class Plan:
    """A way to serve one pair: its slots and their dates used per month.

    ``counts[k][m]`` is how many dates of month ``m`` slot ``k`` uses (0 before the pair's
    first month). ``month_short[m]`` / ``year_short`` are the minutes missing; ``cost`` is the
    plan's whole per-pair objective in scaled integer points.
    """

    slots: tuple[SlotSpec, ...]
    counts: tuple[tuple[int, ...], ...]
    month_short: tuple[int, ...]
    year_short: int
    first_session: dt.date | None
    cost: int
    shortfall_points: int  # the shortfall part of ``cost`` (short-pair penalty included)
    short_pair_points: int = 0  # the short-pair penalty in it (0 when nothing is missed)

    @property
    def shortfall_minutes(self) -> int:
        return sum(self.month_short) + self.year_short


def points(weight: float, amount: float = 1.0) -> int:
    """A weight times an amount, in scaled integer points."""
    return round(weight * amount * SCALE)


def short_pair_points(problem: CoachScheduleProblem, cal: Calendar) -> int:
    """Points of one pair whose plan misses any minimum (``ScheduleWeights.short_pair``).

    Automatic (``None``): one more than the coach's pairs could miss in shortfall points all
    together (every pair with nothing at all), so one pair more fully served always outweighs
    any number of shortfall minutes: the objective ranks *pairs fully served* first.
    """
    wts = problem.weights
    if wts.short_pair is not None:
        return points(wts.short_pair)
    worst = 0
    for pair in problem.pairs:
        if pair.first_month >= cal.n_months:
            continue
        months = cal.n_months - pair.first_month
        worst += points(wts.shortfall_minute, pair.min_minutes_per_month * months)
        worst += points(wts.year_shortfall_minute, pair.min_minutes_total)
    return worst + 1


def spread(n: int, count: int, front: bool) -> list[int]:
    """Indices of ``count`` of ``n`` dates, evenly spread; ``front`` keeps the first date.

    Centred spacing (``front=False``) leaves equal room at both ends of the month, so
    consecutive months do not bunch either; the pair's first month is front-loaded so the
    first session comes as soon as possible after the start.
    """
    if count >= n:
        return list(range(n))
    if front:
        return [i * n // count for i in range(count)]
    return [(2 * i + 1) * n // (2 * count) for i in range(count)]


def _room(n: int, length: int, pmax: int | None) -> int:
    return n if pmax is None else min(n, pmax // length)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _single_counts(pair: PairDemand, cal: Calendar, spec: SlotSpec) -> list[int]:
    """Optimal counts of one slot per month (see the module docstring)."""
    ln = spec.length
    pmax = pair.max_minutes_per_month
    need = pair.min_minutes_per_month
    counts = [0] * cal.n_months
    room = [0] * cal.n_months
    for m in range(pair.first_month, cal.n_months):
        room[m] = _room(cal.count(spec.weekday, m, spec.mode), ln, pmax)
        counts[m] = min(room[m], _ceil_div(need, ln))
    deficit = pair.min_minutes_total - ln * sum(counts)
    while deficit > 0:
        # the month with most spare dates (ties: the earlier) takes one more session
        best, spare = -1, 0
        for m in range(pair.first_month, cal.n_months):
            if room[m] - counts[m] > spare:
                best, spare = m, room[m] - counts[m]
        if best < 0:
            break
        counts[best] += 1
        deficit -= ln
    return counts


def _pair_counts(
    pair: PairDemand, cal: Calendar, specs: tuple[SlotSpec, SlotSpec], wts: ScheduleWeights
) -> list[list[int]]:
    """Counts of two slots (greedy, near-optimal): per month the cheapest pair of counts that
    meets the minimum, then extra sessions of the longer slot first for the year."""
    pmax = pair.max_minutes_per_month
    need = pair.min_minutes_per_month
    a, b = specs
    counts = [[0] * cal.n_months, [0] * cal.n_months]
    rooms = [[0] * cal.n_months, [0] * cal.n_months]
    for m in range(pair.first_month, cal.n_months):
        ra = _room(cal.count(a.weekday, m, a.mode), a.length, pmax)
        rb = _room(cal.count(b.weekday, m, b.mode), b.length, pmax)
        rooms[0][m], rooms[1][m] = ra, rb
        best: tuple[int, int, int, int] | None = None
        for xa in range(ra + 1):
            for xb in range(rb + 1):
                minutes = xa * a.length + xb * b.length
                if pmax is not None and minutes > pmax:
                    continue
                s = max(0, need - minutes)
                key = (
                    points(wts.shortfall_minute, s)
                    + points(wts.session, xa + xb)
                    + points(wts.minute, minutes)
                )
                if best is None or key < best[0]:
                    best = (key, xa, xb, s)
        assert best is not None  # (0, 0) always qualifies
        _, counts[0][m], counts[1][m], _ = best
    deficit = pair.min_minutes_total - sum(
        counts[k][m] * specs[k].length for k in range(2) for m in range(cal.n_months)
    )
    order = sorted(range(2), key=lambda k: -specs[k].length)
    while deficit > 0:
        placed = False
        for k in order:
            ln = specs[k].length
            best_m, spare = -1, 0
            for m in range(pair.first_month, cal.n_months):
                month_minutes = counts[0][m] * a.length + counts[1][m] * b.length
                if pmax is not None and month_minutes + ln > pmax:
                    continue
                if rooms[k][m] - counts[k][m] > spare:
                    best_m, spare = m, rooms[k][m] - counts[k][m]
            if best_m >= 0:
                counts[k][best_m] += 1
                deficit -= ln
                placed = True
                break
        if not placed:
            break
    return counts


def first_session(
    cal: Calendar,
    first_month: int,
    slots: tuple[SlotSpec, ...],
    counts: list[list[int]] | tuple[tuple[int, ...], ...],
) -> dt.date | None:
    """The date of the first session, as the date expansion will place it."""
    for m in range(first_month, cal.n_months):
        firsts = []
        for spec, per_month in zip(slots, counts, strict=True):
            if per_month[m]:
                dates = cal.dates[spec.weekday][m][spec.mode]
                firsts.append(dates[spread(len(dates), per_month[m], m == first_month)[0]])
        if firsts:
            return min(firsts)
    return None


def make_plan(
    problem: CoachScheduleProblem,
    cal: Calendar,
    pair: PairDemand,
    slots: tuple[SlotSpec, ...],
    counts: list[list[int]],
    short_pair: int,
) -> Plan:
    """A plan from its slots and counts, with its shortfalls and its whole per-pair cost;
    ``short_pair`` (:func:`short_pair_points`) is added when it misses any minimum."""
    wts = problem.weights
    short = [0] * cal.n_months
    total = 0
    for m in range(pair.first_month, cal.n_months):
        minutes = sum(c[m] * s.length for s, c in zip(slots, counts, strict=True))
        short[m] = max(0, pair.min_minutes_per_month - minutes)
        total += minutes
    year_short = max(0, pair.min_minutes_total - total)
    sessions = sum(sum(c) for c in counts)
    first = first_session(cal, pair.first_month, slots, counts)
    delay = 366 if first is None else (first - problem.months[pair.first_month].first).days
    penalty = short_pair if sum(short) + year_short > 0 else 0
    shortfall_points = (
        penalty
        + points(wts.shortfall_minute, sum(short))
        + points(wts.year_shortfall_minute, year_short)
    )
    cost = (
        shortfall_points
        + points(wts.session, sessions)
        + points(wts.minute, total)
        + points(wts.start_delay_day, delay)
        + points(wts.late_start_day, max(0, delay - wts.start_deadline_days))
        + points(wts.alternate_week, sum(s.mode != WEEKLY for s in slots))
        + points(wts.extra_slot, max(0, len(slots) - 1))
    )
    return Plan(
        slots=slots,
        counts=tuple(tuple(c) for c in counts),
        month_short=tuple(short),
        year_short=year_short,
        first_session=first,
        cost=cost,
        shortfall_points=shortfall_points,
        short_pair_points=penalty,
    )


def empty_plan(
    problem: CoachScheduleProblem, cal: Calendar, pair: PairDemand, short_pair: int
) -> Plan:
    """The plan of a pair that gets no slot: every minimum missed entirely (and, if it has
    any minimum, the short-pair penalty)."""
    short = [
        pair.min_minutes_per_month if m >= pair.first_month else 0 for m in range(cal.n_months)
    ]
    wts = problem.weights
    penalty = short_pair if sum(short) + pair.min_minutes_total > 0 else 0
    cost = (
        penalty
        + points(wts.shortfall_minute, sum(short))
        + points(wts.year_shortfall_minute, pair.min_minutes_total)
    )
    return Plan((), (), tuple(short), pair.min_minutes_total, None, cost, cost, penalty)


def pair_plans(
    problem: CoachScheduleProblem,
    cal: Calendar,
    pair: PairDemand,
    windows: tuple[TimeWindow, ...],
    short_pair: int,
) -> list[Plan]:
    """Every one-slot plan of the pair, and two-slot plans where one slot cannot meet the
    minimums (weekly slots on two weekdays; only then is the model offered them)."""
    lengths = sorted(problem.session_lengths)
    widest: dict[int, int] = {}
    for w in windows:
        widest[w.weekday] = max(widest.get(w.weekday, 0), w.end - w.start)
    modes = MODES if problem.alternate_weeks else (WEEKLY,)
    singles: list[Plan] = []
    for d in sorted(widest):
        for ln in lengths:
            if ln > widest[d]:
                continue
            for mode in modes:
                spec = SlotSpec(d, mode, ln)
                singles.append(
                    make_plan(
                        problem, cal, pair, (spec,), [_single_counts(pair, cal, spec)], short_pair
                    )
                )
    plans = list(singles)
    if (
        problem.max_slots_per_pair > 1
        and len(widest) > 1
        and singles
        and min(p.shortfall_minutes for p in singles) > 0
    ):
        weekly = [
            SlotSpec(d, WEEKLY, ln) for d in sorted(widest) for ln in lengths if ln <= widest[d]
        ]
        for i, a in enumerate(weekly):
            for b in weekly[i + 1 :]:
                if b.weekday == a.weekday:
                    continue
                counts = _pair_counts(pair, cal, (a, b), problem.weights)
                plans.append(make_plan(problem, cal, pair, (a, b), counts, short_pair))
    return plans
