"""The one CP-SAT model of the assignment, shared by the plain and the same-site paths.

One Boolean per eligible pair; constraints (one right node per left node, capacities,
sub-capacities, pins); the tiers as expressions (priority count, coverage, minimum-load fill);
tier 3 as objective terms (pair weights, the balance penalty, the cluster bonus); and a hint
that sets every auxiliary variable consistently with a roster. :mod:`solvers.cpsat_assign` and
:mod:`solvers.same_site` both build on it, so the two paths cannot drift apart.

The cluster bonus (two left nodes of one cluster sharing a right node) is linearised per
(right node, cluster): Booleans ``b_j`` meaning "at least j of them here", with ``j·b_j ≤ n``
and ``b_j ≥ b_{j+1}``; the j-th member adds ``(j − 1)`` bonuses, so n members add n(n−1)/2.

Determinism: the search interleaves a fixed portfolio of subsolvers (``interleave_search``)
under a deterministic time limit, so the roster depends on the input and the seed only — not
on the machine's cores nor on how many worker processes run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from solvers.assignment_data import AssignmentProblem, ProgressFn, SolveStatus

SUBSOLVERS = 4
"""Size of the interleaved CP-SAT portfolio: fixed, so results do not depend on the machine."""

Expr = cp_model.LinearExpr | int
"""A linear expression as built here (``sum`` of no terms is the int 0). Narrower than CP-SAT's
``LinearExprT``, which also admits NumPy integers that its stubs cannot add to an expression."""


@dataclass(frozen=True)
class Tiers:
    """Tiers 0–2 a roster must keep (``priority`` is ignored without priorities)."""

    priority: int
    coverage: int
    filled: int


def parameters(solver: cp_model.CpSolver, time_limit: float, seed: int) -> None:
    """The deterministic portfolio every assignment solve uses."""
    p = solver.parameters
    p.num_workers = SUBSOLVERS
    p.interleave_search = True
    p.interleave_batch_size = 1  # small batches keep the deterministic time limit close
    p.random_seed = seed
    p.max_deterministic_time = max(time_limit, 0.1)  # no wall-clock limit: it would break
    # determinism. Deterministic seconds track wall seconds of one core only roughly.


def status_of(status: int) -> SolveStatus | None:
    """CP-SAT's status as ours; None when no solution was found."""
    if status == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if status == cp_model.FEASIBLE:
        return SolveStatus.FEASIBLE
    return None


class Progress(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to a :data:`ProgressFn`."""

    def __init__(self, report: ProgressFn):
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.ObjectiveValue(), self.BestObjectiveBound(), self.WallTime())


class AssignmentModel:
    """Variables and constraints of one problem; tiers and tier 3 on demand."""

    def __init__(self, problem: AssignmentProblem):
        self.problem = problem
        model = self.model = cp_model.CpModel()
        self.x = x = [model.new_bool_var(f"x{p}") for p in range(problem.n_pairs)]
        by_left: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        by_right: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for p, (k, c) in enumerate(zip(problem.left.tolist(), problem.right.tolist(), strict=True)):
            by_left[k].append(x[p])
            by_right[c].append(x[p])
        for group in by_left.values():
            model.add_at_most_one(group)
        self.loads: list[cp_model.IntVar] = []
        for r in range(problem.n_right):
            load = model.new_int_var(0, int(problem.capacity[r]), f"load{r}")
            model.add(load == sum(by_right.get(r, [])))
            self.loads.append(load)
        for fam in problem.groups:
            members: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for p in np.flatnonzero(fam.pair_group >= 0).tolist():
                members[int(fam.pair_group[p])].append(x[p])
            for g, group in members.items():
                model.add(sum(group) <= int(fam.cap[g]))
        if problem.pinned is not None:
            for p in np.flatnonzero(problem.pinned).tolist():
                model.add(x[p] == 1)
        self.fill = self._min_load_fill()
        self._squares: list[tuple[int, cp_model.IntVar]] = []
        self._bonus: list[tuple[int, list[int], int, cp_model.IntVar]] = []

    # ---------------------------------------------------------------- tiers 0–2

    def _min_load_fill(self) -> list[cp_model.IntVar]:
        problem = self.problem
        if problem.min_load is None:
            return []
        fill: list[cp_model.IntVar] = []
        for r, load in enumerate(self.loads):
            want = int(min(problem.min_load[r], problem.capacity[r]))
            if want > 0:
                f = self.model.new_int_var(0, want, f"fill{r}")
                self.model.add(f <= load)
                fill.append(f)
        return fill

    def priority_count(self) -> Expr:
        problem = self.problem
        if problem.priority is None:
            return 0
        prio = problem.priority[problem.left]
        on: list[int] = np.flatnonzero(prio).tolist()
        return sum(self.x[p] for p in on)

    def tiers_objective(self) -> tuple[Expr, int, int]:
        """Tiers 0–2 folded exactly into one sum: ``(expression, tier-0 unit, tier-1 unit)``.

        Small integers (counts), so the weighting is exact and the LP stays tight.
        """
        wanted = 0 if self.problem.min_load is None else int(self.problem.min_load.sum())
        unit1 = wanted + 1
        unit0 = unit1 * (self.problem.n_left + 1)
        return unit0 * self.priority_count() + unit1 * sum(self.x) + sum(self.fill), unit0, unit1

    def hold(self, tiers: Tiers) -> None:
        """Keep tiers 0–2 at least at these values."""
        if self.problem.priority is not None:
            self.model.add(self.priority_count() >= tiers.priority)
        self.model.add(sum(self.x) >= tiers.coverage)
        if self.fill:
            self.model.add(sum(self.fill) >= tiers.filled)

    # ---------------------------------------------------------------- tier 3

    def tier3(self) -> Expr:
        """Tier 3 as an expression: pair weights, balance penalty, cluster bonus."""
        problem = self.problem
        terms = [int(w) * self.x[p] for p, w in enumerate(problem.weight.tolist()) if w]
        if problem.balance:
            for r, load in enumerate(self.loads):
                sq = self.model.new_int_var(0, int(problem.capacity[r]) ** 2, f"sq{r}")
                self.model.add_multiplication_equality(sq, [load, load])
                terms.append(-problem.balance * sq)
                self._squares.append((r, sq))
        terms += self._cluster_bonus()
        return sum(terms)

    @property
    def bonus_booleans(self) -> int:
        return len(self._bonus)

    def _cluster_bonus(self) -> list[cp_model.LinearExpr]:
        """Linearise ``cluster_bonus · C(n, 2)`` per (right node, cluster); see the module doc.

        A negative bonus (a penalty) flips the direction: ``b_j`` is then forced on, not
        allowed on.
        """
        problem, model = self.problem, self.model
        if not problem.cluster_bonus or problem.cluster is None:
            return []
        members: dict[tuple[int, int], list[int]] = defaultdict(list)
        clusters = problem.cluster[problem.left]
        for p in np.flatnonzero(clusters >= 0).tolist():
            members[(int(problem.right[p]), int(clusters[p]))].append(p)
        terms: list[cp_model.LinearExpr] = []
        for (r, _), pairs in sorted(members.items()):
            top = min(len(pairs), int(problem.capacity[r]))
            previous: cp_model.IntVar | None = None
            n = sum(self.x[p] for p in pairs)
            here: list[tuple[int, cp_model.IntVar]] = []
            for j in range(2, top + 1):
                b = model.new_bool_var("")
                if problem.cluster_bonus > 0:
                    model.add(j * b <= n)  # b may be 1 only when at least j are here
                else:
                    model.add(n <= j - 1 + top * b)  # a penalty: b must be 1 once j are here
                if previous is not None:
                    model.add_implication(b, previous)
                terms.append(problem.cluster_bonus * (j - 1) * b)
                self._bonus.append((r, pairs, j, b))
                here.append((j - 1, b))
                previous = b
            if here and problem.cluster_bonus > 0:
                # C(n, 2) is convex with C(0, 2) = 0, so it lies under its chord to C(top, 2):
                # the tightest linear bound, and far tighter in the LP than the j·b_j <= n alone
                model.add(2 * sum(w * b for w, b in here) <= (top - 1) * n)
        return terms

    # ---------------------------------------------------------------- hint and answer

    def hint(self, chosen: npt.NDArray[np.int64]) -> None:
        """Hint a roster: the pair Booleans and every auxiliary variable made so far."""
        on = np.zeros(self.problem.n_pairs, dtype=bool)
        on[chosen] = True
        for p, value in enumerate(on.tolist()):
            self.model.add_hint(self.x[p], value)
        loads = np.bincount(self.problem.right[chosen], minlength=self.problem.n_right)
        for r, sq in self._squares:
            self.model.add_hint(sq, int(loads[r]) ** 2)
        for _, pairs, j, b in self._bonus:
            self.model.add_hint(b, int(on[pairs].sum()) >= j)

    def chosen(self, solver: cp_model.CpSolver) -> npt.NDArray[np.int64]:
        return np.flatnonzero([solver.BooleanValue(v) for v in self.x]).astype(np.int64)
