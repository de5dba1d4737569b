"""Make-up sessions: one-off sessions on real dates where the standing week falls short.

A standing week repeats, so a pair whose common window holds one 60-minute session a week gets
about 39 h in a year of 39 usable weeks, one hour short of 40; a month that loses two dates to
blackouts misses its minimum although the next week is free. The data contract allows any
dates, so after the week is expanded this pass works on the coach's actual dates:

- only **short** pairs take part (a pair-month or pair-year below its minimum), and only in the
  months that can help them (the short months; every month from its first for a short year);
- their **options**: a new session (each allowed length, starts on a ``start_step`` grid
  anchored at the window's start, inside the pair's common windows of that date's weekday, in
  the time the coach's booked sessions leave free, travel included), or a **lengthened** booked
  session of theirs (same start later end, or same end earlier start); at most
  ``max_starts`` starts per gap and length, evenly spread, keep the model small;
- one Boolean per option; per date a ``NoOverlap`` of optional fixed intervals over the options
  and the booked sessions they could touch, plus a clause wherever two sessions at different
  sites would be closer than the travel time (every two of a date, not only neighbours); the
  pair's monthly maximum and the coach's monthly cap as linear sums.

Lexicographic objective, three short CP-SAT solves sharing one deterministic budget: the
fewest minutes missing from *monthly* minimums; with that held, from *yearly* minimums; then
the fewest make-up sessions (a lengthened session costs less than a new one: no extra trip),
few minutes beyond what is needed, dates in months where the pair has least, not on a day the
pair already meets, on days the coach already works, early rather than late. Booked sessions
never move or shrink, so the shortfall never grows. Deterministic: one worker, fixed seed,
deterministic work limit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .calendar import Calendar, normalise_windows
from .problem import LENGTHENED, MAKEUP, CoachScheduleProblem, Session

MAKEUP_WORK_BASE = 0.05
MAKEUP_WORK_PER_OPTION = 0.0005
MAKEUP_WORK_MAX = 2.0
"""Default deterministic budget: ``base + per_option * options``, at most ``max`` seconds."""

# costs of the last stage (integer points; only their order matters)
NEW_SESSION = 100
LENGTHEN = 60
SAME_PAIR_DAY = 50
NEW_WORK_DAY = 20
PER_MINUTE = 1
MONTH_LOAD_PER_HOUR = 4  # per hour the pair already has that month: prefer its thin months
LATENESS = 10  # at most, for the last date of the year


@dataclass(frozen=True)
class MakeupResult:
    """All sessions after the pass (sorted, make-ups marked) and what it did."""

    sessions: tuple[Session, ...]
    added: int = 0
    lengthened: int = 0
    minutes: int = 0
    options: int = 0
    status: str = "nothing_short"  # or "optimal", "feasible", "no_option", "unknown"
    stats: dict[str, float] = field(default_factory=dict)


@dataclass
class _Item:
    """A session the model may book (an option) or that is booked (``base``)."""

    pi: int
    day: dt.date
    start: int
    end: int
    site: int
    kind: str  # MAKEUP, LENGTHENED, or "" for a booked session that may be lengthened
    replaces: Session | None = None
    lit: cp_model.IntVar | None = None
    cost: int = 0

    @property
    def minutes(self) -> int:
        return self.end - self.start


def default_makeup_work_limit(n_options: int) -> float:
    return min(MAKEUP_WORK_MAX, MAKEUP_WORK_BASE + MAKEUP_WORK_PER_OPTION * n_options)


def _conflict(problem: CoachScheduleProblem, a: _Item | Session, sa: int, b: _Item, sb: int):
    """Whether two sessions on one date overlap or leave less than the travel time."""
    if a.start < b.end and b.start < a.end:
        return True
    if sa == sb:
        return False
    if a.end <= b.start:
        return b.start - a.end < problem.travel_minutes[sa][sb]
    return a.start - b.end < problem.travel_minutes[sb][sa]


def _grid_starts(window_start: int, lo: int, hi: int, length: int, step: int, most: int):
    """Grid starts (``window_start + k * step``) of a ``length`` session inside ``[lo, hi)``,
    at most ``most`` of them, evenly spread and always keeping the first and the last."""
    first = window_start + -(-(lo - window_start) // step) * step
    starts = list(range(first, hi - length + 1, step))
    if len(starts) <= most:
        return starts
    if most == 1:
        return starts[:1]
    n = len(starts) - 1
    return sorted({starts[round(i * n / (most - 1))] for i in range(most)})


def add_makeups(
    problem: CoachScheduleProblem,
    cal: Calendar,
    sessions: list[Session] | tuple[Session, ...],
    *,
    seed: int = 0,
    work_limit: float | None = None,
    time_limit: float = 10.0,
    max_starts: int = 8,
) -> MakeupResult:
    """Add make-up sessions (and lengthen booked ones) where pairs miss a minimum.

    ``sessions`` must already satisfy every hard rule; they are kept (a lengthened one is
    replaced by its longer version). See the module docstring for the model.
    """
    pairs = problem.pairs
    index = {p.pair_id: pi for pi, p in enumerate(pairs)}
    month_of = dict(zip(problem.days, cal.day_month, strict=True))
    n_months = cal.n_months
    got: dict[tuple[int, int], int] = defaultdict(int)
    coach_month = [0] * n_months
    by_day: dict[dt.date, list[Session]] = defaultdict(list)
    for s in sessions:
        m = month_of[s.day]
        got[index[s.pair_id], m] += s.minutes
        coach_month[m] += s.minutes
        by_day[s.day].append(s)

    # which pairs are short, and in which months extra minutes help them
    helpful: dict[int, set[int]] = {}
    for pi, p in enumerate(pairs):
        months = range(p.first_month, n_months)
        short = {m for m in months if got[pi, m] < p.min_minutes_per_month}
        if sum(got[pi, m] for m in months) < p.min_minutes_total:
            short = set(months)
        if short:
            helpful[pi] = short
    if not helpful:
        return MakeupResult(tuple(sessions))

    cap = problem.coach_max_minutes_per_month
    lengths = sorted(problem.session_lengths)
    shortest = lengths[0]
    windows = {pi: normalise_windows(pairs[pi].windows, shortest, cal.weekdays) for pi in helpful}

    def room(pi: int, m: int) -> int:
        """Minutes the pair may still get in month ``m`` (its maximum, the coach's cap)."""
        pmax = pairs[pi].max_minutes_per_month
        free = 10**9 if pmax is None else pmax - got[pi, m]
        return min(free, 10**9 if cap is None else cap - coach_month[m])

    def site(s: Session) -> int:
        return pairs[index[s.pair_id]].site

    # Booked sessions never shrink or move (a lengthened one contains its old self), so an
    # option that overlaps a booked session, or comes closer than the travel time, can never
    # be taken: options are filtered against every booked session of the date once, here.
    # Only conflicts among options (lengthened versions included) are left to the model.
    def free(item: _Item) -> bool:
        return not any(
            _conflict(problem, f, site(f), item, item.site)
            for f in by_day[item.day]
            if f is not item.replaces
        )

    # lengthening: booked sessions of short pairs in the months that help them
    longer: dict[Session, list[_Item]] = {}
    for day, booked in by_day.items():
        for s in booked:
            pi = index[s.pair_id]
            if month_of[day] not in helpful.get(pi, ()):
                continue
            limit = room(pi, month_of[day])
            alts = []
            for w in windows[pi]:
                if w.weekday != day.weekday() or not (w.start <= s.start and s.end <= w.end):
                    continue
                for ln in lengths:
                    if ln <= s.minutes or ln - s.minutes > limit:
                        continue
                    for start in sorted({s.start, s.end - ln}):
                        alt = _Item(pi, day, start, start + ln, pairs[pi].site, LENGTHENED, s)
                        if w.start <= start and start + ln <= w.end and free(alt):
                            alts.append(alt)
            if alts:
                longer[s] = alts

    # new sessions in the gaps the booked sessions leave (travel included)
    first_day = problem.days[0] if problem.days else None
    span_days = max(1, (problem.days[-1] - first_day).days) if first_day else 1
    options: list[_Item] = [a for alts in longer.values() for a in alts]
    for pi, months in helpful.items():
        p = pairs[pi]
        for day in problem.days:
            m = month_of[day]
            if m not in months:
                continue
            limit = room(pi, m)
            for w in windows[pi]:
                if w.weekday != day.weekday():
                    continue
                blocked = []
                for f in by_day.get(day, ()):
                    fs = site(f)
                    before = 0 if fs == p.site else problem.travel_minutes[p.site][fs]
                    after = 0 if fs == p.site else problem.travel_minutes[fs][p.site]
                    blocked.append((f.start - before, f.end + after))
                gaps, lo = [], w.start
                for a, b in sorted(blocked):
                    if a > lo:
                        gaps.append((lo, min(a, w.end)))
                    lo = max(lo, b)
                if lo < w.end:
                    gaps.append((lo, w.end))
                for lo, hi in gaps:
                    for ln in lengths:
                        if ln > limit:
                            break
                        for start in _grid_starts(
                            w.start, lo, hi, ln, problem.start_step, max_starts
                        ):
                            options.append(_Item(pi, day, start, start + ln, p.site, MAKEUP))
    if not options:
        return MakeupResult(tuple(sessions), status="no_option")

    model = cp_model.CpModel()
    for o in options:
        o.lit = model.new_bool_var("")
    # a booked session stays as it is, or becomes exactly one of its longer versions
    bases: list[_Item] = []
    for s, alts in longer.items():
        pi = index[s.pair_id]
        base = _Item(pi, s.day, s.start, s.end, pairs[pi].site, "", s, model.new_bool_var(""))
        model.add_exactly_one([base.lit, *(a.lit for a in alts)])
        bases.append(base)

    # per date: no overlap and travel gaps among the items that may be booked
    on_day: dict[dt.date, list[_Item]] = defaultdict(list)
    for it in [*options, *bases]:
        on_day[it.day].append(it)
    for items in on_day.values():
        if len(items) > 1:
            model.add_no_overlap(
                model.new_optional_fixed_size_interval_var(it.start, it.minutes, it.lit, "")
                for it in items
            )
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a.site != b.site and _conflict(problem, a, a.site, b, b.site):
                    model.add_bool_or([a.lit.Not(), b.lit.Not()])

    # minutes added per pair-month, the pair's maximum and the coach's cap
    added: dict[tuple[int, int], list] = defaultdict(list)
    coach_added: dict[int, list] = defaultdict(list)
    pair_days = {(index[s.pair_id], s.day) for s in sessions}
    for o in options:
        m = month_of[o.day]
        extra = o.minutes - (o.replaces.minutes if o.replaces else 0)
        added[o.pi, m].append(extra * o.lit)
        coach_added[m].append(extra * o.lit)
        o.cost = (
            (NEW_SESSION if o.kind == MAKEUP else LENGTHEN)
            + PER_MINUTE * extra
            + MONTH_LOAD_PER_HOUR * got[o.pi, m] // 60
            + (SAME_PAIR_DAY if o.kind == MAKEUP and (o.pi, o.day) in pair_days else 0)
            + (NEW_WORK_DAY if not by_day.get(o.day) else 0)
            + LATENESS * (o.day - first_day).days // span_days
        )
    for (pi, m), terms in added.items():
        if len(terms) > 0:
            model.add(sum(terms) <= room(pi, m))
    if cap is not None:
        for m, terms in coach_added.items():
            model.add(sum(terms) <= cap - coach_month[m])

    month_short, year_short = [], []
    for pi, months in helpful.items():
        p = pairs[pi]
        year = 0
        for m in range(p.first_month, n_months):
            minutes = got[pi, m] + sum(added.get((pi, m), []))
            year += minutes
            if m in months and p.min_minutes_per_month > got[pi, m]:
                short = model.new_int_var(0, p.min_minutes_per_month, "")
                model.add(minutes + short >= p.min_minutes_per_month)
                month_short.append(short)
        if p.min_minutes_total > 0:
            short = model.new_int_var(0, p.min_minutes_total, "")
            model.add(year + short >= p.min_minutes_total)
            year_short.append(short)

    budget = default_makeup_work_limit(len(options)) if work_limit is None else work_limit
    stages = [sum(month_short), sum(year_short), sum(o.cost * o.lit for o in options)]
    solver, status, proven, spent = None, cp_model.UNKNOWN, True, 0.0
    for k, objective in enumerate(stages):
        if isinstance(objective, int):
            continue  # nothing of this kind is short
        model.minimize(objective)
        stage = cp_model.CpSolver()
        params = stage.parameters
        params.num_workers = 1
        params.random_seed = seed
        params.max_time_in_seconds = time_limit
        # each stage gets what the ones before left, yet at least a third of the budget
        params.max_deterministic_time = max(budget - spent, budget / 3)
        st = stage.solve(model)
        spent += stage.deterministic_time
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proven = False
            break
        solver, status = stage, st
        proven = proven and st == cp_model.OPTIMAL
        if k < len(stages) - 1:
            model.add(objective <= round(stage.objective_value))
            model.clear_hints()
            for it in [*options, *bases]:
                model.add_hint(it.lit, stage.boolean_value(it.lit))
    stats = {"makeup_options": float(len(options)), "makeup_deterministic_time": spent}
    if solver is None:  # only the wall-clock safety net can get here: keep the calendar
        return MakeupResult(tuple(sessions), options=len(options), status="unknown", stats=stats)

    chosen = [o for o in options if solver.boolean_value(o.lit)]
    replaced = {o.replaces for o in chosen if o.replaces is not None}
    out = [s for s in sessions if s not in replaced]
    out.extend(Session(pairs[o.pi].pair_id, o.day, o.start, o.end, kind=o.kind) for o in chosen)
    out.sort(key=lambda s: (s.day, s.start, s.pair_id))
    added_minutes = sum(o.minutes - (o.replaces.minutes if o.replaces else 0) for o in chosen)
    return MakeupResult(
        tuple(out),
        added=sum(o.kind == MAKEUP for o in chosen),
        lengthened=len(replaced),
        minutes=added_minutes,
        options=len(options),
        status="optimal" if proven and status == cp_model.OPTIMAL else "feasible",
        stats=stats,
    )
