"""The one place that picks the model for an assignment problem.

``auto`` takes the exact min-cost flow whenever no term couples pairs, CP-SAT otherwise.
The CP-SAT path is split into the connected components of the pair graph (exact, see
:mod:`solvers.decompose`), and each component goes to the same-site search when it has a
positive cluster bonus on flow-shaped constraints (CP-SAT's LP sees only the chord of that
convex term), to the CP-SAT model otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from solvers.assignment_data import (
    AssignmentProblem,
    AssignmentSolution,
    ProgressFn,
    SolveStatus,
)
from solvers.cpsat_assign import solve_cpsat
from solvers.decompose import components, subproblem
from solvers.executor import map_ordered
from solvers.flow import solve_flow
from solvers.greedy import solve_greedy
from solvers.same_site import solve_clusters
from solvers.same_site import supported as same_site_applies

METHODS = ("auto", "flow", "cpsat", "greedy")


class NotAFlowError(ValueError):
    """The flow model was asked for a problem it cannot express."""


@dataclass(frozen=True)
class _ComponentJob:
    problem: AssignmentProblem
    time_limit: float
    seed: int


def solve_coupled(
    problem: AssignmentProblem,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> AssignmentSolution:
    """One component with coupling terms: the same-site search where it applies, else CP-SAT."""
    if same_site_applies(problem):
        return solve_clusters(problem, time_limit=time_limit, seed=seed, progress=progress)
    return solve_cpsat(problem, time_limit=time_limit, seed=seed, progress=progress)


def _solve_component(job: _ComponentJob) -> AssignmentSolution:
    return solve_coupled(job.problem, time_limit=job.time_limit, seed=job.seed)


def solve(
    problem: AssignmentProblem,
    method: str = "auto",
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> tuple[AssignmentSolution, int]:
    """Run the chosen model; CP-SAT component by component. Returns (solution, components)."""
    if method not in METHODS:
        raise ValueError(f"unknown solver {method!r}")
    if method == "auto":
        method = "flow" if problem.is_flow else "cpsat"
    if method == "flow":
        if not problem.is_flow:
            raise NotAFlowError(
                "the flow model cannot express this program (same_site bonus, or two crossing "
                "caps): use --solver cpsat or auto"
            )
        return solve_flow(problem), 1
    if method == "greedy":
        return solve_greedy(problem), 1
    start = time.perf_counter()
    parts = components(problem) if problem.n_pairs else []
    if len(parts) <= 1:
        solution = solve_coupled(problem, time_limit=time_limit, seed=seed, progress=progress)
        return solution, len(parts)
    total = problem.n_pairs
    jobs = [
        _ComponentJob(subproblem(problem, idx), max(1.0, time_limit * len(idx) / total), seed)
        for idx in parts
    ]
    solutions = map_ordered(_solve_component, jobs, workers=workers)
    chosen = np.concatenate([idx[s.chosen] for idx, s in zip(parts, solutions, strict=True)])
    statuses = {s.status for s in solutions}
    if SolveStatus.INFEASIBLE in statuses:
        status = SolveStatus.INFEASIBLE
    elif statuses == {SolveStatus.OPTIMAL}:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    merged = AssignmentSolution(
        status=status,
        chosen=np.sort(chosen).astype(np.int64),
        assigned=sum(s.assigned for s in solutions),
        min_load_met=sum(s.min_load_met for s in solutions),
        objective=sum(s.objective for s in solutions),
        bound=sum(s.bound for s in solutions),
        solve_seconds=time.perf_counter() - start,
        solver="cpsat",
        stats={"component_sizes": [len(i) for i in parts[:20]]},
        priority_assigned=sum(s.priority_assigned for s in solutions),
        priority_bound=sum(s.priority_bound for s in solutions),
        assigned_bound=sum(s.assigned_bound for s in solutions),
    )
    return merged, len(parts)
