"""The assignment as a CP-SAT model, for what no flow can express.

One Boolean per eligible pair, nothing more. The tiers are solved in order rather than folded
into one weighted sum with big coefficients (which hurts CP-SAT's LP relaxation): tiers 1–2 come
from the exact min-cost flow whenever the constraints are flow-shaped (the cluster bonus only
changes the objective, so it does not change them), otherwise from a first CP-SAT solve; then
the model maximises tier 3 with tiers 1–2 held at their optimum. The flow's roster is the warm
start. Without coupling terms the flow optimum is also an upper bound, added as a constraint,
so CP-SAT proves optimality at once.

The cluster bonus (two left nodes of one cluster sharing a right node) is linearised per
(right node, cluster): Booleans ``b_j`` meaning "at least j of them here", with ``j·b_j ≤ n``
and ``b_j ≥ b_{j+1}``; the j-th member adds ``(j − 1)`` bonuses, so n members add n(n−1)/2.

A positive cluster bonus with flow-shaped constraints does not come here at all: CP-SAT's LP
sees only the chord of that convex term, so :func:`solve_cpsat` hands such problems to
:func:`solvers.same_site.solve_clusters` (successive linearisation for the roster, a Lagrangian
relaxation for the bound, and this model only to finish small problems).

Determinism: the search interleaves a fixed portfolio of subsolvers
(``interleave_search``) under a deterministic time limit, so the roster depends on the input
and the seed only — not on the machine's cores nor on how many worker processes run.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from solvers.assignment_data import (
    AssignmentProblem,
    AssignmentSolution,
    min_load_met,
    tier3_value,
)
from solvers.flow import pins_fit, solve_flow
from solvers.same_site import solve_clusters
from solvers.same_site import supported as same_site_applies

SUBSOLVERS = 4
"""Size of the interleaved CP-SAT portfolio: fixed, so results do not depend on the machine."""

ProgressFn = Callable[[float, float, float], None]  # (objective, bound, seconds)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: ProgressFn, offset: float):
        super().__init__()
        self._report, self._offset = report, offset

    def on_solution_callback(self) -> None:
        self._report(self.ObjectiveValue() + self._offset, self.BestObjectiveBound() + self._offset,
                     self.WallTime())  # fmt: skip


def _parameters(solver: cp_model.CpSolver, time_limit: float, seed: int) -> None:
    p = solver.parameters
    p.num_workers = SUBSOLVERS
    p.interleave_search = True
    p.interleave_batch_size = 1  # small batches keep the deterministic time limit close
    p.random_seed = seed
    p.max_deterministic_time = max(time_limit, 0.1)  # no wall-clock limit: it would break
    # determinism. Deterministic seconds track wall seconds of one core only roughly.


def _base_model(problem: AssignmentProblem) -> tuple[cp_model.CpModel, list, list]:
    model = cp_model.CpModel()
    x = [model.NewBoolVar(f"x{p}") for p in range(problem.n_pairs)]
    by_left: dict[int, list] = defaultdict(list)
    by_right: dict[int, list] = defaultdict(list)
    for p, (k, c) in enumerate(zip(problem.left.tolist(), problem.right.tolist(), strict=True)):
        by_left[k].append(x[p])
        by_right[c].append(x[p])
    for group in by_left.values():
        model.AddAtMostOne(group)
    loads = []
    for r in range(problem.n_right):
        load = model.NewIntVar(0, int(problem.capacity[r]), f"load{r}")
        model.Add(load == sum(by_right.get(r, [])))
        loads.append(load)
    for fam in problem.groups:
        members: dict[int, list] = defaultdict(list)
        for p in np.flatnonzero(fam.pair_group >= 0).tolist():
            members[int(fam.pair_group[p])].append(x[p])
        for g, group in members.items():
            model.Add(sum(group) <= int(fam.cap[g]))
    if problem.pinned is not None:
        for p in np.flatnonzero(problem.pinned).tolist():
            model.Add(x[p] == 1)
    return model, x, loads


def _min_load_fill(model: cp_model.CpModel, problem: AssignmentProblem, loads: list) -> list:
    if problem.min_load is None:
        return []
    fill = []
    for r, load in enumerate(loads):
        want = int(min(problem.min_load[r], problem.capacity[r]))
        if want > 0:
            f = model.NewIntVar(0, want, f"fill{r}")
            model.Add(f <= load)
            fill.append(f)
    return fill


def _tiers_by_cpsat(
    problem: AssignmentProblem, time_limit: float, seed: int
) -> tuple[int, int, bool]:
    """Tiers 1–2 when side constraints are not flow-shaped: a first, small CP-SAT solve."""
    model, x, loads = _base_model(problem)
    fill = _min_load_fill(model, problem, loads)
    wanted = 0 if problem.min_load is None else int(problem.min_load.sum())
    model.Maximize(sum(x) * (wanted + 1) + sum(fill))  # coverage first, then minimum loads
    solver = cp_model.CpSolver()
    _parameters(solver, time_limit, seed)
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return -1, -1, False
    chosen = np.array([p for p in range(problem.n_pairs) if solver.BooleanValue(x[p])], np.int64)
    return len(chosen), min_load_met(problem, chosen), status == cp_model.OPTIMAL


def solve_cpsat(
    problem: AssignmentProblem,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> AssignmentSolution:
    """Lexicographic optimum (see :mod:`solvers.assignment_data`) with any side terms."""
    if same_site_applies(problem):
        return solve_clusters(problem, time_limit=time_limit, seed=seed, progress=progress)
    start = time.perf_counter()
    empty = np.zeros(0, np.int64)
    if not pins_fit(problem):
        return AssignmentSolution("infeasible", empty, 0, 0, 0, 0, 0.0, "cpsat")

    flow_shaped = len(problem.groups) <= 1
    warm = None
    if flow_shaped:
        warm = solve_flow(dataclasses.replace(problem, cluster_bonus=0))
        coverage, filled, tiers_proven = warm.assigned, warm.min_load_met, True
    else:
        coverage, filled, tiers_proven = _tiers_by_cpsat(problem, time_limit / 3, seed)
        if coverage < 0:
            return AssignmentSolution("infeasible", empty, 0, 0, 0, 0, 0.0, "cpsat")

    model, x, loads = _base_model(problem)
    model.Add(sum(x) >= coverage)
    fill = _min_load_fill(model, problem, loads)
    if fill:
        model.Add(sum(fill) >= filled)
    terms = [int(w) * x[p] for p, w in enumerate(problem.weight.tolist()) if w]
    if problem.balance:
        for r, load in enumerate(loads):
            sq = model.NewIntVar(0, int(problem.capacity[r]) ** 2, f"sq{r}")
            model.AddMultiplicationEquality(sq, [load, load])
            terms.append(-problem.balance * sq)
    cluster_vars = _cluster_bonus(model, problem, x, terms)
    objective = sum(terms)
    if warm is not None and not cluster_vars:
        model.Add(objective <= warm.objective)  # the flow optimum bounds a flow-shaped problem
    model.Maximize(objective)
    if warm is not None:
        hinted = np.zeros(problem.n_pairs, dtype=bool)
        hinted[warm.chosen] = True
        for p, on in enumerate(hinted.tolist()):
            model.AddHint(x[p], on)

    solver = cp_model.CpSolver()
    _parameters(solver, time_limit, seed)
    callback = _Progress(progress, 0.0) if progress else None
    status = solver.Solve(model, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if warm is not None:  # the hint is feasible; keep it rather than report nothing
            value = tier3_value(problem, warm.chosen)
            seconds = time.perf_counter() - start
            return dataclasses.replace(
                warm, status="feasible", objective=value, solver="cpsat", solve_seconds=seconds
            )
        return AssignmentSolution("infeasible", empty, 0, 0, 0, 0, 0.0, "cpsat")
    chosen = np.array(
        [p for p in range(problem.n_pairs) if solver.BooleanValue(x[p])], dtype=np.int64
    )
    value = tier3_value(problem, chosen)
    proven = status == cp_model.OPTIMAL and tiers_proven
    bound = value if proven else max(int(np.floor(solver.BestObjectiveBound() + 1e-6)), value)
    return AssignmentSolution(
        status="optimal" if proven else "feasible",
        chosen=chosen,
        assigned=len(chosen),
        min_load_met=min_load_met(problem, chosen),
        objective=value,
        bound=bound,
        solve_seconds=time.perf_counter() - start,
        solver="cpsat",
        stats={
            "booleans": problem.n_pairs,
            "cluster_booleans": len(cluster_vars),
            "conflicts": solver.NumConflicts(),
            "deterministic_time": solver.parameters.max_deterministic_time,
        },
    )


def _cluster_bonus(
    model: cp_model.CpModel, problem: AssignmentProblem, x: list, terms: list
) -> list:
    """Linearise ``cluster_bonus · C(n, 2)`` per (right node, cluster); see the module doc.

    A negative bonus (a penalty) flips the direction: ``b_j`` is then forced on, not allowed on.
    """
    if not problem.cluster_bonus or problem.cluster is None:
        return []
    members: dict[tuple[int, int], list] = defaultdict(list)
    clusters = problem.cluster[problem.left]
    for p in np.flatnonzero(clusters >= 0).tolist():
        members[(int(problem.right[p]), int(clusters[p]))].append(x[p])
    created = []
    for (r, _), group in sorted(members.items()):
        top = min(len(group), int(problem.capacity[r]))
        previous = None
        n = sum(group)
        here = []
        for j in range(2, top + 1):
            b = model.NewBoolVar("")
            if problem.cluster_bonus > 0:
                model.Add(j * b <= n)  # b may be 1 only when at least j are here
            else:
                model.Add(n <= j - 1 + top * b)  # a penalty: b must be 1 once j are here
            if previous is not None:
                model.AddImplication(b, previous)
            terms.append(problem.cluster_bonus * (j - 1) * b)
            created.append(b)
            here.append((j - 1, b))
            previous = b
        if here and problem.cluster_bonus > 0:
            # C(n, 2) is convex with C(0, 2) = 0, so it lies under its chord to C(top, 2):
            # the tightest linear bound, and far tighter in the LP than the j·b_j <= n alone
            model.Add(2 * sum(w * b for w, b in here) <= (top - 1) * n)
    return created
