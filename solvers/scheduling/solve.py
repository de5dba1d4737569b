"""Solve one coach's calendar: plans, standing week, counts, dates, explanations."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .calendar import WEEKLY, Calendar, alone_month_capacity, build_calendar, normalise_windows
from .counts import capped_plans, fits_cap
from .hint import greedy_week
from .makeup import add_makeups
from .model import Week, add_hint, build_model, solution_week, week_day_span, week_points
from .plans import SCALE, Plan, empty_plan, pair_plans, short_pair_points, spread
from .plans import points as points_of
from .problem import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
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
) -> CoachScheduleResult:
    """Schedule one coach's year; see the package docstring for the method.

    ``makeup``: after the standing week, add make-up sessions on real dates where a pair
    still misses a minimum (:mod:`.makeup`); ``False`` keeps the standing week alone.

    ``work_limit`` bounds CP-SAT's *deterministic* time in the final phase (default grows
    with the number of pairs, see :func:`default_work_limit`; the room-finding phase, when
    needed, may take ``PHASE1_FACTOR`` times more), so the same problem and ``seed`` give the
    same calendar on any machine and CPU count. ``time_limit`` (wall seconds, per CP-SAT
    call) is only a safety net that could cut a run short on a badly overloaded machine.
    """
    t0 = time.perf_counter()
    problem.validate()
    prep = _prepare(problem)
    run = _MakeupRun(seed, time_limit) if makeup else None
    cal = prep.cal
    if work_limit is None:
        work_limit = default_work_limit(len(problem.pairs))
    empty_points = sum(p.cost for p in prep.empty.values())
    if not prep.plans:
        # Nothing can be booked: the empty calendar is the only one, hence optimal.
        points = empty_points / SCALE
        return _finish(problem, prep, "optimal", {}, {}, points, points, t0, {}, run)

    # Minimums first (pairs fully served, then minutes: both are in ``shortfall_points``): no
    # pair can miss less than it misses alone, so when every pair gets a plan of its least
    # shortfall the minimums are settled and only those plans matter.
    least = sum(p.shortfall_points for p in prep.alone.values())
    lean = _within(prep, 0)
    span = week_day_span(problem)
    # Phase 0: a greedy week over those plans.
    week, _ = greedy_week(problem, prep.windows, lean, span)
    stats: dict[str, float] = {"greedy_placed": float(len(week)), "phases": 0.0}
    # Any calendar books at least one weekday, so no calendar beats every pair's best plan
    # plus one weekday (or the empty calendar): a greedy week there is provably optimal.
    floor = min(
        empty_points,
        sum(p.cost for p in prep.alone.values()) + points_of(problem.weights.weekday),
    )
    if (
        len(week) == len(lean)
        and week_points(problem, prep.empty, week) <= floor
        and fits_cap(problem, cal, _plans(week))
    ):
        objective = week_points(problem, prep.empty, week) / SCALE
        return _finish(
            problem, prep, "optimal", _plans(week), week, objective, objective, t0, stats, run
        )
    spent = 0.0
    plans, shortfall_cap, settled = lean, None, True
    if len(week) < len(lean):
        # Phase 1: the fewest short pairs, then the least total shortfall, the week allows (a
        # packing problem, which CP-SAT solves fast without the calendar terms), from the
        # greedy week. A plan can only be part of a better week if its extra shortfall
        # (penalty included) fits in the greedy's excess.
        found = _shortfall_points(prep, week)
        tm1 = build_model(
            problem,
            cal,
            prep.windows,
            _within(prep, found - least),
            prep.empty,
            shortfall_only=True,
        )
        add_hint(tm1, week)
        solver1 = _solver(seed, time_limit, PHASE1_FACTOR * work_limit)
        status1 = solver1.solve(tm1.model)
        spent = solver1.deterministic_time
        stats["phases"] = 1.0
        if status1 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            week = solution_week(tm1, solver1)
            found = round(solver1.objective_value)
        settled = status1 == cp_model.OPTIMAL
        plans, shortfall_cap = _within(prep, found - least), found
    # Phase 2: the best calendar at that shortfall, from the phase before.
    tm = build_model(
        problem, cal, prep.windows, plans, prep.empty, max_shortfall_points=shortfall_cap
    )
    add_hint(tm, week)
    solver = _solver(seed, time_limit, work_limit)
    status = solver.solve(tm.model)
    stats["phases"] += 1.0
    if status == cp_model.INFEASIBLE:  # never expected: choosing no plan is feasible
        return _finish(problem, prep, "infeasible", {}, {}, 0.0, 0.0, t0, stats, run)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        week = solution_week(tm, solver)
        bound = solver.best_objective_bound
    else:  # the wall-clock safety net fired before any solution: keep the hinted week
        bound = floor
    # counted from the week itself: a non-optimal solution may carry slack in helper literals
    week_objective = week_points(problem, prep.empty, week)
    chosen = _plans(week)
    proven = status == cp_model.OPTIMAL and settled
    final = chosen
    if not fits_cap(problem, cal, chosen):
        # Stage 2: the coach's monthly cap binds; re-choose this week's lengths and counts.
        final, _ = capped_plans(
            problem, cal, chosen, seed=seed, work_limit=work_limit, time_limit=time_limit
        )
        proven = False  # the week was chosen without the cap: best per stage, not jointly
    calendar_points = week_objective - sum(
        chosen[pi].cost if pi in chosen else prep.empty[pi].cost for pi in prep.empty
    )
    objective = calendar_points + sum(
        final[pi].cost if pi in final else prep.empty[pi].cost for pi in prep.empty
    )
    stats.update(
        deterministic_time=spent + solver.deterministic_time,
        branches=float(solver.num_branches),
        conflicts=float(solver.num_conflicts),
        slots=float(len(tm.slots)),
        plans=float(sum(len(v) for v in plans.values())),
    )
    return _finish(
        problem,
        prep,
        "optimal" if proven else "feasible",
        final,
        week,
        objective / SCALE,
        bound / SCALE,
        t0,
        stats,
        run,
    )


@dataclass(frozen=True)
class _MakeupRun:
    """The make-up pass is on, with the solve's seed and wall-clock safety net."""

    seed: int
    time_limit: float


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
    travel_days, travel_minutes = _travel_metrics(problem, sessions)
    return CoachScheduleResult(
        status=status,
        sessions=tuple(sessions),
        shortfalls=tuple(_shortfalls(problem, prep, sessions, slots, makeup is not None)),
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
    got: dict[tuple[int, int], int] = defaultdict(int)
    booked_dates: dict[tuple[int, int], int] = defaultdict(int)
    coach_month: dict[int, int] = defaultdict(int)
    for s in sessions:
        m = month_of[s.day]
        got[s.pair_id, m] += s.minutes
        booked_dates[s.pair_id, m] += 1
        coach_month[m] += s.minutes
    lengths = tuple(sorted(problem.session_lengths))
    cap = problem.coach_max_minutes_per_month
    out: list[Shortfall] = []
    for pi, p in enumerate(problem.pairs):
        if p.first_month >= cal.n_months:
            continue
        months = range(p.first_month, cal.n_months)
        short_months = [m for m in months if got[p.pair_id, m] < p.min_minutes_per_month]
        year_got = sum(got[p.pair_id, m] for m in months)
        if not short_months and year_got >= p.min_minutes_total:
            continue
        windows = prep.windows[pi]
        # nominal: every weekday the pair has a window on, whether or not it has coaching days
        nominal_windows = normalise_windows(p.windows, lengths[0], tuple(range(7)))
        weekdays = {w.weekday for w in nominal_windows}
        alone: dict[int, int] = {}
        nominal: dict[int, int] = {}
        usable_days: dict[int, int] = {}
        nominal_days: dict[int, int] = {}
        for m in months:
            usable = {d: cal.count(d, m, WEEKLY) for d in weekdays}
            full = {d: cal.nominal_dates[d][m] for d in weekdays}
            pmax = p.max_minutes_per_month
            alone[m] = alone_month_capacity(windows, lengths, usable, pmax)
            nominal[m] = alone_month_capacity(nominal_windows, lengths, full, pmax)
            usable_days[m] = sum(usable.values())
            nominal_days[m] = sum(full.values())
        best_alone = prep.alone[pi]

        # The cap holds this pair back in a month when its standing slots still had a date
        # free there (within its own maximum) but what is left of the cap holds no session
        # it could have: not even the shortest allowed length fitting one of its windows (not
        # the length of its own sessions: the cap stage may shorten a slot, see .counts).
        # A pair without a free date (or without a slot) is held back by the week instead.
        fitting = [ln for ln in lengths if any(ln <= w.end - w.start for w in windows)]
        smallest = min(fitting or lengths)
        slot_dates = [
            sum(
                cal.count(s.weekday, m, WEEKLY if s.parity is None else 1 + s.parity)
                for s in slots.get(pi, ())
            )
            for m in range(cal.n_months)
        ]

        def binding(
            m: int, p: PairDemand = p, smallest: int = smallest, slot_dates: list[int] = slot_dates
        ) -> bool:
            pmax = p.max_minutes_per_month
            return (
                cap is not None
                and cap - coach_month[m] < smallest
                and (irregular or booked_dates[p.pair_id, m] < slot_dates[m])
                and (pmax is None or got[p.pair_id, m] + smallest <= pmax)
            )

        # When the pair misses no more than it would with the coach to itself, nothing else
        # took anything from it: what it misses beyond the calendar's limits is the
        # standing-slot structure's doing (or the coach's cap, which plans ignore).
        missed = points_of(
            problem.weights.shortfall_minute,
            sum(p.min_minutes_per_month - got[p.pair_id, m] for m in short_months),
        ) + points_of(problem.weights.year_shortfall_minute, max(0, p.min_minutes_total - year_got))
        as_alone = missed <= best_alone.shortfall_points - best_alone.short_pair_points
        crowded = _crowded_months(problem, month_of, windows, p, sessions) if irregular else set()

        def cause(
            required: int,
            month: int | None,
            alone_max: int,
            nominal_max: int,
            cap_binding: bool,
            p: PairDemand = p,
            best_alone: Plan = best_alone,
            as_alone: bool = as_alone,
            nominal_windows: tuple[TimeWindow, ...] = nominal_windows,
            crowded: set[int] = crowded,
        ) -> str:
            pmax = p.max_minutes_per_month
            if month is None and pmax is not None:
                pmax *= cal.n_months - p.first_month
            if not nominal_windows:
                return NO_COMMON_WINDOW
            if pmax is not None and (pmax < lengths[0] or pmax < required):
                return PAIR_MAX_BELOW_MIN
            if nominal_max < required:
                return NARROW_WINDOWS
            if alone_max < required:
                return TOO_FEW_DAYS
            alone_short = (
                best_alone.month_short[month] if month is not None else (best_alone.year_short)
            )
            if cap_binding:
                return COACH_HOUR_CAP
            if irregular:  # any free time could have taken a make-up: was there any?
                taken = bool(crowded) if month is None else month in crowded
                return COACH_TIME_TAKEN if taken else STANDING_SLOT_LIMIT
            if alone_short > 0 or as_alone:
                return STANDING_SLOT_LIMIT
            return COACH_TIME_TAKEN

        for m in short_months:
            required = p.min_minutes_per_month
            out.append(
                Shortfall(
                    pair_id=p.pair_id,
                    month=m,
                    scheduled_minutes=got[p.pair_id, m],
                    required_minutes=required,
                    cause=cause(required, m, alone[m], nominal[m], binding(m)),
                    alone_max_minutes=alone[m],
                    nominal_max_minutes=nominal[m],
                    usable_days=usable_days[m],
                    nominal_days=nominal_days[m],
                    coach_minutes=coach_month[m],
                    coach_max_minutes=cap,
                )
            )
        if year_got < p.min_minutes_total:
            required = p.min_minutes_total
            alone_year, nominal_year = sum(alone.values()), sum(nominal.values())
            cap_binding = any(binding(m) and got[p.pair_id, m] < alone[m] for m in months)
            out.append(
                Shortfall(
                    pair_id=p.pair_id,
                    month=None,
                    scheduled_minutes=year_got,
                    required_minutes=required,
                    cause=cause(required, None, alone_year, nominal_year, cap_binding),
                    alone_max_minutes=alone_year,
                    nominal_max_minutes=nominal_year,
                    usable_days=sum(usable_days.values()),
                    nominal_days=sum(nominal_days.values()),
                    coach_minutes=None,
                    coach_max_minutes=None,
                )
            )
    return out
