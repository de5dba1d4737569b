"""The assignment as a CP-SAT model, for what no flow can express.

The tiers are solved in order rather than folded into one weighted sum with big coefficients
(which hurts CP-SAT's LP relaxation): tiers 0–2 come from the exact min-cost flow whenever the
constraints are flow-shaped (the cluster bonus only changes the objective, so it does not
change them), otherwise from a first CP-SAT solve of those counts alone; then the model of
:mod:`solvers.cpsat_model` maximises tier 3 with tiers 0–2 held at their optimum. The flow's
roster is the warm start. Without coupling terms the flow optimum is also an upper bound,
added as a constraint, so CP-SAT proves optimality at once.

A positive cluster bonus with flow-shaped constraints is better served by
:func:`solvers.same_site.solve_clusters` (CP-SAT's LP sees only the chord of that convex
term); :func:`solvers.dispatch.solve` makes that choice, not this module.
"""

from __future__ import annotations

import dataclasses
import math
import time

from ortools.sat.python import cp_model

from solvers.assignment_data import (
    AssignmentProblem,
    AssignmentSolution,
    ProgressFn,
    SolveStatus,
    min_load_met,
    priority_met,
    tier3_value,
)
from solvers.cpsat_model import AssignmentModel, Progress, Tiers, parameters, status_of
from solvers.flow import pins_fit, solve_flow


@dataclasses.dataclass(frozen=True)
class _TierResult:
    tiers: Tiers
    proven: bool
    priority_bound: int
    coverage_bound: int


def _tiers_by_cpsat(problem: AssignmentProblem, time_limit: float, seed: int) -> _TierResult | None:
    """Tiers 0–2 when side constraints are not flow-shaped: a first, small CP-SAT solve.

    The bounds per tier follow from the solve's bound on the folded sum: tier 0 at most
    ``⌊bound / unit0⌋``, and tier 1, among rosters at the tier 0 found, at most
    ``⌊(bound − unit0 · tier 0) / unit1⌋``.
    """
    built = AssignmentModel(problem)
    folded, unit0, unit1 = built.tiers_objective()
    built.model.maximize(folded)
    solver = cp_model.CpSolver()
    parameters(solver, time_limit, seed)
    status = status_of(solver.Solve(built.model))
    if status is None:
        return None
    chosen = built.chosen(solver)
    tiers = Tiers(priority_met(problem, chosen), len(chosen), min_load_met(problem, chosen))
    if status == SolveStatus.OPTIMAL:
        return _TierResult(tiers, True, tiers.priority, tiers.coverage)
    bound = math.floor(solver.BestObjectiveBound() + 1e-6)
    prio_bound = tiers.priority
    if problem.priority is not None:
        prio_bound = max(min(bound // unit0, int(problem.priority.sum())), tiers.priority)
    cover_bound = max(min((bound - unit0 * tiers.priority) // unit1, problem.n_left), len(chosen))
    return _TierResult(tiers, False, int(prio_bound), int(cover_bound))


def solve_cpsat(
    problem: AssignmentProblem,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> AssignmentSolution:
    """Lexicographic optimum (see :mod:`solvers.assignment_data`) with any side terms."""
    start = time.perf_counter()
    if not pins_fit(problem):
        return AssignmentSolution.infeasible("cpsat")

    warm = None
    found: _TierResult | None
    if len(problem.groups) <= 1:  # flow-shaped constraints: tiers 0–2 from the exact flow
        warm = solve_flow(dataclasses.replace(problem, cluster_bonus=0))
        tiers = Tiers(warm.priority_assigned, warm.assigned, warm.min_load_met)
        found = _TierResult(tiers, True, warm.priority_assigned, warm.assigned)
    else:
        found = _tiers_by_cpsat(problem, time_limit / 3, seed)
        if found is None:
            return AssignmentSolution.infeasible("cpsat")

    built = AssignmentModel(problem)
    built.hold(found.tiers)
    objective = built.tier3()
    if warm is not None and not built.bonus_booleans:
        built.model.add(objective <= warm.objective)  # the flow optimum bounds this problem
    built.model.maximize(objective)
    if warm is not None:
        built.hint(warm.chosen)

    solver = cp_model.CpSolver()
    parameters(solver, time_limit, seed)
    status = status_of(solver.Solve(built.model, Progress(progress) if progress else None))
    seconds = time.perf_counter() - start
    if status is None:
        if warm is not None:  # the hint is feasible; keep it rather than report nothing
            return AssignmentSolution.from_roster(
                problem, warm.chosen, seconds, "cpsat", SolveStatus.FEASIBLE
            )
        return AssignmentSolution.infeasible("cpsat")
    chosen = built.chosen(solver)
    value = tier3_value(problem, chosen)
    proven = status == SolveStatus.OPTIMAL and found.proven
    bound = value if proven else max(math.floor(solver.BestObjectiveBound() + 1e-6), value)
    return AssignmentSolution(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        chosen=chosen,
        assigned=len(chosen),
        min_load_met=min_load_met(problem, chosen),
        objective=value,
        bound=bound,
        solve_seconds=seconds,
        solver="cpsat",
        stats={
            "booleans": problem.n_pairs,
            "cluster_booleans": built.bonus_booleans,
            "conflicts": solver.NumConflicts(),
            "deterministic_time": solver.parameters.max_deterministic_time,
        },
        priority_assigned=priority_met(problem, chosen),
        priority_bound=found.priority_bound,
        assigned_bound=found.coverage_bound,
    )
