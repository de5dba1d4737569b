"""Monthly session counts under the coach's monthly hour cap (stage 2, only when it binds).

The plans give each pair its best counts alone. The coach's cap is the only rule that couples
pairs' months, so when the plans' counts exceed it in some month, this small CP-SAT model
(one integer per slot and month) re-chooses the counts of the now fixed standing week:
shortfalls first, then sessions and minutes, as in the plans.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .calendar import Calendar
from .plans import Plan, points
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


def capped_counts(
    problem: CoachScheduleProblem,
    cal: Calendar,
    chosen: dict[int, Plan],
    *,
    seed: int,
    work_limit: float,
    time_limit: float,
) -> tuple[dict[int, list[list[int]]], bool]:
    """Counts per pair (index) and slot within the cap; and whether they are proven optimal."""
    cap = problem.coach_max_minutes_per_month
    assert cap is not None
    wts = problem.weights
    model = cp_model.CpModel()
    xs: dict[int, list[list[cp_model.IntVar | int]]] = {}
    month_terms: dict[int, list] = {m: [] for m in range(cal.n_months)}
    objective = []
    for pi, plan in chosen.items():
        pair = problem.pairs[pi]
        pmax = pair.max_minutes_per_month
        per_slot: list[list[cp_model.IntVar | int]] = []
        for k, spec in enumerate(plan.slots):
            row: list[cp_model.IntVar | int] = []
            for m in range(cal.n_months):
                room = cal.count(spec.weekday, m, spec.mode) if m >= pair.first_month else 0
                room = min(room, cap // spec.length)
                if pmax is not None:
                    room = min(room, pmax // spec.length)
                if room <= 0:
                    row.append(0)
                    continue
                x = model.new_int_var(0, room, "")
                model.add_hint(x, min(room, plan.counts[k][m]))
                row.append(x)
                month_terms[m].append(spec.length * x)
                objective.append((points(wts.session) + points(wts.minute, spec.length)) * x)
            per_slot.append(row)
        xs[pi] = per_slot
        year = []
        for m in range(pair.first_month, cal.n_months):
            minutes = sum(spec.length * per_slot[k][m] for k, spec in enumerate(plan.slots))
            year.append(minutes)
            if pmax is not None:
                model.add(minutes <= pmax)
            if pair.min_minutes_per_month > 0:
                short = model.new_int_var(0, pair.min_minutes_per_month, "")
                model.add(minutes + short >= pair.min_minutes_per_month)
                objective.append(points(wts.shortfall_minute) * short)
        if pair.min_minutes_total > 0:
            short = model.new_int_var(0, pair.min_minutes_total, "")
            model.add(sum(year) + short >= pair.min_minutes_total)
            objective.append(points(wts.year_shortfall_minute) * short)
    for terms in month_terms.values():
        if terms:
            model.add(sum(terms) <= cap)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = work_limit
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # cannot happen (all zeros is feasible); keep the calendar valid regardless
        return {pi: [[0] * cal.n_months for _ in plan.slots] for pi, plan in chosen.items()}, False
    out = {
        pi: [[int(solver.value(x)) if not isinstance(x, int) else x for x in row] for row in rows]
        for pi, rows in xs.items()
    }
    return out, status == cp_model.OPTIMAL
