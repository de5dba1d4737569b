"""Solve one coach's calendar: plans, standing week, counts, dates, explanations."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from .calendar import WEEKLY, Calendar, alone_month_capacity, build_calendar, normalise_windows
from .counts import capped_plans, fits_cap
from .dated import dated_calendar
from .hint import greedy_week
from .makeup import add_makeups
from .model import Week, add_hint, build_model, solution_week, week_day_span, week_points
from .plans import SCALE, Plan, empty_plan, pair_plans, short_pair_points, spread
from .plans import points as points_of
from .problem import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    DATED,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    PAIR_MAX_BELOW_MIN,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
    CoachScheduleProblem,
    CoachScheduleResult,
    PairDemand,
    Session,
    Shortfall,
    StandingSlot,
    TimeWindow,
)

DEFAULT_WORK_BASE = 0.05
DEFAULT_WORK_PER_PAIR = 0.01
"""Default budget of the final phase: ``base + per_pair * pairs`` CP-SAT deterministic
seconds (each about 2-3 CPU seconds on this project's shared 2-core test machine)."""
DATED_WORK_LIMIT = 2.0
"""CP-SAT deterministic seconds for the date-by-date calendar, tried where the standing week
leaves a pair short (see :mod:`.dated`)."""
PHASE1_FACTOR = 2.0
"""The room-for-everyone phase, run only when the greedy week leaves a pair out, may use this
many times the final phase's budget; it stops as soon as every pair fits."""


def default_work_limit(n_pairs: int) -> float:
    """CP-SAT deterministic time of the final phase for a coach with ``n_pairs`` pairs."""
    return DEFAULT_WORK_BASE + DEFAULT_WORK_PER_PAIR * n_pairs


@dataclass(frozen=True)
class _Prepared:
    """Per-pair data computed before any search."""

    cal: Calendar
    windows: dict[int, tuple[TimeWindow, ...]]  # pair index -> normalised windows
    plans: dict[int, list[Plan]]  # pair index -> plans worth more than nothing
    empty: dict[int, Plan]  # pair index -> the no-slot plan
    alone: dict[int, Plan]  # pair index -> best plan with the coach to itself


def _prepare(problem: CoachScheduleProblem) -> _Prepared:
    cal = build_calendar(problem)
    shortest = min(problem.session_lengths)
    short_pair = short_pair_points(problem, cal)
    windows: dict[int, tuple[TimeWindow, ...]] = {}
    plans: dict[int, list[Plan]] = {}
    empty: dict[int, Plan] = {}
    alone: dict[int, Plan] = {}
    for pi, pair in enumerate(problem.pairs):
        windows[pi] = normalise_windows(pair.windows, shortest, cal.weekdays)
        if pair.first_month >= cal.n_months:
            continue
        empty[pi] = empty_plan(problem, cal, pair, short_pair)
        good = [
            p
            for p in pair_plans(problem, cal, pair, windows[pi], short_pair)
            if p.cost < empty[pi].cost
        ]
        if good:
            plans[pi] = good
        alone[pi] = min([*good, empty[pi]], key=lambda p: p.cost)
    return _Prepared(cal, windows, plans, empty, alone)


def solve_coach_schedule(
    problem: CoachScheduleProblem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    work_limit: float | None = None,
    makeup: bool = True,
    dated: bool = True,
) -> CoachScheduleResult:
    """Schedule one coach's year; see the package docstring for the method.

    ``makeup``: after the standing week, add make-up sessions on real dates where a pair
    still misses a minimum (:mod:`.makeup`); ``False`` keeps the standing week alone.
    ``dated`` (with ``makeup``): where a pair is still short, try a calendar set date by date
    (:mod:`.dated`) and keep it if it leaves fewer pairs short.

    ``work_limit`` bounds CP-SAT's *deterministic* time in the final phase (default grows
    with the number of pairs, see :func:`default_work_limit`; the room-finding phase, when
    needed, may take ``PHASE1_FACTOR`` times more), so the same problem and ``seed`` give the
    same calendar on any machine and CPU count. ``time_limit`` (wall seconds, per CP-SAT
    call) is only a safety net that could cut a run short on a badly overloaded machine.
    """
    t0 = time.perf_counter()
    problem.validate()
    prep = _prepare(problem)
    run = _MakeupRun(seed, time_limit, dated) if makeup else None
    if work_limit is None:
        work_limit = default_work_limit(len(problem.pairs))
    budget = _Budget(seed, time_limit, work_limit)
    empty_points = sum(p.cost for p in prep.empty.values())
    if not prep.plans:
        # Nothing can be booked: the empty calendar is the only one, hence optimal.
        points = empty_points / SCALE
        return _finish(problem, prep, "optimal", {}, {}, points, points, t0, {}, run)
    lean, week = _greedy_phase(problem, prep)
    stats: dict[str, float] = {"greedy_placed": float(len(week)), "phases": 0.0}
    floor = _floor(problem, prep, empty_points)
    if _greedy_is_optimal(problem, prep, lean, week, floor):
        objective = week_points(problem, prep.empty, week) / SCALE
        return _finish(
            problem, prep, "optimal", _plans(week), week, objective, objective, t0, stats, run
        )
    room = _Room(week, lean, None, True, 0.0)
    if len(week) < len(lean):
        room = _room_phase(problem, prep, week, budget, stats)
    return _calendar_phase(problem, prep, room, floor, budget, stats, t0, run)


@dataclass(frozen=True)
class _Budget:
    """The solve's seed and limits, kept together since every CP-SAT phase needs all three."""

    seed: int
    time_limit: float
    work_limit: float


@dataclass(frozen=True)
class _Room:
    """What the final phase starts from: its hint, its plans and how far the minimums are known.

    ``shortfall_cap`` is ``None`` when the greedy week already placed every pair (no cap
    needed); ``settled`` is ``False`` when the room-finding phase stopped before proving its
    shortfall least, so the final calendar cannot be called optimal either.
    """

    week: Week
    plans: dict[int, list[Plan]]
    shortfall_cap: int | None
    settled: bool
    spent: float  # deterministic seconds already used by the room-finding phase


def _greedy_phase(
    problem: CoachScheduleProblem, prep: _Prepared
) -> tuple[dict[int, list[Plan]], Week]:
    """Phase 0: each pair's least-shortfall plans, and a greedy week over them.

    Minimums come first (pairs fully served, then minutes: both are in ``shortfall_points``):
    no pair can miss less than it misses alone, so when every pair gets a plan of its least
    shortfall the minimums are settled and only those plans matter. The greedy week is often
    already optimal, and otherwise the hint for CP-SAT.
    """
    lean = _within(prep, 0)
    week, _ = greedy_week(problem, prep.windows, lean, week_day_span(problem))
    return lean, week


def _floor(problem: CoachScheduleProblem, prep: _Prepared, empty_points: int) -> int:
    """A lower bound on any calendar's points, to prove a greedy week optimal without CP-SAT.

    Any calendar books at least one weekday, so no calendar beats every pair's best plan
    plus one weekday (or the empty calendar).
    """
    return min(
        empty_points,
        sum(p.cost for p in prep.alone.values()) + points_of(problem.weights.weekday),
    )


def _greedy_is_optimal(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    lean: dict[int, list[Plan]],
    week: Week,
    floor: int,
) -> bool:
    """Whether the greedy week places every pair, reaches the floor and fits the monthly cap.

    Then no search can do better, and CP-SAT is skipped (most small coaches end here).
    """
    return (
        len(week) == len(lean)
        and week_points(problem, prep.empty, week) <= floor
        and fits_cap(problem, prep.cal, _plans(week))
    )


def _room_phase(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    week: Week,
    budget: _Budget,
    stats: dict[str, float],
) -> _Room:
    """Phase 1: the fewest short pairs, then the least total shortfall, the week allows.

    Run only when the greedy week leaves a pair out. It is a packing problem, which CP-SAT
    solves fast without the calendar terms, started from the greedy week. A plan can only be
    part of a better week if its extra shortfall (penalty included) fits in the greedy's
    excess, so only those plans enter the model.
    """
    least = sum(p.shortfall_points for p in prep.alone.values())
    found = _shortfall_points(prep, week)
    tm1 = build_model(
        problem,
        prep.cal,
        prep.windows,
        _within(prep, found - least),
        prep.empty,
        shortfall_only=True,
    )
    add_hint(tm1, week)
    solver1 = _solver(budget.seed, budget.time_limit, PHASE1_FACTOR * budget.work_limit)
    status1 = solver1.solve(tm1.model)
    stats["phases"] = 1.0
    if status1 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        week = solution_week(tm1, solver1)
        found = round(solver1.objective_value)
    settled = status1 == cp_model.OPTIMAL
    return _Room(week, _within(prep, found - least), found, settled, solver1.deterministic_time)


def _calendar_phase(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    room: _Room,
    floor: int,
    budget: _Budget,
    stats: dict[str, float],
    t0: float,
    run: _MakeupRun | None,
) -> CoachScheduleResult:
    """Phase 2: the best calendar at the settled shortfall, from the phase before.

    The objective is counted from the week itself, since a non-optimal solution may carry
    slack in helper literals; when the coach's monthly cap binds, stage 2 re-chooses counts.
    """
    tm = build_model(
        problem,
        prep.cal,
        prep.windows,
        room.plans,
        prep.empty,
        max_shortfall_points=room.shortfall_cap,
    )
    add_hint(tm, room.week)
    solver = _solver(budget.seed, budget.time_limit, budget.work_limit)
    status = solver.solve(tm.model)
    stats["phases"] += 1.0
    if status == cp_model.INFEASIBLE:  # never expected: choosing no plan is feasible
        return _finish(problem, prep, "infeasible", {}, {}, 0.0, 0.0, t0, stats, run)
    week = room.week
    bound: float = floor  # the wall-clock safety net fired before any solution: the hint
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        week = solution_week(tm, solver)
        bound = solver.best_objective_bound
    chosen = _plans(week)
    final, capped = _capped(problem, prep, chosen, budget)
    objective = _final_points(problem, prep, week, chosen, final)
    stats.update(
        deterministic_time=room.spent + solver.deterministic_time,
        branches=float(solver.num_branches),
        conflicts=float(solver.num_conflicts),
        slots=float(len(tm.slots)),
        plans=float(sum(len(v) for v in room.plans.values())),
    )
    proven = status == cp_model.OPTIMAL and room.settled and not capped
    status_word = "optimal" if proven else "feasible"
    return _finish(
        problem, prep, status_word, final, week, objective / SCALE, bound / SCALE, t0, stats, run
    )


def _capped(
    problem: CoachScheduleProblem, prep: _Prepared, chosen: dict[int, Plan], budget: _Budget
) -> tuple[dict[int, Plan], bool]:
    """The week's plans within the coach's monthly cap, and whether the cap changed them.

    Stage 2: when the cap binds, this week's lengths and counts are re-chosen; the week was
    chosen without the cap, so the result is best per stage, not jointly (never "optimal").
    """
    if fits_cap(problem, prep.cal, chosen):
        return chosen, False
    final, _ = capped_plans(
        problem,
        prep.cal,
        chosen,
        seed=budget.seed,
        work_limit=budget.work_limit,
        time_limit=budget.time_limit,
    )
    return final, True


def _final_points(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    week: Week,
    chosen: dict[int, Plan],
    final: dict[int, Plan],
) -> int:
    """The week's points with the capped plans' costs in place of the chosen plans' costs.

    The calendar terms (weekdays, travel, ...) stay those of the week; only the per-pair
    plan costs change when stage 2 re-chose counts.
    """
    calendar_points = week_points(problem, prep.empty, week) - sum(
        chosen[pi].cost if pi in chosen else prep.empty[pi].cost for pi in prep.empty
    )
    return calendar_points + sum(
        final[pi].cost if pi in final else prep.empty[pi].cost for pi in prep.empty
    )


@dataclass(frozen=True)
class _MakeupRun:
    """The make-up pass is on, with the solve's seed and wall-clock safety net."""

    seed: int
    time_limit: float
    dated: bool = True  # then try the date-by-date calendar where a pair is still short


def _plans(week: Week) -> dict[int, Plan]:
    return {pi: plan for pi, (plan, _) in week.items()}


def _within(prep: _Prepared, slack: int) -> dict[int, list[Plan]]:
    """Per pair, the plans whose shortfall exceeds its least by at most ``slack`` points."""
    out = {}
    for pi, plans in prep.plans.items():
        limit = prep.alone[pi].shortfall_points + slack
        out[pi] = [p for p in plans if p.shortfall_points <= limit]
    return {pi: v for pi, v in out.items() if v}


def _shortfall_points(prep: _Prepared, week: Week) -> int:
    """Total shortfall points of a week (pairs without a slot miss everything)."""
    return sum(
        week[pi][0].shortfall_points if pi in week else empty.shortfall_points
        for pi, empty in prep.empty.items()
    )


def _solver(seed: int, time_limit: float, work_limit: float) -> cp_model.CpSolver:
    """A deterministic single-worker CP-SAT solver, tuned for many small models.

    Probing, symmetry detection and the LP relaxation cost more than they return on these
    models (measured: about 40% less CPU per coach at equal or better objectives), since the
    hint already carries a good week and the bound is rarely closed on large coaches anyway.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.cp_model_probing_level = 0
    params.symmetry_level = 0
    params.linearization_level = 0
    params.random_seed = seed
    params.max_time_in_seconds = time_limit
    params.max_deterministic_time = work_limit
    return solver


def expand(
    problem: CoachScheduleProblem,
    cal: Calendar,
    plans: dict[int, Plan],
    slots: dict[int, tuple[StandingSlot, ...]],
) -> list[Session]:
    """Turn standing slots and monthly counts into dated sessions.

    Any subset of a slot's dates is valid: the standing week is overlap- and travel-free on
    every date two slots can share, so dates are chosen for spread alone. Slots that use the
    same number of dates of one weekday pick the same dates, which keeps travel days few.
    """
    sessions: list[Session] = []
    for pi, plan in plans.items():
        first = problem.pairs[pi].first_month
        for slot, per_month in zip(slots[pi], plan.counts, strict=True):
            mode = WEEKLY if slot.parity is None else 1 + slot.parity
            for m, count in enumerate(per_month):
                if not count:
                    continue
                dates = cal.dates[slot.weekday][m][mode]
                for i in spread(len(dates), count, front=m == first):
                    sessions.append(Session(slot.pair_id, dates[i], slot.start, slot.end))
    sessions.sort(key=lambda s: (s.day, s.start, s.pair_id))
    return sessions


def _dated_instead(
    problem: CoachScheduleProblem, prep: _Prepared, current: tuple[Any, ...], run: _MakeupRun
) -> tuple[Any, ...]:
    """The date-by-date calendar (:mod:`.dated`) in place of the standing week's, where it
    leaves fewer pairs short and breaks no rule; else the standing week's, unchanged.

    Where the dates' sessions still miss some minutes (a long day's minutes that the
    greedy of :mod:`.bulk_days` could not place), make-ups fill them in the time left free,
    as they do for the standing week."""
    _sessions, shortfalls, _slots, stats = current
    dated = dated_calendar(problem, work_limit=DATED_WORK_LIMIT)
    if dated is None or find_violations(problem, dated):
        return current
    dated_short = _shortfalls(problem, prep, dated, {}, True)
    if dated_short:
        made = add_makeups(problem, prep.cal, dated, seed=run.seed, time_limit=run.time_limit)
        dated = list(made.sessions)
        dated_short = _shortfalls(problem, prep, dated, {}, True)
    if len({s.pair_id for s in dated_short}) >= len({s.pair_id for s in shortfalls}):
        return current
    dated_count = sum(s.kind == DATED for s in dated)  # make-ups are counted by their own kinds
    return dated, dated_short, {}, {**stats, "dated_sessions": float(dated_count)}


def find_violations(problem: CoachScheduleProblem, sessions: list[Session]) -> list[str]:
    """Every hard rule a list of sessions breaks, one readable line each (empty = valid).

    The rules: coaching days only; an allowed length; inside one window of the pair on that
    weekday; not before the pair's first month; no overlap; travel gaps between sessions at
    different sites on one day (every two, not only consecutive ones); the pair's monthly
    maximum; the coach's monthly cap.
    """
    cal = build_calendar(problem)
    month_of = dict(zip(problem.days, cal.day_month, strict=True))
    pairs = {p.pair_id: p for p in problem.pairs}
    out: list[str] = []
    per_pair_month: dict[tuple[int, int], int] = defaultdict(int)
    per_month: dict[int, int] = defaultdict(int)
    by_day: dict[dt.date, list[Session]] = defaultdict(list)
    for s in sessions:
        p = pairs.get(s.pair_id)
        if p is None:
            out.append(f"{s}: unknown pair")
            continue
        m = month_of.get(s.day)
        if m is None:
            out.append(f"{s}: not a coaching day")
            continue
        if s.minutes not in problem.session_lengths:
            out.append(f"{s}: length {s.minutes} not allowed")
        if not any(
            w.weekday == s.day.weekday() and w.start <= s.start and s.end <= w.end
            for w in normalise_windows(p.windows, 1, tuple(range(7)))
        ):
            out.append(f"{s}: outside the pair's windows")
        if m < p.first_month:
            out.append(f"{s}: before the pair's first month")
        per_pair_month[s.pair_id, m] += s.minutes
        per_month[m] += s.minutes
        by_day[s.day].append(s)
    for day_sessions in by_day.values():
        ordered = sorted(day_sessions, key=lambda s: (s.start, s.end))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if b.start < a.end:
                    out.append(f"{a} and {b} overlap")
                    continue
                sa, sb = pairs[a.pair_id].site, pairs[b.pair_id].site
                if sa != sb and b.start - a.end < problem.travel_minutes[sa][sb]:
                    out.append(f"{a} and {b}: gap below travel time")
    for (pid, m), minutes in per_pair_month.items():
        cap = pairs[pid].max_minutes_per_month
        if cap is not None and minutes > cap:
            out.append(f"pair {pid} month {m}: {minutes} min above its maximum {cap}")
    cap = problem.coach_max_minutes_per_month
    if cap is not None:
        out.extend(
            f"month {m}: coach booked {v} min above the cap {cap}"
            for m, v in per_month.items()
            if v > cap
        )
    return out


def _finish(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    status: str,
    plans: dict[int, Plan],
    week: Week,
    objective: float,
    bound: float,
    t0: float,
    stats: dict[str, float],
    makeup: _MakeupRun | None,
) -> CoachScheduleResult:
    """Dates, make-ups, a self-check, shortfall causes and metrics, packaged as the result.

    ``plans`` holds each placed pair's plan (counts may differ from ``week``'s after the
    coach's cap); ``week`` holds where the slots sit on the week timeline. ``status``,
    ``objective`` and ``bound`` stay the standing week's; the make-up pass only adds
    sessions (its figures go to ``stats``), so it never adds to a shortfall.
    """
    day_span = week_day_span(problem)
    slots: dict[int, tuple[StandingSlot, ...]] = {}
    for pi, plan in plans.items():
        pair_slots = []
        for k, spec in enumerate(plan.slots):
            weekday, minute = divmod(week[pi][1][k], day_span)
            if weekday != spec.weekday:
                raise AssertionError("slot placed off its plan's weekday")
            parity = None if spec.mode == WEEKLY else spec.mode - 1
            pid = problem.pairs[pi].pair_id
            pair_slots.append(StandingSlot(pid, weekday, minute, minute + spec.length, parity))
        slots[pi] = tuple(pair_slots)
    sessions = expand(problem, prep.cal, plans, slots)
    if makeup is not None:
        made = add_makeups(
            problem, prep.cal, sessions, seed=makeup.seed, time_limit=makeup.time_limit
        )
        sessions = list(made.sessions)
        stats = {
            **stats,
            **made.stats,
            "makeup_sessions": float(made.added),
            "makeup_lengthened": float(made.lengthened),
            "makeup_minutes": float(made.minutes),
        }
    violations = find_violations(problem, sessions)
    if violations:  # a bug in the model or the expansion, never a property of the data
        raise AssertionError("scheduler broke hard rules:\n" + "\n".join(violations[:20]))
    shortfalls = _shortfalls(problem, prep, sessions, slots, makeup is not None)
    if shortfalls and makeup is not None and makeup.dated:
        sessions, shortfalls, slots, stats = _dated_instead(
            problem, prep, (sessions, shortfalls, slots, stats), makeup
        )
    travel_days, travel_minutes = _travel_metrics(problem, sessions)
    return CoachScheduleResult(
        status=status,
        sessions=tuple(sessions),
        shortfalls=tuple(shortfalls),
        objective=objective,
        bound=min(bound, objective),
        solve_seconds=time.perf_counter() - t0,
        slots=tuple(s for pi in sorted(slots) for s in slots[pi]),
        travel_days=travel_days,
        travel_minutes=travel_minutes,
        stats=stats,
    )


def _travel_metrics(problem: CoachScheduleProblem, sessions: list[Session]) -> tuple[int, int]:
    """Dates with sessions, and minutes of travel between consecutive sessions on a date."""
    site = {p.pair_id: p.site for p in problem.pairs}
    by_day: dict[dt.date, list[Session]] = defaultdict(list)
    for s in sessions:
        by_day[s.day].append(s)
    minutes = 0
    for day_sessions in by_day.values():
        ordered = sorted(day_sessions, key=lambda s: s.start)
        for a, b in itertools.pairwise(ordered):
            minutes += problem.travel_minutes[site[a.pair_id]][site[b.pair_id]]
    return len(by_day), minutes


def _crowded_months(
    problem: CoachScheduleProblem,
    month_of: dict[dt.date, int],
    windows: tuple[TimeWindow, ...],
    pair: PairDemand,
    sessions: list[Session],
) -> set[int]:
    """Months in which another pair's session (with the travel time around it) reaches into
    one of ``pair``'s windows on a coaching date of the pair's months."""
    sites = {p.pair_id: p.site for p in problem.pairs}
    by_weekday: dict[int, list[TimeWindow]] = defaultdict(list)
    for w in windows:
        by_weekday[w.weekday].append(w)
    out: set[int] = set()
    for s in sessions:
        m = month_of[s.day]
        if s.pair_id == pair.pair_id or m < pair.first_month or m in out:
            continue
        other = sites[s.pair_id]
        before = problem.travel_minutes[pair.site][other] if other != pair.site else 0
        after = problem.travel_minutes[other][pair.site] if other != pair.site else 0
        if any(
            s.start - before < w.end and w.start < s.end + after
            for w in by_weekday.get(s.day.weekday(), ())
        ):
            out.add(m)
    return out


def _shortfalls(
    problem: CoachScheduleProblem,
    prep: _Prepared,
    sessions: list[Session],
    slots: dict[int, tuple[StandingSlot, ...]],
    irregular: bool = False,
) -> list[Shortfall]:
    """Every unmet minimum with its cause; causes are tested most fundamental first.

    ``slots``: each placed pair's (index) standing slots, to tell whether its slots had a
    date left in a month (only then can the coach's cap be what held it back).
    ``irregular``: the make-up pass ran, so sessions were not bound to the standing slots:
    any free time in the pair's windows could have taken one, and a shortfall the windows
    alone would meet is the coach's cap's or, where other pairs' sessions sit in its windows
    (travel included) that month, the other pairs' doing; only where none do is it put down
    to the slots (the make-up pass's start grid or budget)."""
    cal = prep.cal
    month_of = dict(zip(problem.days, cal.day_month, strict=True))
    booked = _Booked.of(sessions, month_of)
    lengths = tuple(sorted(problem.session_lengths))
    out: list[Shortfall] = []
    for pi, p in enumerate(problem.pairs):
        if p.first_month >= cal.n_months:
            continue
        months = range(p.first_month, cal.n_months)
        short_months = [m for m in months if booked.got[p.pair_id, m] < p.min_minutes_per_month]
        year_got = sum(booked.got[p.pair_id, m] for m in months)
        if not short_months and year_got >= p.min_minutes_total:
            continue
        crowded = (
            _crowded_months(problem, month_of, prep.windows[pi], p, sessions)
            if irregular
            else set()
        )
        pair = _PairShort.of(
            problem, prep, pi, booked, lengths, short_months, year_got, slots, irregular, crowded
        )
        capacity = _PairCapacity.of(cal, p, prep.windows[pi], lengths)
        out.extend(_monthly_shortfalls(pair, capacity, short_months))
        if year_got < p.min_minutes_total:
            out.append(_yearly_shortfall(pair, capacity, months, year_got))
    return out


@dataclass(frozen=True)
class _Booked:
    """What the sessions booked, per month: the minutes each pair got and on how many
    dates, and the coach's minutes (the shortfalls' figures and the cap test read these)."""

    got: defaultdict[tuple[int, int], int]  # (pair id, month) -> minutes
    dates: defaultdict[tuple[int, int], int]  # (pair id, month) -> sessions
    coach_month: defaultdict[int, int]  # month -> the coach's minutes

    @classmethod
    def of(cls, sessions: list[Session], month_of: dict[dt.date, int]) -> _Booked:
        """Sum ``sessions`` by pair and month and by month."""
        booked = cls(defaultdict(int), defaultdict(int), defaultdict(int))
        for s in sessions:
            m = month_of[s.day]
            booked.got[s.pair_id, m] += s.minutes
            booked.dates[s.pair_id, m] += 1
            booked.coach_month[m] += s.minutes
        return booked


@dataclass(frozen=True)
class _PairCapacity:
    """Per month of one pair, the minutes its windows could hold with the coach to itself
    (on usable coaching dates, and on every date of its weekdays) and how many dates each
    counts: the shortfall's evidence, and what tells the calendar's limits from the rest."""

    nominal_windows: tuple[TimeWindow, ...]
    alone: dict[int, int]
    nominal: dict[int, int]
    usable_days: dict[int, int]
    nominal_days: dict[int, int]

    @classmethod
    def of(
        cls,
        cal: Calendar,
        p: PairDemand,
        windows: tuple[TimeWindow, ...],
        lengths: tuple[int, ...],
    ) -> _PairCapacity:
        """The capacities of ``p`` (normalised ``windows``) in each of its months."""
        # nominal: every weekday the pair has a window on, whether or not it has coaching days
        nominal_windows = normalise_windows(p.windows, lengths[0], tuple(range(7)))
        weekdays = {w.weekday for w in nominal_windows}
        capacity = cls(nominal_windows, {}, {}, {}, {})
        for m in range(p.first_month, cal.n_months):
            usable = {d: cal.count(d, m, WEEKLY) for d in weekdays}
            full = {d: cal.nominal_dates[d][m] for d in weekdays}
            pmax = p.max_minutes_per_month
            capacity.alone[m] = alone_month_capacity(windows, lengths, usable, pmax)
            capacity.nominal[m] = alone_month_capacity(nominal_windows, lengths, full, pmax)
            capacity.usable_days[m] = sum(usable.values())
            capacity.nominal_days[m] = sum(full.values())
        return capacity


@dataclass(frozen=True)
class _PairShort:
    """What the causes of one short pair's shortfalls are decided on, computed once per
    pair and shared by its monthly and yearly shortfalls."""

    problem: CoachScheduleProblem
    cal: Calendar
    p: PairDemand
    booked: _Booked
    lengths: tuple[int, ...]
    cap: int | None
    irregular: bool
    best_alone: Plan
    # the shortest allowed length fitting one of the pair's windows (see _binding)
    smallest: int
    # month -> dates the pair's standing slots have in it
    slot_dates: list[int]
    # it misses no more than it would with the coach to itself
    as_alone: bool
    # months where other pairs' sessions sit in its windows (only when irregular)
    crowded: set[int]

    @classmethod
    def of(
        cls,
        problem: CoachScheduleProblem,
        prep: _Prepared,
        pi: int,
        booked: _Booked,
        lengths: tuple[int, ...],
        short_months: list[int],
        year_got: int,
        slots: dict[int, tuple[StandingSlot, ...]],
        irregular: bool,
        crowded: set[int],
    ) -> _PairShort:
        """The facts about pair index ``pi`` given what was booked."""
        cal, p = prep.cal, problem.pairs[pi]
        windows = prep.windows[pi]
        best_alone = prep.alone[pi]
        # The cap holds this pair back in a month when its standing slots still had a date
        # free there (within its own maximum) but what is left of the cap holds no session
        # it could have: not even the shortest allowed length fitting one of its windows (not
        # the length of its own sessions: the cap stage may shorten a slot, see .counts).
        # A pair without a free date (or without a slot) is held back by the week instead.
        fitting = [ln for ln in lengths if any(ln <= w.end - w.start for w in windows)]
        slot_dates = [
            sum(
                cal.count(s.weekday, m, WEEKLY if s.parity is None else 1 + s.parity)
                for s in slots.get(pi, ())
            )
            for m in range(cal.n_months)
        ]
        # When the pair misses no more than it would with the coach to itself, nothing else
        # took anything from it: what it misses beyond the calendar's limits is the
        # standing-slot structure's doing (or the coach's cap, which plans ignore).
        got = booked.got
        missed = points_of(
            problem.weights.shortfall_minute,
            sum(p.min_minutes_per_month - got[p.pair_id, m] for m in short_months),
        ) + points_of(problem.weights.year_shortfall_minute, max(0, p.min_minutes_total - year_got))
        as_alone = missed <= best_alone.shortfall_points - best_alone.short_pair_points
        return cls(
            problem=problem,
            cal=cal,
            p=p,
            booked=booked,
            lengths=lengths,
            cap=problem.coach_max_minutes_per_month,
            irregular=irregular,
            best_alone=best_alone,
            smallest=min(fitting or lengths),
            slot_dates=slot_dates,
            as_alone=as_alone,
            crowded=crowded,
        )


def _binding(pair: _PairShort, m: int) -> bool:
    """Whether the coach's cap held the pair back in month ``m`` (see :meth:`_PairShort.of`)."""
    p, booked, cap = pair.p, pair.booked, pair.cap
    pmax = p.max_minutes_per_month
    return (
        cap is not None
        and cap - booked.coach_month[m] < pair.smallest
        and (pair.irregular or booked.dates[p.pair_id, m] < pair.slot_dates[m])
        and (pmax is None or booked.got[p.pair_id, m] + pair.smallest <= pmax)
    )


def _cause(
    pair: _PairShort,
    required: int,
    month: int | None,
    alone_max: int,
    nominal_max: int,
    cap_binding: bool,
    nominal_windows: tuple[TimeWindow, ...],
) -> str:
    """The most fundamental cause of a shortfall of ``month`` (``None``: the year)."""
    p, best_alone = pair.p, pair.best_alone
    pmax = p.max_minutes_per_month
    if month is None and pmax is not None:
        pmax *= pair.cal.n_months - p.first_month
    if not nominal_windows:
        return NO_COMMON_WINDOW
    if pmax is not None and (pmax < pair.lengths[0] or pmax < required):
        return PAIR_MAX_BELOW_MIN
    if nominal_max < required:
        return NARROW_WINDOWS
    if alone_max < required:
        return TOO_FEW_DAYS
    alone_short = best_alone.month_short[month] if month is not None else (best_alone.year_short)
    if cap_binding:
        return COACH_HOUR_CAP
    if pair.irregular:  # any free time could have taken a make-up: was there any?
        taken = bool(pair.crowded) if month is None else month in pair.crowded
        return COACH_TIME_TAKEN if taken else STANDING_SLOT_LIMIT
    if alone_short > 0 or pair.as_alone:
        return STANDING_SLOT_LIMIT
    return COACH_TIME_TAKEN


def _monthly_shortfalls(
    pair: _PairShort, capacity: _PairCapacity, short_months: list[int]
) -> list[Shortfall]:
    """A shortfall for each month below the pair's monthly minimum."""
    p, booked = pair.p, pair.booked
    required = p.min_minutes_per_month
    return [
        Shortfall(
            pair_id=p.pair_id,
            month=m,
            scheduled_minutes=booked.got[p.pair_id, m],
            required_minutes=required,
            cause=_cause(
                pair,
                required,
                m,
                capacity.alone[m],
                capacity.nominal[m],
                _binding(pair, m),
                capacity.nominal_windows,
            ),
            alone_max_minutes=capacity.alone[m],
            nominal_max_minutes=capacity.nominal[m],
            usable_days=capacity.usable_days[m],
            nominal_days=capacity.nominal_days[m],
            coach_minutes=booked.coach_month[m],
            coach_max_minutes=pair.cap,
        )
        for m in short_months
    ]


def _yearly_shortfall(
    pair: _PairShort, capacity: _PairCapacity, months: range, year_got: int
) -> Shortfall:
    """The shortfall of a pair below its yearly minimum; the cap binds the year when it
    binds a month the pair could have used more of."""
    p, got = pair.p, pair.booked.got
    required = p.min_minutes_total
    alone_year, nominal_year = sum(capacity.alone.values()), sum(capacity.nominal.values())
    cap_binding = any(_binding(pair, m) and got[p.pair_id, m] < capacity.alone[m] for m in months)
    return Shortfall(
        pair_id=p.pair_id,
        month=None,
        scheduled_minutes=year_got,
        required_minutes=required,
        cause=_cause(
            pair, required, None, alone_year, nominal_year, cap_binding, capacity.nominal_windows
        ),
        alone_max_minutes=alone_year,
        nominal_max_minutes=nominal_year,
        usable_days=sum(capacity.usable_days.values()),
        nominal_days=sum(capacity.nominal_days.values()),
        coach_minutes=None,
        coach_max_minutes=None,
    )
