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
fewest pairs left short of any minimum (monthly or yearly), then the fewest minutes missing
from *monthly* minimums (one objective, the pair count weighted above all minutes); with that
held, the fewest missing from *yearly* minimums; then
the fewest make-up sessions (a lengthened session costs less than a new one: no extra trip),
few minutes beyond what is needed, dates in months where the pair has least, not on a day the
pair already meets, on days the coach already works, early rather than late. Pairs come
first because ``plan`` treats a pair with any shortfall as failed: the free time that could
complete one pair is worth more than the same time spread over several that all stay short
(the standing week ranks its plans the same way). Booked sessions
never move or shrink, so the shortfall never grows. Deterministic: one worker, fixed seed,
deterministic work limit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .calendar import Calendar, normalise_windows
from .problem import LENGTHENED, MAKEUP, CoachScheduleProblem, Session, TimeWindow

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

    @property
    def var(self) -> cp_model.IntVar:
        """The item's literal (set once the model exists)."""
        assert self.lit is not None
        return self.lit


def default_makeup_work_limit(n_options: int) -> float:
    return min(MAKEUP_WORK_MAX, MAKEUP_WORK_BASE + MAKEUP_WORK_PER_OPTION * n_options)


def _conflict(
    problem: CoachScheduleProblem, a: _Item | Session, sa: int, b: _Item, sb: int
) -> bool:
    """Whether two sessions on one date overlap or leave less than the travel time."""
    if a.start < b.end and b.start < a.end:
        return True
    if sa == sb:
        return False
    if a.end <= b.start:
        return b.start - a.end < problem.travel_minutes[sa][sb]
    return a.start - b.end < problem.travel_minutes[sb][sa]


def _grid_starts(
    window_start: int, lo: int, hi: int, length: int, step: int, most: int
) -> list[int]:
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


@dataclass(frozen=True)
class _Booked:
    """The calendar before the pass, indexed: minutes per pair-month and per coach-month,
    sessions per date."""

    index: dict[int, int]  # pair id -> pair index
    month_of: dict[dt.date, int]
    got: dict[tuple[int, int], int]  # (pair index, month) -> minutes
    coach_month: list[int]
    by_day: dict[dt.date, list[Session]]

    @classmethod
    def of(
        cls, problem: CoachScheduleProblem, cal: Calendar, sessions: Sequence[Session]
    ) -> _Booked:
        index = {p.pair_id: pi for pi, p in enumerate(problem.pairs)}
        month_of = dict(zip(problem.days, cal.day_month, strict=True))
        got: dict[tuple[int, int], int] = defaultdict(int)
        coach_month = [0] * cal.n_months
        by_day: dict[dt.date, list[Session]] = defaultdict(list)
        for s in sessions:
            m = month_of[s.day]
            got[index[s.pair_id], m] += s.minutes
            coach_month[m] += s.minutes
            by_day[s.day].append(s)
        return cls(index, month_of, got, coach_month, dict(by_day))

    def room(self, problem: CoachScheduleProblem, pi: int, m: int) -> int:
        """Minutes pair ``pi`` may still get in month ``m`` (its maximum, the coach's cap)."""
        pmax = problem.pairs[pi].max_minutes_per_month
        cap = problem.coach_max_minutes_per_month
        free = 10**9 if pmax is None else pmax - self.got[pi, m]
        return min(free, 10**9 if cap is None else cap - self.coach_month[m])

    def site(self, problem: CoachScheduleProblem, s: Session) -> int:
        return problem.pairs[self.index[s.pair_id]].site


def _short_months(
    problem: CoachScheduleProblem, n_months: int, booked: _Booked
) -> dict[int, set[int]]:
    """Per short pair, the months in which extra minutes help it: its short months, or every
    month from its first when its year is short."""
    helpful: dict[int, set[int]] = {}
    for pi, p in enumerate(problem.pairs):
        months = range(p.first_month, n_months)
        short = {m for m in months if booked.got[pi, m] < p.min_minutes_per_month}
        if sum(booked.got[pi, m] for m in months) < p.min_minutes_total:
            short = set(months)
        if short:
            helpful[pi] = short
    return helpful


def _lengthenings(
    problem: CoachScheduleProblem,
    booked: _Booked,
    helpful: dict[int, set[int]],
    windows: dict[int, tuple[TimeWindow, ...]],
) -> dict[Session, list[_Item]]:
    """Longer versions of the short pairs' booked sessions in the months that help them.

    Booked sessions never shrink or move (a lengthened one contains its old self), so an
    option that overlaps a booked session, or comes closer than the travel time, can never be
    taken: options are filtered against every booked session of the date here, and only
    conflicts among options are left to the model."""
    lengths = sorted(problem.session_lengths)
    longer: dict[Session, list[_Item]] = {}
    for day, sessions in booked.by_day.items():
        m = booked.month_of[day]
        for s in sessions:
            pi = booked.index[s.pair_id]
            if m not in helpful.get(pi, ()):
                continue
            limit = booked.room(problem, pi, m)
            alts = []
            for w in windows[pi]:
                if w.weekday != day.weekday() or not (w.start <= s.start and s.end <= w.end):
                    continue
                for ln in lengths:
                    if ln <= s.minutes or ln - s.minutes > limit:
                        continue
                    for start in sorted({s.start, s.end - ln}):
                        alt = _Item(
                            pi, day, start, start + ln, problem.pairs[pi].site, LENGTHENED, s
                        )
                        clash = any(
                            _conflict(problem, f, booked.site(problem, f), alt, alt.site)
                            for f in sessions
                            if f is not s
                        )
                        if w.start <= start and start + ln <= w.end and not clash:
                            alts.append(alt)
            if alts:
                longer[s] = alts
    return longer


def _new_sessions(
    problem: CoachScheduleProblem,
    booked: _Booked,
    helpful: dict[int, set[int]],
    windows: dict[int, tuple[TimeWindow, ...]],
    max_starts: int,
) -> list[_Item]:
    """New sessions of the short pairs in the gaps the booked sessions leave (travel
    included), on the start grid."""
    lengths = sorted(problem.session_lengths)
    out: list[_Item] = []
    for pi, months in helpful.items():
        p = problem.pairs[pi]
        for day in problem.days:
            m = booked.month_of[day]
            if m not in months:
                continue
            limit = booked.room(problem, pi, m)
            for w in windows[pi]:
                if w.weekday != day.weekday():
                    continue
                blocked = []
                for f in booked.by_day.get(day, ()):
                    fs = booked.site(problem, f)
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
                            out.append(_Item(pi, day, start, start + ln, p.site, MAKEUP))
    return out


def _add_date_rules(
    problem: CoachScheduleProblem, model: cp_model.CpModel, items: list[_Item]
) -> None:
    """Per date: no overlap, and the travel time between items at different sites."""
    on_day: dict[dt.date, list[_Item]] = defaultdict(list)
    for it in items:
        on_day[it.day].append(it)
    for day_items in on_day.values():
        if len(day_items) > 1:
            model.add_no_overlap(
                model.new_optional_fixed_size_interval_var(it.start, it.minutes, it.var, "")
                for it in day_items
            )
        for i, a in enumerate(day_items):
            for b in day_items[i + 1 :]:
                if a.site != b.site and _conflict(problem, a, a.site, b, b.site):
                    model.add_bool_or([a.var.Not(), b.var.Not()])


def _cost(
    problem: CoachScheduleProblem, booked: _Booked, o: _Item, pair_days: set[tuple[int, dt.date]]
) -> int:
    """The last stage's cost of an option: few make-ups, few minutes, thin months, no second
    meeting of the pair that day, days the coach works anyway, early dates."""
    first, last = problem.days[0], problem.days[-1]
    extra = o.minutes - (o.replaces.minutes if o.replaces else 0)
    return (
        (NEW_SESSION if o.kind == MAKEUP else LENGTHEN)
        + PER_MINUTE * extra
        + MONTH_LOAD_PER_HOUR * booked.got[o.pi, booked.month_of[o.day]] // 60
        + (SAME_PAIR_DAY if o.kind == MAKEUP and (o.pi, o.day) in pair_days else 0)
        + (NEW_WORK_DAY if not booked.by_day.get(o.day) else 0)
        + LATENESS * (o.day - first).days // max(1, (last - first).days)
    )


def _solve_stages(
    model: cp_model.CpModel,
    stages: list[cp_model.LinearExprT],
    literals: list[cp_model.IntVar],
    *,
    seed: int,
    budget: float,
    time_limit: float,
) -> tuple[cp_model.CpSolver | None, bool, float]:
    """Minimise each objective in turn, holding the ones before at their optimum (or best
    found). Returns the last solver with a solution (or ``None``), whether every stage was
    proven optimal, and the deterministic time spent."""
    solver: cp_model.CpSolver | None = None
    proven, spent = True, 0.0
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
        status = stage.solve(model)
        spent += stage.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return solver, False, spent
        solver = stage
        proven = proven and status == cp_model.OPTIMAL
        if k < len(stages) - 1:
            model.add(objective <= round(stage.objective_value))
            model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools
            for lit in literals:
                model.add_hint(lit, stage.boolean_value(lit))
    return solver, proven, spent


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
    booked = _Booked.of(problem, cal, sessions)
    helpful = _short_months(problem, cal.n_months, booked)
    if not helpful:
        return MakeupResult(tuple(sessions))
    longer, options = _options(problem, cal, booked, helpful, max_starts)
    if not options:
        return MakeupResult(tuple(sessions), status="no_option")

    model = cp_model.CpModel()
    bases = _add_choices(problem, model, booked, longer, options)
    _add_date_rules(problem, model, [*options, *bases])
    added = _add_minute_limits(problem, model, booked, sessions, options)
    stages = _add_shortfalls(problem, cal, model, booked, helpful, added, options)
    budget = default_makeup_work_limit(len(options)) if work_limit is None else work_limit
    solver, proven, spent = _solve_stages(
        model,
        stages,
        [it.var for it in [*options, *bases]],
        seed=seed,
        budget=budget,
        time_limit=time_limit,
    )
    stats = {"makeup_options": float(len(options)), "makeup_deterministic_time": spent}
    if solver is None:  # only the wall-clock safety net can get here: keep the calendar
        return MakeupResult(tuple(sessions), options=len(options), status="unknown", stats=stats)
    return _result(problem, sessions, options, solver, proven, stats)


def _options(
    problem: CoachScheduleProblem,
    cal: Calendar,
    booked: _Booked,
    helpful: dict[int, set[int]],
    max_starts: int,
) -> tuple[dict[Session, list[_Item]], list[_Item]]:
    """Every change the model may choose: lengthen a booked session, or book a new one.

    Only short pairs get options (``helpful``), in their own windows, so the model stays as
    small as the shortfall; lengthenings come first, each under the session it replaces.
    """
    shortest = min(problem.session_lengths)
    windows = {
        pi: normalise_windows(problem.pairs[pi].windows, shortest, cal.weekdays) for pi in helpful
    }
    longer = _lengthenings(problem, booked, helpful, windows)
    options = [a for alts in longer.values() for a in alts]
    options += _new_sessions(problem, booked, helpful, windows, max_starts)
    return longer, options


def _add_choices(
    problem: CoachScheduleProblem,
    model: cp_model.CpModel,
    booked: _Booked,
    longer: dict[Session, list[_Item]],
    options: list[_Item],
) -> list[_Item]:
    """A literal per option, and the booked sessions that may be lengthened (``bases``).

    A booked session stays as it is, or becomes exactly one of its longer versions, so the
    date rules can treat a base like any other session that is on or off.
    """
    for o in options:
        o.lit = model.new_bool_var("")
    bases: list[_Item] = []
    for s, alts in longer.items():
        pi = booked.index[s.pair_id]
        site = problem.pairs[pi].site
        base = _Item(pi, s.day, s.start, s.end, site, "", s, model.new_bool_var(""))
        model.add_exactly_one([base.var, *(a.var for a in alts)])
        bases.append(base)
    return bases


def _add_minute_limits(
    problem: CoachScheduleProblem,
    model: cp_model.CpModel,
    booked: _Booked,
    sessions: Sequence[Session],
    options: list[_Item],
) -> dict[tuple[int, int], list[cp_model.LinearExprT]]:
    """Minutes added per pair-month, within the pair's maximum and the coach's cap.

    Also prices each option (its ``cost``), since the price depends on the days the pair
    already meets. Returns the added minutes per (pair, month), which the minimums use.
    """
    added: dict[tuple[int, int], list[cp_model.LinearExprT]] = defaultdict(list)
    coach_added: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    pair_days = {(booked.index[s.pair_id], s.day) for s in sessions}
    for o in options:
        m = booked.month_of[o.day]
        extra = o.minutes - (o.replaces.minutes if o.replaces else 0)
        added[o.pi, m].append(extra * o.var)
        coach_added[m].append(extra * o.var)
        o.cost = _cost(problem, booked, o, pair_days)
    for (pi, m), terms in added.items():
        model.add(sum(terms) <= booked.room(problem, pi, m))
    if problem.coach_max_minutes_per_month is not None:
        for m, terms in coach_added.items():
            model.add(sum(terms) <= problem.coach_max_minutes_per_month - booked.coach_month[m])
    return added


def _add_shortfalls(
    problem: CoachScheduleProblem,
    cal: Calendar,
    model: cp_model.CpModel,
    booked: _Booked,
    helpful: dict[int, set[int]],
    added: dict[tuple[int, int], list[cp_model.LinearExprT]],
    options: list[_Item],
) -> list[cp_model.LinearExprT]:
    """Shortfall variables per short pair, and the objectives in lexicographic order.

    A pair completed outweighs every monthly minute, so the first stage completes pairs
    rather than fill several partly; then the yearly minimums; then the options' cost.
    """
    pairs = problem.pairs
    month_short: list[cp_model.IntVar] = []
    year_short: list[cp_model.IntVar] = []
    left_short: list[cp_model.IntVar] = []  # per short pair: still misses a minimum
    for pi, months in helpful.items():
        p = pairs[pi]
        months_all = range(p.first_month, cal.n_months)
        mine: list[cp_model.IntVar] = []
        for m in months_all:
            need = p.min_minutes_per_month - booked.got[pi, m]
            if m in months and need > 0:
                short = model.new_int_var(0, p.min_minutes_per_month, "")
                model.add(cp_model.LinearExpr.sum([*added.get((pi, m), []), short]) >= need)
                month_short.append(short)
                mine.append(short)
        if p.min_minutes_total > 0:
            need = p.min_minutes_total - sum(booked.got[pi, m] for m in months_all)
            short = model.new_int_var(0, p.min_minutes_total, "")
            terms = [t for m in months_all for t in added.get((pi, m), [])]
            model.add(cp_model.LinearExpr.sum([*terms, short]) >= need)
            year_short.append(short)
            mine.append(short)
        left = model.new_bool_var("")
        for short in mine:
            model.add(short == 0).only_enforce_if(left.Not())
        left_short.append(left)
    complete_weight = 1 + sum(pairs[pi].min_minutes_per_month for pi in helpful) * cal.n_months
    return [
        complete_weight * sum(left_short) + sum(month_short),
        sum(year_short),
        sum(o.cost * o.var for o in options),
    ]


def _result(
    problem: CoachScheduleProblem,
    sessions: Sequence[Session],
    options: list[_Item],
    solver: cp_model.CpSolver,
    proven: bool,
    stats: dict[str, float],
) -> MakeupResult:
    """The calendar with the chosen options in place of the sessions they lengthen.

    Sorted like every calendar (day, start, pair), so the written schedule stays stable.
    """
    chosen = [o for o in options if solver.boolean_value(o.var)]
    replaced = {o.replaces for o in chosen if o.replaces is not None}
    out = [s for s in sessions if s not in replaced]
    out.extend(
        Session(problem.pairs[o.pi].pair_id, o.day, o.start, o.end, kind=o.kind) for o in chosen
    )
    out.sort(key=lambda s: (s.day, s.start, s.pair_id))
    return MakeupResult(
        tuple(out),
        added=sum(o.kind == MAKEUP for o in chosen),
        lengthened=len(replaced),
        minutes=sum(o.minutes - (o.replaces.minutes if o.replaces else 0) for o in chosen),
        options=len(options),
        status="optimal" if proven else "feasible",
        stats=stats,
    )
