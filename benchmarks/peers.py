"""Peer methods for the assignment benchmark, all on the same :class:`AssignmentProblem` arrays.

Every peer solves the same lexicographic objective as coachmatch — first the most year-2
candidates assigned (the problem's ``priority`` left nodes, where set), then the most candidates
assigned, then the largest total integer weight (the pair scores scaled by ``WEIGHT_SCALE``) —
on the same eligible pairs and the same places per coach, so objectives compare exactly:

* ``coachmatch`` — what ``coachmatch assign`` runs (``solver="auto"``: the exact min-cost flow
  for these cohorts);
* ``cpsat`` — coachmatch's CP-SAT model (``solver="cpsat"``), the path taken when a term couples
  pairs;
* ``greedy`` — coachmatch's spreadsheet baseline (each candidate its best coach with room);
* ``highs_milp`` — the textbook MILP (one binary per pair; one coach per candidate; places per
  coach) solved by HiGHS through ``highspy``;
* ``pulp_cbc`` — the same MILP built with PuLP and solved by the CBC binary PuLP ships;
* ``ortools_mcf`` — a plain min-cost flow (source → candidate → coach → sink) with OR-Tools'
  ``SimpleMinCostFlow``, written here from scratch rather than through ``solvers.flow``.

Lexicographic objective of the MILPs: **one solve per level**, not a big-M. Phase 0 maximises
the priority pairs chosen (P*, only with priorities); phase 1 adds ``Σ_prio x ≥ P*`` and
maximises the count of chosen pairs (N*); phase 2 adds ``Σ x ≥ N*`` and maximises the total
weight. A one-solve
big-M would need M above the largest weight total (~10¹⁰ at state size), pushing the objective
to ~10¹⁴, where the solvers' 1e-9 relative tolerances no longer separate single weight units.
The phases keep the constraint matrix totally unimodular (the priority and coverage rows are
unions of candidate rows), so the LP root is integral. The plain min-cost flow takes the other
road on purpose, to cross-check coachmatch's staged flow: one solve with a priority bonus ``M``
(above every weight total) on the source arcs of priority candidates.

The peers handle the plain model only (no pins, minimum loads, sub-capacity groups, load
balancing or same-site bonus): :func:`plain` checks that, and the generated cohorts are plain.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solvers.assignment_data import AssignmentProblem

METHODS = ("coachmatch", "cpsat", "greedy", "highs_milp", "pulp_cbc", "ortools_mcf")
EXACT = frozenset({"coachmatch", "cpsat", "highs_milp", "pulp_cbc", "ortools_mcf"})
"""Methods that must reach the proven optimum; ``greedy`` is a heuristic."""


@dataclass(frozen=True)
class PeerResult:
    method: str
    status: str  # optimal / feasible
    chosen: np.ndarray  # sorted pair indices
    assigned: int
    objective: int  # total weight, in WEIGHT_SCALE units
    bound: int
    seconds: float

    @property
    def gap(self) -> float:
        return abs(self.bound - self.objective) / max(abs(self.bound), 1)


def plain(problem: AssignmentProblem) -> bool:
    """Whether the problem is the plain b-matching every peer models."""
    return (
        (problem.min_load is None or not problem.min_load.any())
        and (problem.pinned is None or not problem.pinned.any())
        and not problem.groups
        and problem.balance == 0
        and problem.cluster_bonus == 0
    )


def _priority_pairs(problem: AssignmentProblem) -> np.ndarray | None:
    """Pair -> 1.0 where its left node is a priority node; None without priorities."""
    if problem.priority is None or not problem.priority.any():
        return None
    return problem.priority[problem.left].astype(float)


def check_feasible(problem: AssignmentProblem, chosen: np.ndarray) -> None:
    """Raise if ``chosen`` gives a candidate two coaches or a coach more than its places."""
    left = problem.left[chosen]
    if len(np.unique(left)) != len(left):
        raise AssertionError("a candidate got two coaches")
    load = np.bincount(problem.right[chosen], minlength=problem.n_right)
    if (load > problem.capacity).any():
        raise AssertionError("a coach got more candidates than places")


def _result(
    method: str,
    problem: AssignmentProblem,
    chosen: np.ndarray,
    status: str,
    start: float,
    bound: int | None = None,
) -> PeerResult:
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    seconds = time.perf_counter() - start
    check_feasible(problem, chosen)
    value = int(problem.weight[chosen].sum())
    return PeerResult(
        method, status, chosen, len(chosen), value, value if bound is None else bound, seconds
    )


# --------------------------------------------------------------------------------------------
# coachmatch's own paths


def solve_coachmatch(problem: AssignmentProblem) -> PeerResult:
    from solvers.dispatch import solve

    start = time.perf_counter()
    solution, _ = solve(problem, "auto")
    return _result("coachmatch", problem, solution.chosen, solution.status, start, solution.bound)


def solve_cpsat_path(problem: AssignmentProblem) -> PeerResult:
    from solvers.dispatch import solve

    start = time.perf_counter()
    solution, _ = solve(problem, "cpsat", time_limit=60.0)
    return _result("cpsat", problem, solution.chosen, solution.status, start, solution.bound)


def solve_greedy_baseline(problem: AssignmentProblem) -> PeerResult:
    from solvers.greedy import solve_greedy

    start = time.perf_counter()
    solution = solve_greedy(problem)
    return _result("greedy", problem, solution.chosen, "feasible", start)


# --------------------------------------------------------------------------------------------
# MILP: HiGHS through highspy


def _rows(problem: AssignmentProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSC arrays of the constraint matrix: row k (candidate), then n_left + r (coach)."""
    n = problem.n_pairs
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = problem.left
    index[1::2] = problem.n_left + problem.right
    start = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    return start, index, np.ones(2 * n)


def solve_highs_milp(problem: AssignmentProblem) -> PeerResult:
    import highspy

    start = time.perf_counter()
    n = problem.n_pairs
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = problem.n_left + problem.n_right
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.ones(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.ones(problem.n_left), problem.capacity.astype(float)])
    col_start, row_index, value = _rows(problem)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = col_start
    lp.a_matrix_.index_ = row_index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    everything = np.arange(n, dtype=np.int32)
    prio = _priority_pairs(problem)
    if prio is not None:
        h.changeColsCost(n, everything, prio)
        h.run()  # phase 0: priority nodes
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS phase 0: {h.modelStatusToString(h.getModelStatus())}")
        first = round(h.getInfo().objective_function_value)
        h.addRow(first, highspy.kHighsInf, n, everything, prio)
        h.changeColsCost(n, everything, np.ones(n))
    h.run()  # phase 1: coverage
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS phase 1: {h.modelStatusToString(h.getModelStatus())}")
    covered = round(h.getInfo().objective_function_value)
    h.addRow(covered, highspy.kHighsInf, n, everything, np.ones(n))
    h.changeColsCost(n, everything, problem.weight.astype(float))
    h.run()  # phase 2: weight, coverage held
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS phase 2: {h.modelStatusToString(h.getModelStatus())}")
    x = np.asarray(h.getSolution().col_value)
    bound = int(np.floor(h.getInfo().mip_dual_bound + 1e-6))
    chosen = np.flatnonzero(x > 0.5)
    result = _result("highs_milp", problem, chosen, "optimal", start)
    return _with_bound(result, bound)


def _with_bound(result: PeerResult, bound: int) -> PeerResult:
    from dataclasses import replace

    return replace(result, bound=max(bound, result.objective))


# --------------------------------------------------------------------------------------------
# MILP: PuLP with CBC


def solve_pulp_cbc(problem: AssignmentProblem) -> PeerResult:
    with warnings.catch_warnings():  # PuLP 3.x deprecates the 2.x spellings used here
        warnings.simplefilter("ignore", DeprecationWarning)
        return _solve_pulp_cbc(problem)


def _solve_pulp_cbc(problem: AssignmentProblem) -> PeerResult:
    import pulp

    start = time.perf_counter()
    n = problem.n_pairs
    model = pulp.LpProblem("coverage", pulp.LpMaximize)
    if hasattr(model, "add_variable"):  # PuLP >= 3.3
        x = [model.add_variable(f"x{p}", 0, 1, pulp.LpBinary) for p in range(n)]
    else:
        x = [pulp.LpVariable(f"x{p}", 0, 1, pulp.LpBinary) for p in range(n)]
    by_left: dict[int, list] = {}
    by_right: dict[int, list] = {}
    for p, (k, c) in enumerate(zip(problem.left.tolist(), problem.right.tolist(), strict=True)):
        by_left.setdefault(k, []).append(x[p])
        by_right.setdefault(c, []).append(x[p])
    for k, group in by_left.items():
        model += pulp.lpSum(group) <= 1, f"cand{k}"
    for c, group in by_right.items():
        model += pulp.lpSum(group) <= int(problem.capacity[c]), f"coach{c}"
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, threads=1)
    prio = _priority_pairs(problem)
    if prio is not None:
        first = [v for v, on in zip(x, prio.tolist(), strict=True) if on]
        model.setObjective(pulp.lpSum(first))
        if model.solve(solver) != pulp.LpStatusOptimal:
            raise RuntimeError(f"CBC phase 0: {pulp.LpStatus[model.status]}")
        model += pulp.lpSum(first) >= round(pulp.value(model.objective)), "priority"
    model.setObjective(pulp.lpSum(x))
    if model.solve(solver) != pulp.LpStatusOptimal:
        raise RuntimeError(f"CBC phase 1: {pulp.LpStatus[model.status]}")
    covered = round(pulp.value(model.objective))
    model += pulp.lpSum(x) >= covered, "coverage"
    model.setObjective(
        pulp.lpSum(int(w) * v for w, v in zip(problem.weight.tolist(), x, strict=True) if w)
    )
    if model.solve(solver) != pulp.LpStatusOptimal:
        raise RuntimeError(f"CBC phase 2: {pulp.LpStatus[model.status]}")
    chosen = [p for p, v in enumerate(x) if (v.varValue or 0.0) > 0.5]
    return _result("pulp_cbc", problem, np.array(chosen, dtype=np.int64), "optimal", start)


# --------------------------------------------------------------------------------------------
# Min-cost flow: OR-Tools, written out plainly


def solve_ortools_mcf(problem: AssignmentProblem) -> PeerResult:
    from ortools.graph.python import min_cost_flow

    start = time.perf_counter()
    n_left, n_right, n = problem.n_left, problem.n_right, problem.n_pairs
    source, sink = n_left + n_right, n_left + n_right + 1
    tails = np.concatenate([np.full(n_left, source), problem.left, n_left + np.arange(n_right)])
    heads = np.concatenate([np.arange(n_left), n_left + problem.right, np.full(n_right, sink)])
    caps = np.concatenate([np.ones(n_left), np.ones(n), problem.capacity]).astype(np.int64)
    bonus = np.zeros(n_left, dtype=np.int64)
    if problem.priority is not None:  # one solve: a priority bonus above every weight total
        big = int(np.abs(problem.weight).sum()) + 1
        if big * (n_left + n_right + 3) >= 2**62:
            raise RuntimeError("priority bonus too large for 64-bit costs")
        bonus = np.where(problem.priority, big, 0).astype(np.int64)
    costs = np.concatenate([-bonus, -problem.weight, np.zeros(n_right)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs.astype(np.int64)
    )
    flow.set_node_supply(source, n_left)
    flow.set_node_supply(sink, -n_left)
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        raise RuntimeError("OR-Tools min-cost flow did not reach an optimum")
    used = flow.flows(np.arange(n_left, n_left + n)) > 0
    return _result("ortools_mcf", problem, np.flatnonzero(used), "optimal", start)


SOLVE: dict[str, Callable[[AssignmentProblem], PeerResult]] = {
    "coachmatch": solve_coachmatch,
    "cpsat": solve_cpsat_path,
    "greedy": solve_greedy_baseline,
    "highs_milp": solve_highs_milp,
    "pulp_cbc": solve_pulp_cbc,
    "ortools_mcf": solve_ortools_mcf,
}
