"""The lexicographic optimum of the plain assignment problem, computed independently.

Objective (contract): first assign as many candidates as possible, then maximize the total
pair score. ``same_site`` is ignored here (it couples pairs; tests of it need their own
oracle). Solved with ``scipy.optimize.milp`` (HiGHS) in two phases, so that coverage is
exactly first: phase 1 maximizes the number assigned N*, phase 2 maximizes the score
subject to assigning N*. All constraint rows (per candidate; per coach capacity and
hour limit; the coverage row) form two laminar families, so the matrix is totally
unimodular and HiGHS settles it at the LP root: fast even at 1,000 x 130.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

from .program import IndependentProgram
from .rules import eligible_pairs

HOURS_EPS = 1e-9


def effective_capacity(program: IndependentProgram, coach_id: str) -> tuple[int, int | None]:
    """``(capacity, hour_limit)``: the coach's monthly-hours rule as a count.

    ``hour_limit`` = floor(max_hours_per_month / monthly_need) (None when no max is given)
    bounds the number of assigned candidates that are coached in at least one program
    month. Why that is exact: every candidate counts at the same monthly need, and a
    candidate coached from its start month on is still coached in the last program month.
    So the set of candidates active in the last month contains the set active in any other
    month; the last month binds, and "hours in every month <= max" is the same as "number
    of candidates active at all <= floor(max / need)". Candidates whose start_month lies
    after the last program month are coached in no month and use no hours: they count
    against ``capacity`` only, which is why the two limits are kept apart. When every
    candidate is coached in some month (the usual case) this is exactly the effective
    capacity min(capacity, floor(max_hours_per_month / monthly_need)).
    The 1e-9 slack matches check_roster's: 40 / (40 / 3) may come out as 2.9999999999999996.
    """
    coach = program.coaches[coach_id]
    if coach.max_hours_per_month is None:
        return coach.capacity, None
    need = program.monthly_need()
    if need <= 0:
        return coach.capacity, None
    return coach.capacity, math.floor(coach.max_hours_per_month / need + HOURS_EPS)


def optimum_assignment(program: IndependentProgram) -> tuple[int, float, dict[str, str]]:
    """``(max #assigned, max total score among those, an optimal candidate -> coach map)``."""
    pairs = eligible_pairs(program)
    if not pairs:
        return 0, 0.0, {}
    keys = list(pairs)
    n = len(keys)
    scores = np.array([pairs[key] for key in keys], dtype=float)

    cand_index = {cid: i for i, cid in enumerate(program.candidates)}
    coach_index = {cid: i for i, cid in enumerate(program.coaches)}
    rows: list[int] = []
    cols: list[int] = []
    upper: list[float] = []
    # one coach per candidate
    for j, (_, cand) in enumerate(keys):
        rows.append(cand_index[cand])
        cols.append(j)
    upper.extend([1.0] * len(cand_index))
    # capacity per coach
    base = len(cand_index)
    for j, (coach, _) in enumerate(keys):
        rows.append(base + coach_index[coach])
        cols.append(j)
    upper.extend(float(program.coaches[c].capacity) for c in program.coaches)
    # monthly hours per coach, as a count of candidates coached in some program month
    base = len(upper)
    hour_rows: dict[str, int] = {}
    for coach in program.coaches:
        _, limit = effective_capacity(program, coach)
        if limit is not None:
            hour_rows[coach] = base + len(hour_rows)
            upper.append(float(limit))
    for j, (coach, cand) in enumerate(keys):
        if coach in hour_rows and program.active_months(cand):
            rows.append(hour_rows[coach])
            cols.append(j)

    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), n)).tocsr()
    limits = LinearConstraint(matrix, -np.inf, np.array(upper))
    integrality = np.ones(n)
    bounds = Bounds(0, 1)

    # mip_rel_gap=0: HiGHS's default 1e-4 relative gap could hide a better score.
    # presolve off: HiGHS's MIP presolve turned the (totally unimodular) phase 2 into a
    # 35 s branch-and-bound at 1,000 x 130; without it the LP root is integral (0.3 s).
    options = {"mip_rel_gap": 0.0, "presolve": False}
    phase1 = milp(
        -np.ones(n),
        constraints=[limits],
        integrality=integrality,
        bounds=bounds,
        options=options,
    )
    if not phase1.success:
        raise RuntimeError(f"phase 1 failed: {phase1.message}")
    n_assigned = round(-phase1.fun)

    cover = LinearConstraint(csr_matrix(np.ones((1, n))), n_assigned, np.inf)
    phase2 = milp(
        -scores,
        constraints=[limits, cover],
        integrality=integrality,
        bounds=bounds,
        options=options,
    )
    if not phase2.success:
        raise RuntimeError(f"phase 2 failed: {phase2.message}")
    chosen = [keys[j] for j in range(n) if phase2.x[j] > 0.5]
    assignment = {cand: coach for coach, cand in chosen}
    total = sum(pairs[key] for key in chosen)
    if len(assignment) != n_assigned:
        raise RuntimeError("phase 2 lost coverage; solver tolerance problem")
    return n_assigned, total, assignment


def optimum(program: IndependentProgram) -> tuple[int, float]:
    """``(max #assigned, max total pair score among max-coverage rosters)``; same_site = 0."""
    n_assigned, total, _ = optimum_assignment(program)
    return n_assigned, total
