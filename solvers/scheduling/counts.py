"""Monthly session counts under the coach's monthly hour cap (stage 2, only when it binds).

The plans give each pair its best counts alone. The coach's cap is the only rule that couples
pairs' months, so when the plans' counts exceed it in some month, this small CP-SAT model
re-chooses, for the now fixed standing week, each slot's **length** and its **counts**:

- a slot may be *shortened* to any allowed length up to the one the week gave it, keeping its
  start. A shorter session at the same start stays inside the window and only widens the gaps
  to its neighbours, so the week stays free of overlaps and travel conflicts. This is what lets
  the sum fit the cap: two pairs needing 3 h a month under a 7 h cap cannot both meet it with
  120-minute sessions (2 x 240 > 420, and 240 + 120 misses one minimum), but 120 + 90-minute
  sessions give 240 + 180 = 420;
- per month, how many of the slot's dates are used (one integer per slot, length and month).

The objective is lexicographic, monthly minimums first: the fewest minutes missing from the
*monthly* minimums (solved alone, usually in a few hundredths of the budget), then, with that
total held, the yearly minimums, sessions and minutes with the plans' weights — so the minutes
left under the cap go where they close the most yearly shortfall. Both solves share one
deterministic budget, as the single solve before did.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from .calendar import Calendar
from .plans import Plan, SlotSpec, make_plan, points, short_pair_points
from .problem import CoachScheduleProblem


def fits_cap(problem: CoachScheduleProblem, cal: Calendar, chosen: dict[int, Plan]) -> bool:
    """Whether the plans' counts keep the coach within its monthly cap."""
    cap = problem.coach_max_minutes_per_month
    if cap is None:
        return True
    for m in range(cal.n_months):
        booked = sum(
            plan.counts[k][m] * spec.length
            for plan in chosen.values()
            for k, spec in enumerate(plan.slots)
        )
        if booked > cap:
            return False
    return True


@dataclass
class _Option:
    """One length a slot may take: its literal and its count per month (0 = no date)."""

    spec: SlotSpec
    lit: cp_model.IntVar
    counts: list[cp_model.IntVar | int]


def capped_plans(
    problem: CoachScheduleProblem,
    cal: Calendar,
    chosen: dict[int, Plan],
    *,
    seed: int,
    work_limit: float,
    time_limit: float,
) -> tuple[dict[int, Plan], bool]:
    """Plans (pair index -> slots, possibly shortened, and counts) within the cap; and whether
    both stages were proven optimal.

    The slots keep the weekday and mode of ``chosen`` (and, in the calendar, their start);
    only their lengths and counts change.
    """
    cap = problem.coach_max_minutes_per_month
    assert cap is not None
    wts = problem.weights
    short_pair = short_pair_points(problem, cal)
    lengths = sorted(problem.session_lengths)
    model = cp_model.CpModel()
    month_terms: dict[int, list[cp_model.LinearExpr]] = {m: [] for m in range(cal.n_months)}
    month_short: list[cp_model.IntVar] = []
    # the rest of the objective: yearly shortfall, sessions, minutes
    rest: list[cp_model.LinearExpr] = []
    options: dict[int, list[list[_Option]]] = {}
    hint: list[tuple[cp_model.IntVar, int]] = []
    for pi, plan in chosen.items():
        pair = problem.pairs[pi]
        pmax = pair.max_minutes_per_month
        per_slot: list[list[_Option]] = []
        for k, spec in enumerate(plan.slots):
            opts: list[_Option] = []
            for ln in (v for v in lengths if v <= spec.length):
                rooms = []
                for m in range(cal.n_months):
                    room = cal.count(spec.weekday, m, spec.mode) if m >= pair.first_month else 0
                    room = min(room, cap // ln, room if pmax is None else pmax // ln)
                    rooms.append(room)
                if not any(rooms) and ln != spec.length:
                    continue  # no date for this length: the week's own length says the same
                lit = model.new_bool_var("")
                hint.append((lit, int(ln == spec.length)))
                counts: list[cp_model.IntVar | int] = []
                for m, room in enumerate(rooms):
                    if room <= 0:
                        counts.append(0)
                        continue
                    x = model.new_int_var(0, room, "")
                    model.add(x == 0).only_enforce_if(lit.Not())
                    hint.append((x, min(room, plan.counts[k][m]) if ln == spec.length else 0))
                    counts.append(x)
                    month_terms[m].append(ln * x)
                    rest.append((points(wts.session) + points(wts.minute, ln)) * x)
                opts.append(_Option(SlotSpec(spec.weekday, spec.mode, ln), lit, counts))
            model.add_exactly_one(o.lit for o in opts)
            per_slot.append(opts)
        options[pi] = per_slot
        year = []
        for m in range(pair.first_month, cal.n_months):
            minutes = sum(o.spec.length * o.counts[m] for opts in per_slot for o in opts)
            year.append(minutes)
            if pmax is not None:
                model.add(minutes <= pmax)
            if pair.min_minutes_per_month > 0:
                short = model.new_int_var(0, pair.min_minutes_per_month, "")
                model.add(minutes + short >= pair.min_minutes_per_month)
                month_short.append(short)
        if pair.min_minutes_total > 0:
            short = model.new_int_var(0, pair.min_minutes_total, "")
            model.add(sum(year) + short >= pair.min_minutes_total)
            rest.append(points(wts.year_shortfall_minute) * short)
    for terms in month_terms.values():
        if terms:
            model.add(sum(terms) <= cap)
    for var, value in hint:
        model.add_hint(var, value)

    # Stage A: the monthly minimums alone. Stage B: the rest, with that total held.
    monthly = sum(month_short)
    model.minimize(monthly)
    solver = _solver(seed, work_limit, time_limit)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # cannot happen (no session at all is feasible) but for the wall-clock safety net;
        # keep the calendar valid regardless
        zero = [0] * cal.n_months
        pairs = problem.pairs
        empty = {
            pi: make_plan(
                problem, cal, pairs[pi], plan.slots, [zero for _ in plan.slots], short_pair
            )
            for pi, plan in chosen.items()
        }
        return empty, False
    picked = _picked(options, solver)
    proven = status == cp_model.OPTIMAL
    model.add(monthly <= round(solver.objective_value))
    _hint_solution(model, solver)
    model.minimize(points(wts.shortfall_minute) * monthly + sum(rest))
    # one budget for both stages (the first usually needs a few hundredths of it), yet never
    # less than half of it for the second
    left = max(work_limit - solver.deterministic_time, work_limit / 2)
    solver = _solver(seed, left, time_limit)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        picked = _picked(options, solver)
    proven = proven and status == cp_model.OPTIMAL
    out = {
        pi: make_plan(problem, cal, problem.pairs[pi], slots, counts, short_pair)
        for pi, (slots, counts) in picked.items()
    }
    return out, proven


def _picked(
    options: dict[int, list[list[_Option]]], solver: cp_model.CpSolver
) -> dict[int, tuple[tuple[SlotSpec, ...], list[list[int]]]]:
    """Per pair, the solution's slots (with their lengths) and counts."""
    out = {}
    for pi, per_slot in options.items():
        slots, counts = [], []
        for opts in per_slot:
            pick = next(o for o in opts if solver.boolean_value(o.lit))
            slots.append(pick.spec)
            counts.append([x if isinstance(x, int) else int(solver.value(x)) for x in pick.counts])
        out[pi] = (tuple(slots), counts)
    return out


def _solver(seed: int, work_limit: float, time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = work_limit
    solver.parameters.max_time_in_seconds = time_limit
    return solver


def _hint_solution(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Replace the model's hint with the solver's solution (every variable)."""
    model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools
    for i in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, solver.value(var))
