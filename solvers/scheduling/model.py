"""The CP-SAT model of one coach's standing week.

Per pair, one Boolean per *plan* (:mod:`.plans`: which weekday, week mode and length each of
its standing slots has, with all per-pair costs precomputed, the short-pair penalty of a plan
that misses any minimum included) — at most one is chosen; none means the pair gets nothing
and pays its whole shortfall and the penalty. Per *slot* (a pair's first or second
standing appointment):

- ``z[w]``: the slot lies in window ``w`` of the pair (each window is on one weekday);
- ``start``/``size``/``end``: on a *week timeline* ``weekday * day_span + minute``, where
  ``day_span`` exceeds a day by the longest travel time, so slots on different weekdays never
  interact (no "same weekday" literal is needed for overlap or travel);
- ``even``/``odd``: the chosen plan runs the slot on alternate weeks only. The timeline exists
  once per week parity, each with one ``NoOverlap``: a weekly slot is present in both, an
  alternate-week slot in one, so two alternate-week slots of opposite parity may share a time.

The plan fixes the weekday, the mode and the size through linear channelling equalities (the
sum of a slot's windows on weekday ``d`` equals the sum of the chosen plans that put the slot
on ``d``, and so on), so there are no per-plan constraints beyond these sums.

Travel between two slots at different sites is a pairwise disjunction (earlier-with-gap or
later-with-gap), enforced when both are used and not on opposite week parities. The objective
adds, to the plans' costs, each weekday the coach's week uses and, per two different-site slots
on one weekday, their travel minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from .calendar import EVEN, ODD, WEEKLY, Calendar
from .plans import Plan, SlotSpec, points
from .problem import MINUTES_PER_DAY, CoachScheduleProblem, TimeWindow


@dataclass
class SlotVars:
    """Variables of one standing slot (see the module docstring)."""

    pair: int  # index into problem.pairs
    k: int  # 0 = the pair's first slot, 1 = its second
    windows: tuple[TimeWindow, ...]
    used: cp_model.LinearExpr | int  # a sum of literals (0 if none)
    used_lit: cp_model.IntVar
    z: list[cp_model.IntVar]
    q: cp_model.IntVar  # start = window start + step * q
    start: cp_model.IntVar
    size: cp_model.IntVar
    end: cp_model.IntVar
    even: cp_model.IntVar | None
    odd: cp_model.IntVar | None
    on_day: dict[int, cp_model.LinearExpr | int]  # weekday -> 1 when the slot is on it
    interval_even: cp_model.IntervalVar
    interval_odd: cp_model.IntervalVar


@dataclass
class TemplateModel:
    """A built model with handles for the solution."""

    model: cp_model.CpModel
    slots: list[SlotVars]
    plan_vars: dict[int, list[tuple[Plan, cp_model.IntVar]]]  # pair index -> plans
    day_span: int
    step: int


def grid_starts(window: TimeWindow, length: int, step: int) -> range:
    """Start minutes of a ``length`` slot in ``window``: the window's start, then every
    ``step`` minutes (windows given on the quarter hour give starts on the quarter hour)."""
    return range(window.start, window.end - length + 1, step)


def week_day_span(problem: CoachScheduleProblem) -> int:
    """Minutes between two weekdays on the week timeline: a day plus the longest travel."""
    return MINUTES_PER_DAY + max((v for row in problem.travel_minutes for v in row), default=0) + 1


def build_model(
    problem: CoachScheduleProblem,
    cal: Calendar,
    windows_of: dict[int, tuple[TimeWindow, ...]],
    plans_of: dict[int, list[Plan]],
    empty: dict[int, Plan],
    *,
    shortfall_only: bool = False,
    max_shortfall_points: int | None = None,
) -> TemplateModel:
    """Build the standing-week model with its objective set; the caller solves it.

    ``shortfall_only`` keeps only the shortfall part of the plans' costs (short-pair penalties
    and shortfall minutes) and drops the week's terms: the first phase of the solve, which
    only has to serve as many pairs fully, then miss as few minutes, as the week allows.
    ``max_shortfall_points`` caps that total (in points) at what that phase found, which makes
    the objective lexicographic: pairs served, then minutes, then the calendar (the penalty
    outweighs every minute, so the cap admits no week with more short pairs).
    """
    model = cp_model.CpModel()
    day_span = week_day_span(problem)
    objective: list[tuple[cp_model.LinearExprT, int]] = []
    offset = 0
    shortfall_terms: list[tuple[cp_model.IntVar, int]] = []
    shortfall_offset = 0
    slots: list[SlotVars] = []
    plan_vars: dict[int, list[tuple[Plan, cp_model.IntVar]]] = {}
    for pi in range(len(problem.pairs)):
        if pi in empty:
            offset += empty[pi].shortfall_points if shortfall_only else empty[pi].cost
            shortfall_offset += empty[pi].shortfall_points
        plans = plans_of.get(pi, [])
        if not plans:
            continue
        lits = [model.new_bool_var("") for _ in plans]
        model.add_at_most_one(lits)
        plan_vars[pi] = list(zip(plans, lits, strict=True))
        shortfall_terms.extend(
            (lit, plan.shortfall_points - empty[pi].shortfall_points) for plan, lit in plan_vars[pi]
        )
        for plan, lit in plan_vars[pi]:
            if shortfall_only:
                objective.append((lit, plan.shortfall_points - empty[pi].shortfall_points))
            else:
                objective.append((lit, plan.cost - empty[pi].cost))
        n_slots = max(len(p.slots) for p in plans)
        for k in range(n_slots):
            mine = [(p.slots[k], lit) for p, lit in plan_vars[pi] if len(p.slots) > k]
            slots.append(_slot(model, problem, windows_of[pi], pi, k, mine, day_span))

    if max_shortfall_points is not None:
        model.add(
            sum(c * lit for lit, c in shortfall_terms if c) + shortfall_offset
            <= max_shortfall_points
        )
    model.add_no_overlap([s.interval_even for s in slots])
    if problem.alternate_weeks:
        model.add_no_overlap([s.interval_odd for s in slots])
    weekday_points = 0 if shortfall_only else points(problem.weights.weekday)
    travel_weight = 0.0 if shortfall_only else problem.weights.travel_minute
    for d in cal.weekdays:
        on_day = [s for s in slots if d in s.on_day]
        if not on_day:
            continue
        used_day = model.new_bool_var("")
        for s in on_day:
            model.add(s.on_day[d] <= used_day)
        objective.append((used_day, weekday_points))
    _travel(model, problem, slots, objective, travel_weight)
    model.minimize(sum(c * e for e, c in objective if c) + offset)
    return TemplateModel(model, slots, plan_vars, day_span, problem.start_step)


Week = dict[int, tuple[Plan, tuple[int, ...]]]
"""A standing week: pair index -> (plan, start of each slot on the week timeline)."""


def week_points(problem: CoachScheduleProblem, empty: dict[int, Plan], week: Week) -> int:
    """The objective of a week (scaled points), counted exactly as the model counts it."""
    day_span = week_day_span(problem)
    total = sum(week[pi][0].cost if pi in week else e.cost for pi, e in empty.items())
    placed = []  # (weekday, parities, site, pair index)
    for pi, (plan, starts) in week.items():
        for spec, start in zip(plan.slots, starts, strict=True):
            parities = {0, 1} if spec.mode == WEEKLY else {spec.mode - 1}
            placed.append((start // day_span, parities, problem.pairs[pi].site, pi))
    total += points(problem.weights.weekday) * len({d for d, *_ in placed})
    travel = problem.travel_minutes
    for i, (da, qa, sa, pa) in enumerate(placed):
        for db, qb, sb, pb in placed[i + 1 :]:
            if da == db and qa & qb and sa != sb and pa != pb:
                total += points(
                    problem.weights.travel_minute, (travel[sa][sb] + travel[sb][sa]) / 2
                )
    return total


def add_hint(tm: TemplateModel, week: Week) -> None:
    """Hint a week (from the greedy or an earlier phase) to CP-SAT."""
    for pi, options in tm.plan_vars.items():
        choice = week.get(pi)
        for plan, lit in options:
            tm.model.add_hint(lit, choice is not None and plan is choice[0])
    for slot in tm.slots:
        choice = week.get(slot.pair)
        if choice is None or len(choice[0].slots) <= slot.k:
            continue
        start, length = choice[1][slot.k], choice[0].slots[slot.k].length
        tm.model.add_hint(slot.start, start)
        for w, lit in zip(slot.windows, slot.z, strict=True):
            offset = start - (w.weekday * tm.day_span + w.start)
            inside = offset >= 0 and offset % tm.step == 0 and offset + length <= w.end - w.start
            tm.model.add_hint(lit, inside)
            if inside:
                tm.model.add_hint(slot.q, offset // tm.step)


def solution_week(tm: TemplateModel, solver: cp_model.CpSolver) -> Week:
    """The week of a solved model."""
    week: Week = {}
    for pi, options in tm.plan_vars.items():
        for plan, lit in options:
            if solver.boolean_value(lit):
                starts = tuple(
                    solver.value(s.start)
                    for s in tm.slots
                    if s.pair == pi and s.k < len(plan.slots)
                )
                week[pi] = (plan, starts)
    return week


def _slot(
    model: cp_model.CpModel,
    problem: CoachScheduleProblem,
    windows: tuple[TimeWindow, ...],
    pi: int,
    k: int,
    specs: list[tuple[SlotSpec, cp_model.IntVar]],
    day_span: int,
) -> SlotVars:
    """Variables and channelling of slot ``k`` of pair ``pi``; ``specs`` = [(SlotSpec, lit)]."""
    weekdays = sorted({spec.weekday for spec, _ in specs})
    wins = tuple(w for w in windows if w.weekday in weekdays)
    lengths = sorted({spec.length for spec, _ in specs})
    used = sum(lit for _, lit in specs)
    used_lit = model.new_bool_var("")
    model.add(used_lit == used)
    z = [model.new_bool_var("") for _ in wins]
    on_day: dict[int, cp_model.LinearExpr | int] = {}
    for d in weekdays:
        on_day[d] = sum(lit for w, lit in zip(wins, z, strict=True) if w.weekday == d)
        model.add(on_day[d] == sum(lit for spec, lit in specs if spec.weekday == d))
    # start = (chosen window's start on the week timeline) + step * q: a grid anchored at each
    # window's start. Contiguous domains keep presolve and propagation cheap (an explicit list
    # of grid values made presolve ten times slower).
    step = problem.start_step
    q_max = max((w.end - w.start - lengths[0]) // step for w in wins)
    q = model.new_int_var(0, q_max, "")
    bases = [w.weekday * day_span + w.start for w in wins]
    start = model.new_int_var(min(bases), max(bases) + step * q_max, "")
    low = min(bases)  # where an unused slot sits, so its start stays in the domain
    model.add(
        start == sum((b - low) * lit for b, lit in zip(bases, z, strict=True)) + low + step * q
    )
    size = model.new_int_var_from_domain(cp_model.Domain.from_values([0, *lengths]), "")
    end = model.new_int_var(min(bases), max(w.weekday * day_span + w.end for w in wins), "")
    model.add(end == start + size)
    model.add(size == sum(spec.length * lit for spec, lit in specs))
    for w, lit in zip(wins, z, strict=True):
        model.add(step * q + size <= w.end - w.start).only_enforce_if(lit)
        for spec, plit in specs:
            if spec.weekday == w.weekday and spec.length > w.end - w.start:
                model.add_bool_or([lit.Not(), plit.Not()])
    even = odd = None
    present_even = present_odd = used_lit
    if problem.alternate_weeks:
        even_lits = [lit for spec, lit in specs if spec.mode == EVEN]
        odd_lits = [lit for spec, lit in specs if spec.mode == ODD]
        if even_lits:
            even = model.new_bool_var("")
            model.add(even == sum(even_lits))
            present_odd = model.new_bool_var("")
            model.add(present_odd == used - even)
        if odd_lits:
            odd = model.new_bool_var("")
            model.add(odd == sum(odd_lits))
            present_even = model.new_bool_var("")
            model.add(present_even == used - odd)
    iv_even = model.new_optional_interval_var(start, size, end, present_even, "")
    iv_odd = (
        model.new_optional_interval_var(start, size, end, present_odd, "")
        if problem.alternate_weeks
        else iv_even
    )
    return SlotVars(
        pi, k, wins, used, used_lit, z, q, start, size, end, even, odd, on_day, iv_even, iv_odd
    )


def _windows_close(a: TimeWindow, b: TimeWindow, t_ab: int, t_ba: int) -> bool:
    """Whether a session in ``a`` and one in ``b`` (same weekday) could be too close."""
    return a.weekday == b.weekday and a.start < b.end + t_ba and b.start < a.end + t_ab


def _travel(
    model: cp_model.CpModel,
    problem: CoachScheduleProblem,
    slots: list[SlotVars],
    objective: list[tuple[cp_model.LinearExprT, int]],
    travel_weight: float,
) -> None:
    """Travel gaps between slots at different sites, and the same-weekday travel proxy."""
    travel = problem.travel_minutes
    for i, a in enumerate(slots):
        pa = problem.pairs[a.pair]
        for b in slots[i + 1 :]:
            pb = problem.pairs[b.pair]
            if a.pair == b.pair or pa.site == pb.site:
                continue
            t_ab, t_ba = travel[pa.site][pb.site], travel[pb.site][pa.site]
            if t_ab == 0 and t_ba == 0:
                continue
            common = set(a.on_day) & set(b.on_day)
            if not common:
                continue
            escapes: list[cp_model.IntVar] = []
            for x, y in ((a.even, b.odd), (a.odd, b.even)):
                if x is not None and y is not None:
                    e = model.new_bool_var("")
                    model.add_implication(e, x)
                    model.add_implication(e, y)
                    escapes.append(e)
            if any(_windows_close(wa, wb, t_ab, t_ba) for wa in a.windows for wb in b.windows):
                order = model.new_bool_var("")
                guard = [a.used_lit, b.used_lit, *(e.Not() for e in escapes)]
                model.add(a.end + t_ab <= b.start).only_enforce_if([order, *guard])
                model.add(b.end + t_ba <= a.start).only_enforce_if([order.Not(), *guard])
            weight = points(travel_weight, (t_ab + t_ba) / 2)
            if weight <= 0:
                continue
            same_day = model.new_bool_var("")
            for d in common:
                model.add(same_day + sum(escapes) >= a.on_day[d] + b.on_day[d] - 1)
            objective.append((same_day, weight))
