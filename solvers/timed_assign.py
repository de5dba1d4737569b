"""The assignment with each coach's free week as capacity: a time relaxation of assign + schedule.

An assignment on paper counts places only; a pair can meet only when coach and candidate share
free time, and a coach's candidates share the coach's week. This model adds the week.

Atoms
-----
Per coach (right node), each weekday is cut at the ends of its pairs' *usable segments* (a
pair's common windows, merged per weekday, at least the shortest session long). Each piece
between two breakpoints is an *atom*: on it, the set of the coach's pairs that may meet is
constant. Atoms with the same set of pairs are merged: for the flow of minutes from pairs to
atoms only the set matters, so the merge is exact.

Model (per connected component of the pair graph), over ``x[p]`` Booleans only
-------------------------------------------------------------------------------
- at most one pair per left node; places per right node; pins and group caps as in
  :mod:`solvers.cpsat_assign`;
- **Hall rows**: the minutes of pairs from atoms to pairs form a transportation problem per
  right node; it is feasible only if every set of pairs fits in the atoms it can reach. One row
  per distinct atom set of a pair (with every pair whose atoms lie inside it) and one for the
  node's whole week: ``Σ yearly minimum · x ≤`` the atoms' session minutes over the usable
  dates. Touching pieces of a weekday form intervals, and an interval holds at most the
  longest sum of session lengths that fits in it (a 75-minute gap holds 60 minutes of
  60/90/120-minute sessions);
- the same rows **month by month** for the monthly minimums: the pairs that run in a month
  and reach only an atom set need their monthly minimums from that set's session minutes on
  that month's usable dates (a month that loses Mondays to blackouts holds fewer Monday-only
  pairs, though the year's Mondays would hold them all); per month the whole week's rows
  also respect the right node's monthly cap, and per year its cap;
- a pair whose own windows cannot hold a monthly or the yearly minimum (sessions packed back to
  back each usable date, within the pair's monthly maximum) cannot be chosen.

- **proven cuts** (``cuts``): rows ``Σ x <= most`` over sets of one right node's pairs that
  the date-by-date month model (:mod:`solvers.scheduling.month_fit`) proves cannot all meet,
  added by :mod:`solvers.timed_cuts`. They see what the rows cannot: whole sessions on each
  date and the travel between sites.

A first version had the transportation flow itself (``y[pair, atom]`` minutes): on the sample
it proved 161, against 162 here, but took minutes on a district, where these rows prove 922 in
seconds. The rows are necessary conditions of that flow, so the model stays a relaxation: every
valid schedule satisfies it (its sessions, counted per atom, are a feasible flow), so its
largest coverage, and CP-SAT's proven bound on it, bounds from above how many left nodes *any*
roster can have with every pair meeting its hours. Travel (except through the cuts), the start
grid and the standing-week structure are left out: that is what makes it a relaxation.

For the *roster* (not the bound) ``reserve`` replaces the yearly minimum in the rows: what a
standing weekly slot blocks; ``room_permille`` lowers a right node's room where its calendar
came out short. Both are heuristics that steer the roster towards what the per-coach scheduler
can realise; :func:`coverage_bound` ignores them.

Solves
------
:func:`coverage_bound` maximises coverage alone: the bound. :func:`continuity_bound` maximises
the continuity pairs alone: the most any roster keeps at once (other pairs only take time, so
they are left out). :func:`week_holds` tests one right node's pairs against its rows.
:func:`solve_timed` finds the roster, lexicographically: the priority left nodes (year-2
candidates), coverage and the *continuity* pairs in one objective (each weighted above all the
later ones can add), then the pair weights with those counts held. One CP-SAT worker,
linearization level 2 (the rows need the LP), a deterministic time limit and a fixed seed,
components in a fixed order: the result does not depend on the machine.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections import defaultdict
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from solvers.assignment_data import AssignmentProblem
from solvers.decompose import components
from solvers.scheduling.calendar import normalise_windows, pack
from solvers.scheduling.problem import TimeWindow

WEIGHT_DIVISOR = 1000
"""Pair weights enter the last tier at 1/1000 of their scale (0.01 score points)."""


@dataclasses.dataclass(frozen=True)
class TimedAssignProblem:
    """An assignment problem plus each pair's weekly common windows and the calendar.

    - ``base``: left/right nodes, pairs, weights, places, pins and group caps;
    - ``windows[p]``: the pair's common weekly windows ``(weekday, start, end)`` in minutes;
    - ``dates[d, m]``: usable dates of weekday ``d`` (0 = Monday) in month ``m``;
    - ``session_lengths``: allowed session minutes;
    - ``first_month[p]``: the pair's first month (its left node's start);
    - ``min_month`` / ``max_month``: each pair's monthly minimum and maximum minutes
      (``max_month`` 0 = no maximum); ``min_total[p]``: its yearly minimum (pro-rated);
    - ``coach_cap[r]``: the right node's monthly cap in minutes, -1 = none;
    - ``priority[k]``: left nodes to cover first (year-2 candidates);
    - ``continuity[p]``: pairs to keep, after coverage (a year-2 candidate and its coach).
    """

    base: AssignmentProblem
    windows: tuple[tuple[tuple[int, int, int], ...], ...]
    dates: np.ndarray
    session_lengths: tuple[int, ...]
    first_month: np.ndarray
    min_month: int
    max_month: int
    min_total: np.ndarray
    coach_cap: np.ndarray
    priority: np.ndarray | None = None
    continuity: np.ndarray | None = None
    reserve: np.ndarray | None = None
    """Per pair, the minutes of the coach's week a roster should set aside for it (at least
    its yearly minimum), e.g. what a standing weekly slot blocks. Used by :func:`solve_timed`
    only, never by :func:`coverage_bound`: a heuristic tightening, not a relaxation."""
    room_permille: np.ndarray | None = None
    """Per right node, the share (in thousandths) of its atoms' minutes a roster may plan on
    (:func:`solve_timed` only): ``plan`` lowers it for a coach whose calendar came out short."""
    place_xy: np.ndarray | None = None
    """Per left node, its own (lat, lon), NaN where unknown: the travel rule's places."""
    place_site: np.ndarray | None = None
    """Per left node, an id of its named site (-1 none): one site needs no travel."""
    travel_kmh: float = 0.0
    """The coach's travel speed between sites (0: travel left out)."""
    cuts: tuple[tuple[tuple[int, ...], int], ...] = ()
    """Rows ``Σ x[p] <= most`` over sets of one right node's pairs that no calendar can hold
    all together, proven by :mod:`solvers.timed_cuts`; valid, so the bound keeps them."""

    @property
    def n_months(self) -> int:
        return int(self.dates.shape[1])


@dataclasses.dataclass(frozen=True)
class TimedSolution:
    """Chosen pairs (sorted indices) and the tiers reached; ``status`` is ``optimal`` when
    every tier of every component is proven, ``infeasible`` when pins cannot be kept."""

    status: str
    chosen: np.ndarray
    assigned: int
    priority_assigned: int
    continuity_kept: int
    weight: int
    solve_seconds: float
    stats: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class _Atoms:
    """Per right node: merged atoms (pair lists, yearly and monthly capacity)."""

    pairs: list[list[int]]  # atom -> pairs (global indices)
    pieces: list[list[tuple[int, int, int]]]  # atom -> its (weekday, start, end) pieces


def usable_segments(problem: TimedAssignProblem, p: int) -> tuple[TimeWindow, ...]:
    """Pair ``p``'s common windows merged per weekday, on weekdays with dates, each at least
    the shortest session long: where it can meet."""
    weekdays = tuple(int(d) for d in np.flatnonzero(problem.dates.sum(axis=1) > 0))
    windows = tuple(TimeWindow(d, s, e) for d, s, e in problem.windows[p])
    return normalise_windows(windows, min(problem.session_lengths), weekdays)


def _months_from(problem: TimedAssignProblem, p: int) -> np.ndarray:
    mask = np.zeros(problem.n_months, dtype=bool)
    mask[int(problem.first_month[p]) :] = True
    return mask


def pair_fits_alone(problem: TimedAssignProblem, p: int, segments: tuple[TimeWindow, ...]) -> bool:
    """True when the pair's own windows can hold each monthly and the yearly minimum."""
    lengths = tuple(sorted(problem.session_lengths))
    per_day = np.zeros(7, dtype=np.int64)
    for w in segments:
        per_day[w.weekday] += pack(w.end - w.start, lengths)
    months = _months_from(problem, p)
    if not months.any():
        return True  # starts after the year: owes nothing
    monthly = per_day @ problem.dates
    if problem.max_month:
        monthly = np.minimum(monthly, problem.max_month)
    if (monthly[months] < problem.min_month).any():
        return False
    return int(monthly[months].sum()) >= int(problem.min_total[p])


def _atoms(
    problem: TimedAssignProblem, pairs: list[int], segments: dict[int, tuple[TimeWindow, ...]]
) -> _Atoms:
    by_day: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for p in pairs:
        for w in segments[p]:
            by_day[w.weekday].append((w.start, w.end, p))
    merged: dict[tuple[int, ...], list[tuple[int, int, int]]] = {}
    for d, spans in sorted(by_day.items()):
        cuts = sorted({t for s, e, _ in spans for t in (s, e)})
        for a, b in itertools.pairwise(cuts):
            members = tuple(sorted(p for s, e, p in spans if s <= a and b <= e))
            if members:
                merged.setdefault(members, []).append((d, a, b))
    keys = sorted(merged)
    return _Atoms([list(k) for k in keys], [merged[k] for k in keys])


def _usable_week(pieces: list[tuple[int, int, int]], lengths: tuple[int, ...]) -> np.ndarray:
    """Per weekday, the most session minutes a coach can hold inside these pieces of time.

    Touching pieces join into intervals; disjoint sessions inside an interval add up to a sum
    of session lengths no longer than it (``pack``), so a 75-minute gap holds 60 minutes of
    60/90/120-minute sessions, not 75: the tighter, still valid, capacity.
    """
    week = np.zeros(7, dtype=np.int64)
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for d, a, b in pieces:
        by_day[d].append((a, b))
    for d, spans in by_day.items():
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end:
                end = max(end, b)
            else:
                week[d] += pack(end - start, lengths)
                start, end = a, b
        week[d] += pack(end - start, lengths)
    return week


@dataclasses.dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[int, cp_model.IntVar]


def _coach_rows(
    problem: TimedAssignProblem,
    group: list[int],
    fits: dict[int, bool],
    segments: dict[int, tuple[TimeWindow, ...]],
    demand: np.ndarray,
    permille: int = 1000,
) -> tuple[list[tuple[dict[int, int], int]], _Atoms]:
    """The right node's time constraints on its pairs: ``(coefficients, most)`` rows."""
    rows: list[tuple[dict[int, int], int]] = []
    atoms = _atoms(problem, group, segments)
    lengths = tuple(sorted(problem.session_lengths))
    touching: dict[int, set[int]] = defaultdict(set)
    for a, members in enumerate(atoms.pairs):
        for p in members:
            touching[p].add(a)
    need = {p: int(demand[p]) for p in group if fits[p] and demand[p] > 0}
    sets = {frozenset(touching[p]) for p in need} | {frozenset(range(len(atoms.pairs)))}
    for atoms_set in sorted(sets, key=lambda a: (len(a), sorted(a))):
        inside = [p for p in group if fits[p] and touching[p] <= atoms_set]
        chosen = {p: need[p] for p in inside if p in need}
        week = _usable_week([x for a in atoms_set for x in atoms.pieces[a]], lengths)
        monthly = week @ problem.dates
        room = int(monthly.sum()) * permille // 1000
        if sum(chosen.values()) > room:  # Hall: these pairs only reach these atoms
            rows.append((chosen, room))
        if problem.min_month <= 0:
            continue
        for m in range(problem.n_months):  # the same, month by month, for monthly minimums
            running = {p: problem.min_month for p in inside if int(problem.first_month[p]) <= m}
            room_m = int(monthly[m]) * permille // 1000
            if running and problem.min_month * len(running) > room_m:
                rows.append((running, room_m))
    return rows, atoms


def shared_minutes(problem: TimedAssignProblem, p: int, q: int) -> int:
    """Minutes of the week pairs ``p`` and ``q`` of one coach compete for: the overlap of
    their common windows. Whom to move so that another pair fits the coach's week."""
    return sum(
        max(0, min(end_a, end_b) - max(start_a, start_b))
        for day_a, start_a, end_a in problem.windows[p]
        for day_b, start_b, end_b in problem.windows[q]
        if day_a == day_b
    )


def week_holds(problem: TimedAssignProblem, group: list[int]) -> bool:
    """Whether one right node's pairs ``group`` all pass its time rows (each pair's own
    windows, every Hall row, yearly and monthly, and the proven cuts): a fast necessary test
    before asking a scheduler whether they really fit, e.g. when ``plan`` offers a coach one
    more candidate."""
    segments = {p: usable_segments(problem, p) for p in group}
    fits = {p: bool(segments[p]) and pair_fits_alone(problem, p, segments[p]) for p in group}
    if not all(fits.values()):
        return False
    rows, _ = _coach_rows(problem, group, fits, segments, problem.min_total)
    if not all(sum(coefs.values()) <= room for coefs, room in rows):
        return False
    members = set(group)
    return all(sum(p in members for p in cut) <= most for cut, most in problem.cuts)


def _build(
    problem: TimedAssignProblem,
    pairs: np.ndarray,
    allowed: np.ndarray,
    demand: np.ndarray,
    scale: np.ndarray | None = None,
) -> _Model:
    """The model over ``pairs``; ``demand[p]``: the minutes pair ``p`` takes from its atoms;
    ``scale[r]``: the thousandths of right node ``r``'s atoms it may use."""
    base = problem.base
    model = cp_model.CpModel()
    segments = {int(p): usable_segments(problem, int(p)) for p in pairs}
    pinned = base.pinned
    fits = {
        int(p): bool(segments[int(p)]) and pair_fits_alone(problem, int(p), segments[int(p)])
        for p in pairs
    }
    # a pin stays, even where its windows cannot hold the hours (it is then placed, owing
    # nothing here): the coordinator fixed it, and the schedule will report its shortfall
    usable = [
        int(p) for p in pairs if (allowed[p] and fits[int(p)]) or (pinned is not None and pinned[p])
    ]
    x = {p: model.new_bool_var(f"x{p}") for p in usable}
    by_right = _assignment_rows(model, base, usable, x)
    for r, group in sorted(by_right.items()):
        model.add(sum(x[p] for p in group) <= int(base.capacity[r]))
        share = 1000 if scale is None else int(scale[r])
        _coach_time_rows(model, problem, r, group, x, fits, segments, demand, share)
    for members, most in problem.cuts:
        present = [x[p] for p in members if p in x]
        if len(present) > most:
            model.add(sum(present) <= most)
    return _Model(model, x)


def _assignment_rows(
    model: cp_model.CpModel, base: AssignmentProblem, usable: list[int], x: dict[int, Any]
) -> dict[int, list[int]]:
    """The assignment's own constraints: one coach per candidate, program caps per group and
    pins. Returns the usable pairs by coach (right node), whose places the caller adds."""
    by_left, by_right = defaultdict(list), defaultdict(list)
    for p in usable:
        by_left[int(base.left[p])].append(p)
        by_right[int(base.right[p])].append(p)
    for group in by_left.values():
        model.add_at_most_one(x[p] for p in group)
    for fam in base.groups:
        in_group: dict[int, list[Any]] = defaultdict(list)
        for p in usable:
            if fam.pair_group[p] >= 0:
                in_group[int(fam.pair_group[p])].append(x[p])
        for g, members in in_group.items():
            model.add(sum(members) <= int(fam.cap[g]))
    if base.pinned is not None:
        for p in usable:
            if base.pinned[p]:
                model.add(x[p] == 1)
    return by_right


def _coach_time_rows(
    model: cp_model.CpModel,
    problem: TimedAssignProblem,
    r: int,
    group: list[int],
    x: dict[int, Any],
    fits: dict[int, bool],
    segments: dict[int, Any],
    demand: np.ndarray,
    share: int,
) -> None:
    """Coach ``r``'s time: Hall rows over its atoms, its yearly hour cap, and per month the
    running pairs' monthly minimums against its whole week and cap (necessary conditions of
    any valid schedule, so the bound stays valid)."""
    rows, atoms = _coach_rows(problem, group, fits, segments, demand, share)
    cap = int(problem.coach_cap[r])
    for coefs, room in rows:
        model.add(sum(c * x[p] for p, c in coefs.items()) <= room)
    n_months = problem.n_months
    if cap >= 0:
        need = {p: int(problem.min_total[p]) for p in group if fits[p]}
        if sum(need.values()) > cap * n_months:
            model.add(sum(n * x[p] for p, n in need.items()) <= cap * n_months)
    every_piece = [x for pieces in atoms.pieces for x in pieces]
    union_month = _usable_week(every_piece, tuple(sorted(problem.session_lengths))) @ problem.dates
    for m in range(n_months):
        running = [p for p in group if fits[p] and int(problem.first_month[p]) <= m]
        if not running or problem.min_month <= 0:
            continue
        room = int(union_month[m]) if cap < 0 else min(int(union_month[m]), cap)
        if room < problem.min_month * len(running):
            model.add(problem.min_month * sum(x[p] for p in running) <= room)


def _parameters(solver: cp_model.CpSolver, time_limit: float) -> None:
    p = solver.parameters
    p.num_workers = 1  # one worker and a deterministic limit: the same roster on any machine
    p.linearization_level = 2  # the knapsack-like time rows need the LP to prove bounds
    p.random_seed = 0
    p.max_deterministic_time = max(time_limit, 0.1)


def _solve(
    m: _Model, coefs: dict[int, int], time_limit: float, hint: set[int] | None = None
) -> tuple[Any, set[int] | None, int, int]:
    """Maximise ``Σ coefs[p] · x[p]``: (status, chosen pairs, value, proven upper bound)."""
    m.model.maximize(sum(c * m.x[p] for p, c in coefs.items() if c))
    m.model.clear_hints()  # type: ignore[no-untyped-call]
    if hint is not None:
        for p, var in m.x.items():
            m.model.add_hint(var, p in hint)
    solver = cp_model.CpSolver()
    _parameters(solver, time_limit)
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None, 0, 0
    chosen = {p for p, var in m.x.items() if solver.boolean_value(var)}
    value = sum(coefs.get(p, 0) for p in chosen)
    bound = int(np.floor(solver.best_objective_bound + 1e-6))
    return status, chosen, value, max(bound, value)


def _fix(m: _Model, coefs: dict[int, int], value: int) -> None:
    """Hold a solved tier at its value while the next one is optimised."""
    m.model.add(sum(c * m.x[p] for p, c in coefs.items() if c) >= value)


def _parts(problem: TimedAssignProblem) -> list[np.ndarray]:
    return components(problem.base) if problem.base.n_pairs else []


def _budget(time_limit: float, part: np.ndarray, total: int) -> float:
    return max(1.0, time_limit * len(part) / max(total, 1))


@dataclasses.dataclass(frozen=True)
class CoverageBound:
    """The model's most left nodes: proven upper bound, best found, and that roster."""

    bound: int
    found: int
    proven: bool
    chosen: np.ndarray


def coverage_bound(problem: TimedAssignProblem, *, time_limit: float = 60.0) -> CoverageBound:
    """Maximise coverage alone, over every pair: the bound on any schedulable roster."""
    every = np.ones(problem.base.n_pairs, dtype=bool)
    return _most(problem, every, every, time_limit)


def continuity_bound(problem: TimedAssignProblem, *, time_limit: float = 60.0) -> CoverageBound:
    """Maximise the continuity pairs alone: no roster keeps more of them with every pair
    meeting its hours (a year-2 candidate's current coach has one week for all of them).

    Other pairs can only take time, so leaving them out keeps the bound valid; pins stay.
    """
    keep = np.zeros(problem.base.n_pairs, dtype=bool)
    if problem.continuity is not None:
        keep = problem.continuity.astype(bool)
    if not keep.any():
        return CoverageBound(0, 0, True, np.zeros(0, dtype=np.int64))
    return _most(problem, keep, keep, time_limit)


def _most(
    problem: TimedAssignProblem, allowed: np.ndarray, counted: np.ndarray, time_limit: float
) -> CoverageBound:
    """The most ``counted`` pairs (one per left node) a roster over ``allowed`` pairs can hold,
    per component: proven upper bound, best found and its pairs."""
    found = bound = 0
    proven = True
    chosen_all: list[int] = []
    for part in _parts(problem):
        m = _build(problem, part, allowed, problem.min_total)
        coefs = {p: 1 for p in m.x if counted[p]}
        if not coefs:
            continue
        most = len({int(problem.base.left[p]) for p in coefs})
        budget = _budget(time_limit, part, problem.base.n_pairs)
        status, chosen, value, top = _solve(m, coefs, budget)
        if chosen is None:
            if status == cp_model.INFEASIBLE:
                continue  # pins that cannot all be placed: no roster, nothing to bound
            bound += most
            proven = False
            continue
        found += value
        bound += min(top, most)
        proven &= status == cp_model.OPTIMAL and top == value
        chosen_all.extend(sorted(chosen))
    return CoverageBound(bound, found, proven, np.array(sorted(chosen_all), dtype=np.int64))


SHARES = (0.3, 0.55, 0.15)
"""Shares of the time limit: a coverage warm start (unless hinted), the counts (priority,
coverage, continuity), then the pair weights, which only refine."""


def _tiers(
    problem: TimedAssignProblem, xs: dict[int, Any], weight: np.ndarray
) -> list[dict[int, int]]:
    """The roster's objectives, most important first (see the module docstring).

    The three counts (priority nodes, coverage, continuity pairs) share one objective, each
    weighted above the most the later ones can add: its optimum is the lexicographic one,
    and CP-SAT finds it far faster than tier by tier from a roster that suits only the first.
    """
    base = problem.base
    cont = problem.continuity
    kept = {p for p in xs if cont is not None and cont[p]}
    per_cover = len(kept) + 1
    per_first = (len(xs) + 1) * per_cover
    prio = problem.priority
    counts = {
        p: (per_first if prio is not None and prio[int(base.left[p])] else 0)
        + per_cover
        + (1 if p in kept else 0)
        for p in xs
    }
    return [counts, {p: int(weight[p]) for p in xs if weight[p]}]


def solve_timed(
    problem: TimedAssignProblem,
    *,
    allowed: np.ndarray | None = None,
    bonus: np.ndarray | None = None,
    hint: np.ndarray | None = None,
    time_limit: float = 60.0,
) -> TimedSolution:
    """The lexicographic roster of the model over the ``allowed`` pairs (default: all).

    ``bonus`` (pair -> extra integer weight, in the base weight's units) steers the last tier
    only, e.g. to keep pairs whose calendars already fit. ``hint`` (pair indices, e.g. the
    previous round's roster) replaces the coverage warm start. Returns status ``infeasible``
    when pinned pairs cannot be chosen.
    """
    start = time.perf_counter()
    base = problem.base
    n = base.n_pairs
    allowed = np.ones(n, dtype=bool) if allowed is None else allowed
    weight = base.weight.astype(np.int64) + (0 if bonus is None else bonus.astype(np.int64))
    weight = np.maximum(weight // WEIGHT_DIVISOR, 0)
    demand = problem.min_total
    if problem.reserve is not None:
        demand = np.maximum(problem.reserve, problem.min_total)
    chosen_all: list[int] = []
    proven = True
    for part in _parts(problem):
        m = _build(problem, part, allowed, demand, problem.room_permille)
        if not m.x:
            continue
        budget = _budget(time_limit, part, n)
        if hint is None:
            status, best, _, _ = _solve(m, dict.fromkeys(m.x, 1), budget * SHARES[0])
            if best is None and status == cp_model.INFEASIBLE:
                return TimedSolution(
                    "infeasible", np.zeros(0, np.int64), 0, 0, 0, 0, time.perf_counter() - start
                )
        else:
            best = {int(p) for p in hint if int(p) in m.x}
        tiers = _tiers(problem, m.x, weight)
        for level, coefs in enumerate(tiers):
            status, chosen, value, top = _solve(m, coefs, budget * SHARES[level + 1], best)
            if chosen is None:
                if status == cp_model.INFEASIBLE and level == 0:
                    return TimedSolution(
                        "infeasible", np.zeros(0, np.int64), 0, 0, 0, 0, time.perf_counter() - start
                    )
                proven = False
                break
            best = chosen
            proven &= status == cp_model.OPTIMAL and (level == len(tiers) - 1 or top == value)
            if level < len(tiers) - 1:
                _fix(m, coefs, value)
        chosen_all.extend(sorted(best or ()))
    picked = np.array(sorted(chosen_all), dtype=np.int64)
    left = base.left[picked]
    priority, continuity = problem.priority, problem.continuity
    return TimedSolution(
        status="optimal" if proven else "feasible",
        chosen=picked,
        assigned=len(picked),
        priority_assigned=int(priority[left].sum()) if priority is not None else 0,
        continuity_kept=int(continuity[picked].sum()) if continuity is not None else 0,
        weight=int(base.weight[picked].sum()),
        solve_seconds=time.perf_counter() - start,
        stats={"components": len(_parts(problem))},
    )
