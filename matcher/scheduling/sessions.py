"""From a roster to a year of sessions: translate each coach's calendar, solve, explain.

Every candidate has one coach, so the year's schedule splits exactly by coach. This module
turns the program and roster into one :class:`solvers.scheduling.CoachScheduleProblem` per
coach (coaching days, months, the pairs' common windows, travel minutes between the
candidates' sites, hour minimums), solves them through the one executor interface (in
process, a local pool, or Dask), and turns the results back into sessions and into sentences
that say why a pair misses a month's hours.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.policy import WEEKDAYS
from matcher.problem import Candidate, Coach, ProgramData
from matcher.results import AssignmentResult
from matcher.scheduling.late_start import LateStart, late_starts
from matcher.windows import Window, clip, fmt_clock, free_all_day, intersect
from solvers.executor import map_ordered
from solvers.geo import haversine_km
from solvers.scheduling import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    PAIR_MAX_BELOW_MIN,
    STANDING,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
    CoachScheduleProblem,
    CoachScheduleResult,
    MonthSpan,
    PairDemand,
    ScheduleWeights,
    Shortfall,
    TimeWindow,
    solve_coach_schedule,
)

PAIR_CAUSES = frozenset({NO_COMMON_WINDOW, NARROW_WINDOWS, STANDING_SLOT_LIMIT})
"""Shortfalls that belong to the pair: another coach might do, this one never will."""
COACH_CAUSES = frozenset({COACH_TIME_TAKEN, COACH_HOUR_CAP})
"""Shortfalls that belong to the coach's load: fewer candidates for this coach would help."""

CAUSE_WORDS = {
    NO_COMMON_WINDOW: "no common free time",
    PAIR_MAX_BELOW_MIN: "the pair's maximum is below its minimum",
    NARROW_WINDOWS: "common free time too short",
    TOO_FEW_DAYS: "too few coaching days (blackouts, meetings)",
    COACH_HOUR_CAP: "the coach's monthly hour cap is reached",
    COACH_TIME_TAKEN: "the coach's other candidates take the common time",
    STANDING_SLOT_LIMIT: "a standing weekly appointment cannot reach the hours",
}
"""Plain words for each shortfall cause code (short_hours.csv keeps the codes; the report and
the terminal show these)."""


@dataclass(frozen=True)
class SessionRow:
    """One session as schedule.csv has it."""

    candidate_id: str
    coach_id: str
    date: dt.date
    start: int
    end: int
    location: str
    kind: str = STANDING
    """``standing``, ``make-up`` (a one-off session) or ``lengthened`` (a standing session
    made longer on that date), see :mod:`solvers.scheduling.makeup`; or ``dated`` (a calendar
    set date by date for a crowded coach, see :mod:`solvers.scheduling.dated`)."""

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class PairShortfall:
    """A pair-month (``month`` = ``YYYY-MM``, or ``year``) that misses its minimum, and why."""

    candidate_id: str
    coach_id: str
    month: str
    scheduled_hours: float
    required_hours: float
    cause: str
    reason: str


@dataclass(frozen=True)
class CoachCalendar:
    coach_id: str
    status: str
    solve_seconds: float
    pairs: int
    travel_days: int


@dataclass(frozen=True)
class ScheduleResult:
    """The year's sessions, the pair-months that miss their hours, and per-coach figures."""

    sessions: tuple[SessionRow, ...]
    shortfalls: tuple[PairShortfall, ...]
    coaches: tuple[CoachCalendar, ...]
    seconds: float
    stats: dict = field(default_factory=dict)
    late_starts: tuple[LateStart, ...] = ()  # first session past the start deadline

    def hours_by_pair_month(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for s in self.sessions:
            month = s.date.strftime("%Y-%m")
            pair = out.setdefault(s.candidate_id, {})
            pair[month] = pair.get(month, 0.0) + s.minutes / 60
        return out


def month_spans(program: ProgramData) -> tuple[MonthSpan, ...]:
    return tuple(
        MonthSpan.calendar_month(int(m[:4]), int(m[5:])) for m in program.policy.coaching.months
    )


def coaching_days(program: ProgramData) -> tuple[dt.date, ...]:
    """Dates in the program months on allowed weekdays, without blackout or meeting days."""
    allowed = {WEEKDAYS.index(d) for d in program.policy.coaching.weekdays}
    closed = program.policy.calendar.closed_days()
    days = []
    for span in month_spans(program):
        day = span.first
        while day <= span.last:
            if day.weekday() in allowed and day not in closed:
                days.append(day)
            day += dt.timedelta(days=1)
    return tuple(days)


def _free(person: Coach | Candidate, program: ProgramData) -> tuple[Window, ...]:
    coaching = program.policy.coaching
    weekdays = [WEEKDAYS.index(d) for d in coaching.weekdays]
    day = (coaching.day_start_minutes, coaching.day_end_minutes)
    if not person.available:
        return free_all_day(weekdays, *day)
    return clip(person.available, weekdays, *day)


def common_windows(coach: Coach, cand: Candidate, program: ProgramData) -> tuple[Window, ...]:
    """When both are free, inside the program's weekdays and day hours."""
    return intersect(_free(coach, program), _free(cand, program))


def _site_name(cand: Candidate) -> tuple[str, str]:
    """A candidate's named site; a candidate without a site name is a place of its own."""
    return (cand.district, cand.site) if cand.site else ("", f"#{cand.candidate_id}")


Place = tuple[float, float] | tuple[str, str]
"""Where a candidate's sessions happen, for the travel rule: coordinates where known, else the
site's name (a place whose distance to anything else is unknown)."""


def session_places(cands: list[Candidate]) -> list[Place]:
    """Each candidate's place: its own (lat, lon), or, without them, the coordinates its named
    site has among ``cands`` when those agree, or else the site's name.

    WHY coordinates and not site names: the contract's travel rule is measured between the two
    candidates' lat/lon. Keying places by (district, site) and taking the first candidate's
    coordinates for the whole site gave 0 travel minutes between two sites 13 km apart when
    the first candidate of one site had no coordinates, or when two candidates shared a site
    name at different coordinates (issue 12) - and the scheduler's own check, reading the same
    matrix, could not see it. Candidates at identical coordinates are one place (0 km).
    """
    known: dict[tuple[str, str], set[tuple[float, float]]] = {}
    for cand in cands:
        if cand.lat is not None and cand.lon is not None:
            known.setdefault(_site_name(cand), set()).add((cand.lat, cand.lon))
    places: list[Place] = []
    for cand in cands:
        if cand.lat is not None and cand.lon is not None:
            places.append((cand.lat, cand.lon))
            continue
        coords = known.get(_site_name(cand), set())
        places.append(next(iter(coords)) if len(coords) == 1 else _site_name(cand))
    return places


def travel_minutes(places: list[Place], kmh: float) -> list[list[int]]:
    """Whole minutes between places, rounded up (never down: a gap of ``km / kmh`` hours is
    the contract's minimum); 0 where a place's coordinates are unknown.

    The ``1e-9`` only absorbs floating-point noise on an exact whole minute (40 km at 40 km/h
    is 60 minutes, not 61); it is far below the checkers' tolerance of 1e-6 minutes."""
    out = [[0] * len(places) for _ in places]
    for a, pa in enumerate(places):
        for b, pb in enumerate(places):
            if a != b and not isinstance(pa[0], str) and not isinstance(pb[0], str):
                km = float(haversine_km(pa[0], pa[1], pb[0], pb[1]))
                out[a][b] = math.ceil(km / kmh * 60 - 1e-9)
    return out


def coach_problem(
    program: ProgramData,
    coach: Coach,
    cands: list[Candidate],
    days: tuple[dt.date, ...],
    spans: tuple[MonthSpan, ...],
) -> CoachScheduleProblem:
    """One coach's calendar as plain data for the scheduler."""
    coaching, policy = program.policy.coaching, program.policy.schedule
    sites: dict[Place, int] = {}
    pairs = []
    for i, (cand, place) in enumerate(zip(cands, session_places(cands), strict=True)):
        sites.setdefault(place, len(sites))
        first = program.first_month_index(cand)
        max_month = coaching.max_pair_hours_per_month
        pairs.append(
            PairDemand(
                pair_id=i,
                site=sites[place],
                windows=tuple(
                    TimeWindow(w.weekday, w.start, w.end)
                    for w in common_windows(coach, cand, program)
                ),
                first_month=first,
                min_minutes_per_month=math.ceil(coaching.min_hours_per_month * 60 - 1e-9),
                max_minutes_per_month=math.floor(max_month * 60 + 1e-9) if max_month else None,
                min_minutes_total=math.ceil(program.yearly_minimum_hours(cand) * 60 - 1e-9),
            )
        )
    travel = travel_minutes(list(sites), coaching.travel_kmh)
    cap = coach.max_hours_per_month
    weights = ScheduleWeights(
        extra_slot=policy.extra_slot,
        alternate_week=policy.alternate_week,
        weekday=policy.weekday,
        travel_minute=policy.travel_minute,
        start_delay_day=policy.start_delay_day,
        late_start_day=policy.late_start_day,
        start_deadline_days=policy.start_deadline_days,
        session=policy.session,
        minute=policy.minute,
    )
    return CoachScheduleProblem(
        days=days,
        months=spans,
        session_lengths=tuple(coaching.session_minutes),
        pairs=tuple(pairs),
        travel_minutes=tuple(tuple(row) for row in travel),
        coach_max_minutes_per_month=None if cap is None else math.floor(cap * 60 + 1e-9),
        weights=weights,
        start_step=policy.start_step_minutes,
        alternate_weeks=policy.alternate_weeks,
    )


@dataclass(frozen=True)
class _Job:
    problem: CoachScheduleProblem
    seed: int


def _solve(job: _Job) -> CoachScheduleResult:
    return solve_coach_schedule(job.problem, seed=job.seed, time_limit=60.0)


def _hours(minutes: int | float) -> str:
    return f"{minutes / 60:.4g} h"


def shortfall_reason(
    s: Shortfall, pair: PairDemand, month: str, coach_cap: int | None = None
) -> str:
    """The cause's sentence (:func:`_cause_sentence`), and where the cause is a limit of the
    pair's own time that accounts for only part of the shortfall, the rest too: "windows hold
    19 h, 20 h needed" must not stand alone for a pair that got 0 h."""
    sentence = _cause_sentence(s, pair, month, coach_cap)
    if s.cause not in (NARROW_WINDOWS, TOO_FEW_DAYS):
        return sentence
    explained = s.required_minutes - s.alone_max_minutes
    rest = s.alone_max_minutes - s.scheduled_minutes
    if rest <= 0:
        return sentence
    return (
        f"{sentence}; that accounts for {_hours(explained)} of the {_hours(s.missing_minutes)} "
        f"short: the other {_hours(rest)} the pair's own time would hold go to the coach's "
        "other candidates (or lie beyond standing weekly slots)"
    )


def _cause_sentence(
    s: Shortfall, pair: PairDemand, month: str, coach_cap: int | None = None
) -> str:
    """A sentence a coordinator can act on, from the scheduler's cause and figures.

    ``coach_cap``: the coach's monthly cap in minutes, which the scheduler leaves out of a
    yearly shortfall (``s.coach_max_minutes`` is ``None`` there).
    """
    need = _hours(s.required_minutes)
    where = f"in {month}" if month != "year" else "over the year"
    windows = ", ".join(
        f"{WEEKDAYS[w.weekday]} {fmt_clock(w.start)}-{fmt_clock(w.end)}" for w in pair.windows[:4]
    ) + (" …" if len(pair.windows) > 4 else "")
    if s.cause == NO_COMMON_WINDOW:
        return "coach and candidate have no common free window long enough for a session"
    if s.cause == PAIR_MAX_BELOW_MIN:
        return f"the pair's monthly maximum is below the minimum of {need}"
    if s.cause == NARROW_WINDOWS:
        most = _hours(s.alone_max_minutes)
        return f"common window only {windows}: {most} {where} at most, {need} needed"
    if s.cause == TOO_FEW_DAYS:
        return (
            f"only {s.usable_days} coaching days {where} outside blackouts and meetings "
            f"(of {s.nominal_days}): {_hours(s.alone_max_minutes)} at most, {need} needed"
        )
    if s.cause == COACH_HOUR_CAP:
        cap = s.coach_max_minutes if s.coach_max_minutes is not None else coach_cap
        return f"the coach's cap of {_hours(cap or 0)} a month is reached {where}"
    if s.cause == COACH_TIME_TAKEN:
        return (
            f"would fit alone ({_hours(s.alone_max_minutes)} possible), but the coach's other "
            f"candidates take the common hours ({windows}) {where}"
        )
    if s.cause == STANDING_SLOT_LIMIT:
        got = _hours(s.scheduled_minutes)
        return f"a standing weekly appointment in {windows} gives {got} {where}, {need} needed"
    return f"{_hours(s.scheduled_minutes)} scheduled {where}, {need} needed ({s.cause})"


def _candidates_by_coach(
    program: ProgramData, assignment: dict[str, str]
) -> tuple[dict[str, list[Candidate]], list[str]]:
    """Each coach's candidates in input order, and the coaches with any, in input order: a
    coach's calendar (and its pair ids) must not depend on how the roster was built."""
    by_coach: dict[str, list[Candidate]] = {}
    for k in program.candidates:
        coach_id = assignment.get(k.candidate_id)
        if coach_id:
            by_coach.setdefault(coach_id, []).append(k)
    order = [c.coach_id for c in program.coaches if c.coach_id in by_coach]
    return by_coach, order


def _solve_uncached(
    jobs: list[_Job],
    keys: list[tuple[str, tuple[str, ...]]],
    cache: dict,
    *,
    workers: int,
    scheduler: str | None,
    on_done: Callable[[int], None] | None,
) -> list[CoachScheduleResult]:
    """Solve only the coaches whose (coach, candidates) key is not cached yet, in parallel,
    then read every coach's result from the cache, in ``keys`` order."""
    todo = [i for i, key in enumerate(keys) if key not in cache]
    fresh = map_ordered(
        _solve, [jobs[i] for i in todo], workers=workers, scheduler=scheduler, on_done=on_done
    )
    for i, result in zip(todo, fresh, strict=True):
        cache[keys[i]] = result
    return [cache[key] for key in keys]


def _pair_shortfall(
    f: Shortfall, members: list[Candidate], coach_id: str, job: _Job, months: tuple[str, ...]
) -> PairShortfall:
    """A solver shortfall (pair and month indices, minutes) as ids, a month name and hours,
    with the sentence a coordinator can act on."""
    cand = members[f.pair_id]
    month = months[f.month] if f.month is not None else "year"
    return PairShortfall(
        cand.candidate_id,
        coach_id,
        month,
        f.scheduled_minutes / 60,
        f.required_minutes / 60,
        f.cause,
        shortfall_reason(
            f,
            job.problem.pairs[f.pair_id],
            month,
            job.problem.coach_max_minutes_per_month,
        ),
    )


def _coach_outcome(
    coach_id: str,
    members: list[Candidate],
    job: _Job,
    result: CoachScheduleResult,
    months: tuple[str, ...],
) -> tuple[list[SessionRow], list[PairShortfall], CoachCalendar]:
    """One coach's solver result in the program's terms: session rows, shortfalls, calendar."""
    sessions = []
    for s in result.sessions:
        cand = members[s.pair_id]
        sessions.append(
            SessionRow(cand.candidate_id, coach_id, s.day, s.start, s.end, cand.site, s.kind)
        )
    shortfalls = [_pair_shortfall(f, members, coach_id, job, months) for f in result.shortfalls]
    calendar = CoachCalendar(
        coach_id, result.status, result.solve_seconds, len(members), result.travel_days
    )
    return sessions, shortfalls, calendar


def _solve_stats(calendars: list[CoachCalendar]) -> dict:
    """How long the per-coach solves took (median, max, total), for summary.json."""
    times = [c.solve_seconds for c in calendars]
    return {
        "coaches": len(calendars),
        "coach_seconds_median": round(statistics.median(times), 4) if times else 0.0,
        "coach_seconds_max": round(max(times), 4) if times else 0.0,
        "coach_seconds_total": round(float(np.sum(times)), 3) if times else 0.0,
    }


def schedule(
    program: ProgramData,
    assignment: dict[str, str] | AssignmentResult,
    *,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    on_done: Callable[[int], None] | None = None,
    cache: dict | None = None,
) -> ScheduleResult:
    """Schedule every coach's candidates (``assignment``: candidate id → coach id, or the
    roster :func:`matcher.assign` returned).

    ``cache`` (coach id and its candidates' ids → result) lets ``plan`` re-solve only the
    coaches whose candidates changed: a coach's calendar depends on nothing else.
    """
    import time

    if isinstance(assignment, AssignmentResult):
        assignment = assignment.mapping()
    start = time.perf_counter()
    days, spans = coaching_days(program), month_spans(program)
    months = program.policy.coaching.months
    by_coach, order = _candidates_by_coach(program, assignment)
    coaches = {c.coach_id: c for c in program.coaches}
    jobs = [_Job(coach_problem(program, coaches[c], by_coach[c], days, spans), seed) for c in order]
    cache = {} if cache is None else cache
    keys = [(c, tuple(k.candidate_id for k in by_coach[c])) for c in order]
    results = _solve_uncached(
        jobs, keys, cache, workers=workers, scheduler=scheduler, on_done=on_done
    )
    sessions, shortfalls, calendars = [], [], []
    for coach_id, job, result in zip(order, jobs, results, strict=True):
        rows, shorts, calendar = _coach_outcome(coach_id, by_coach[coach_id], job, result, months)
        sessions.extend(rows)
        shortfalls.extend(shorts)
        calendars.append(calendar)
    sessions.sort(key=lambda s: (s.coach_id, s.date, s.start, s.candidate_id))
    short_reasons: dict[str, str] = {}
    for f in shortfalls:
        short_reasons.setdefault(f.candidate_id, f.reason)
    late = late_starts(program, assignment, sessions, short_reasons, days)
    return ScheduleResult(
        tuple(sessions),
        tuple(shortfalls),
        tuple(calendars),
        time.perf_counter() - start,
        _solve_stats(calendars),
        late,
    )


def calendars_meet_minimums(
    program: ProgramData,
    requests: list[tuple[int, list[int]]],
    *,
    seed: int = 0,
    workers: int = 1,
    cache: dict | None = None,
) -> list[bool]:
    """For each request (coach index, candidate indices): whether that coach's calendar with
    exactly those candidates meets every minimum. Solved in parallel and cached with the same
    keys as :func:`schedule`, so a roster made of such calendars re-solves nothing."""
    days, spans = coaching_days(program), month_spans(program)
    jobs, keys = [], []
    for c, members in requests:
        coach = program.coaches[c]
        cands = [program.candidates[k] for k in sorted(members)]  # input order, as schedule()
        jobs.append(_Job(coach_problem(program, coach, cands, days, spans), seed))
        keys.append((coach.coach_id, tuple(k.candidate_id for k in cands)))
    cache = {} if cache is None else cache
    results = _solve_uncached(jobs, keys, cache, workers=workers, scheduler=None, on_done=None)
    return [not r.shortfalls for r in results]


def _solve_alone(problem: CoachScheduleProblem) -> tuple[Shortfall, ...]:
    return solve_coach_schedule(problem, seed=0, time_limit=10.0).shortfalls


def pairs_that_cannot_fit_alone(
    program: ProgramData, pairs: list[tuple[int, int]], *, workers: int = 1
) -> dict[tuple[int, int], str]:
    """(candidate, coach) pairs whose calendars miss a minimum even with the coach to
    themselves, with the reason. Such a pair can never be scheduled, whatever the roster.

    A pair's calendar alone depends only on its common windows, start month and the coach's
    hour cap, and those repeat a lot, so each distinct case is solved once.
    """
    days, spans = coaching_days(program), month_spans(program)
    months = program.policy.coaching.months
    cases: dict[tuple, int] = {}
    problems: list[CoachScheduleProblem] = []
    case_of = []
    for k, c in pairs:
        problem = coach_problem(program, program.coaches[c], [program.candidates[k]], days, spans)
        pair = problem.pairs[0]
        key = (pair.windows, pair.first_month, problem.coach_max_minutes_per_month)
        if key not in cases:
            cases[key] = len(problems)
            problems.append(problem)
        case_of.append(cases[key])
    results = map_ordered(_solve_alone, problems, workers=workers)
    out = {}
    for (k, c), case in zip(pairs, case_of, strict=True):
        if results[case]:
            short = results[case][0]
            month = months[short.month] if short.month is not None else "year"
            problem = problems[case]
            out[(k, c)] = shortfall_reason(
                short, problem.pairs[0], month, problem.coach_max_minutes_per_month
            )
    return out
