"""The lexicographic optimum of the plain assignment problem, computed independently.

Objective (contract): where ``[priority] year2_first`` (the default), first coach as many
year-2 candidates as possible; then assign as many candidates as possible; then maximize the
total pair score. ``same_site`` is ignored here (it couples pairs; tests of it need their own
oracle). Solved with ``scipy.optimize.milp`` (HiGHS) in phases, so that each level is exactly
before the next: phase 0 maximizes the year-2 candidates assigned Y*, phase 1 the number
assigned N* subject to Y*, phase 2 the score subject to both. All constraint rows (per
candidate; per coach capacity and hour limit; the year-2 and coverage rows) form two laminar
families, so the matrix is totally unimodular and HiGHS settles it at the LP root: fast even
at 1,000 x 130.
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


def year2_first(program: IndependentProgram) -> bool:
    """``[priority] year2_first`` (default true): completing candidates come first."""
    value = program.config.get("priority", {}).get("year2_first", True)
    if not isinstance(value, bool):
        raise ValueError(f"priority.year2_first must be a boolean, found {value!r}")
    return value


def optimum_lexicographic(
    program: IndependentProgram,
) -> tuple[int, int, float, dict[str, str]]:
    """``(year-2 assigned, assigned, total score, an optimal candidate -> coach map)``.

    The contract's objective: where ``year2_first`` (the default), first as many year-2
    candidates as possible; then as many candidates as possible; then the largest total pair
    score. Without ``year2_first`` the first level is skipped (the year-2 count reported is
    then simply that of the roster found).
    """
    pairs = eligible_pairs(program)
    if not pairs:
        return 0, 0, 0.0, {}
    keys = list(pairs)
    n = len(keys)
    scores = np.array([pairs[key] for key in keys], dtype=float)
    year2 = np.array(
        [float(program.candidates[cand].program_year == 2) for _, cand in keys], dtype=float
    )
    limits = _limits(program, keys)
    integrality = np.ones(n)
    bounds = Bounds(0, 1)

    # mip_rel_gap=0: HiGHS's default 1e-4 relative gap could hide a better score.
    # presolve off: HiGHS's MIP presolve turned the (totally unimodular) phase 2 into a
    # 35 s branch-and-bound at 1,000 x 130; without it the LP root is integral (0.3 s).
    options = {"mip_rel_gap": 0.0, "presolve": False}
    fixed: list[LinearConstraint] = []

    def phase(objective: np.ndarray, name: str) -> np.ndarray:
        result = milp(
            -objective,
            constraints=[limits, *fixed],
            integrality=integrality,
            bounds=bounds,
            options=options,
        )
        if not result.success:
            raise RuntimeError(f"{name} failed: {result.message}")
        return result.x

    # the year-2 row and the coverage row are unions of candidate rows: the candidate side
    # stays a laminar family (candidate ⊂ year 2 ⊂ all), so the matrix stays unimodular
    if year2_first(program) and year2.any():
        x = phase(year2, "phase 0 (year 2)")
        n_year2 = round(float(year2 @ x))
        fixed.append(LinearConstraint(csr_matrix(year2.reshape(1, n)), n_year2, np.inf))
    x = phase(np.ones(n), "phase 1 (coverage)")
    n_assigned = round(float(x.sum()))
    fixed.append(LinearConstraint(csr_matrix(np.ones((1, n))), n_assigned, np.inf))
    x = phase(scores, "phase 2 (score)")
    chosen = [keys[j] for j in range(n) if x[j] > 0.5]
    assignment = {cand: coach for coach, cand in chosen}
    total = sum(pairs[key] for key in chosen)
    if len(assignment) != n_assigned:
        raise RuntimeError("phase 2 lost coverage; solver tolerance problem")
    n_year2 = sum(program.candidates[cand].program_year == 2 for cand in assignment)
    return n_year2, n_assigned, total, assignment


def _limits(program: IndependentProgram, keys: list[tuple[str, str]]) -> LinearConstraint:
    """One coach per candidate; capacity and monthly hours per coach."""
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
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), len(keys)))
    return LinearConstraint(matrix.tocsr(), -np.inf, np.array(upper))


def optimum_assignment(program: IndependentProgram) -> tuple[int, float, dict[str, str]]:
    """``(#assigned, total score, an optimal candidate -> coach map)`` of the contract's
    lexicographic optimum (year 2 first where set)."""
    _, n_assigned, total, assignment = optimum_lexicographic(program)
    return n_assigned, total, assignment


def optimum(program: IndependentProgram) -> tuple[int, float]:
    """``(#assigned, total pair score)`` of the lexicographic optimum; same_site = 0."""
    n_assigned, total, _ = optimum_assignment(program)
    return n_assigned, total


def optimum_year2(program: IndependentProgram) -> tuple[int, int, float]:
    """``(year-2 assigned, #assigned, total pair score)`` of the lexicographic optimum."""
    n_year2, n_assigned, total, _ = optimum_lexicographic(program)
    return n_year2, n_assigned, total
