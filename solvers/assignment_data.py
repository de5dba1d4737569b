"""Problem and solution data of the assignment models, in plain arrays.

Solvers speak mathematics, not coaching: *left* nodes are demands (candidates) that take at most
one *right* node (a coach), through one of the listed *pairs*. Weights are integers: the domain
side scales pair scores by :data:`WEIGHT_SCALE` once, so every model optimises exactly the same
numbers and their optima compare exactly.

The objective is lexicographic, in tiers:

0. the number of *priority* left nodes assigned (year-2 candidates, who complete the program
   this year, where the program puts them first); no tier 0 without ``priority``;
1. the number of left nodes assigned (coverage);
2. the minimum loads met: sum over right nodes of ``min(load, min_load)``;
3. the pair weights, plus ``cluster_bonus`` for every two left nodes of one cluster that share a
   right node, minus ``balance`` × load² per right node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

ProgressFn = Callable[[float, float, float], None]
"""A solver's progress report: ``(objective, bound, seconds)`` in weight units."""

SolverStats = dict[str, float | bool | list[int]]
"""A model's own figures for the output: counts, seconds, flags, component sizes."""


class SolveStatus(StrEnum):
    """How far a model got; str-valued, so JSON output and comparisons see plain words."""

    OPTIMAL = "optimal"  # every tier proven
    FEASIBLE = "feasible"  # a valid roster, not proven best
    INFEASIBLE = "infeasible"  # no roster: the pins do not fit


WEIGHT_SCALE = 100_000
"""Pair scores are optimised at 1e-5 resolution: exact for the contract's scores to 2 decimals."""


@dataclass(frozen=True)
class GroupCaps:
    """A family of sub-capacities: pair ``p`` belongs to group ``pair_group[p]`` (-1 = none);
    at most ``cap[g]`` chosen pairs per group. Groups never span two right nodes."""

    pair_group: np.ndarray
    cap: np.ndarray


@dataclass(frozen=True)
class AssignmentProblem:
    """Bipartite b-matching with side constraints; see the module docstring for the objective."""

    n_left: int
    n_right: int
    left: np.ndarray  # pair -> left node
    right: np.ndarray  # pair -> right node
    weight: np.ndarray  # pair -> integer weight (scaled score)
    capacity: np.ndarray  # right node -> most pairs
    min_load: np.ndarray | None = None  # right node -> wanted least pairs (soft, tier 2)
    pinned: np.ndarray | None = None  # pair -> must be chosen
    groups: tuple[GroupCaps, ...] = ()
    balance: int = 0
    cluster: np.ndarray | None = None  # left node -> cluster id (-1 = none)
    cluster_bonus: int = 0
    priority: np.ndarray | None = None  # left node -> counts in tier 0 (bool)

    @property
    def n_pairs(self) -> int:
        return len(self.left)

    @property
    def is_flow(self) -> bool:
        """True when a min-cost flow expresses the problem exactly.

        One family of sub-capacities is node splitting; a second family crossing it, or a bonus
        that couples two pairs, is not a flow.
        """
        return len(self.groups) <= 1 and self.cluster_bonus == 0


@dataclass(frozen=True)
class AssignmentSolution:
    """What a model found: chosen pairs (sorted indices into the problem's pairs) and quality.

    ``objective`` and ``bound`` are tier 3 in weight units, given tiers 0–2 at
    ``priority_assigned``, ``assigned`` and ``min_load_met``; ``status`` is optimal only when
    all tiers are proven. ``priority_bound`` bounds tier 0; ``assigned_bound`` bounds tier 1
    among rosters at ``priority_assigned`` (each equals the value when proven).
    """

    status: SolveStatus
    chosen: npt.NDArray[np.int64]
    assigned: int
    min_load_met: int
    objective: int
    bound: int
    solve_seconds: float
    solver: str
    stats: SolverStats = field(default_factory=dict)
    priority_assigned: int = 0
    priority_bound: int = 0
    assigned_bound: int = 0

    @classmethod
    def infeasible(cls, solver: str, seconds: float = 0.0) -> AssignmentSolution:
        """No roster at all (the pins do not fit)."""
        return cls(SolveStatus.INFEASIBLE, np.zeros(0, np.int64), 0, 0, 0, 0, seconds, solver)

    @classmethod
    def from_roster(
        cls,
        problem: AssignmentProblem,
        chosen: npt.NDArray[np.int64] | Sequence[int],
        seconds: float,
        solver: str,
        status: SolveStatus = SolveStatus.OPTIMAL,
        stats: SolverStats | None = None,
    ) -> AssignmentSolution:
        """A solution from a roster alone: each tier's value is also its bound (proven, for an
        exact model; for a heuristic, ``status`` says feasible and the bound claims nothing)."""
        chosen = np.sort(np.asarray(chosen, dtype=np.int64))
        value, prio = tier3_value(problem, chosen), priority_met(problem, chosen)
        return cls(
            status,
            chosen,
            len(chosen),
            min_load_met(problem, chosen),
            value,
            value,
            seconds,
            solver,
            stats or {},
            prio,
            prio,
            len(chosen),
        )

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 = proven optimal)."""
        if self.status == SolveStatus.INFEASIBLE:
            return float("nan")
        return abs(self.bound - self.objective) / max(abs(self.bound), 1)


def tier3_value(problem: AssignmentProblem, chosen: np.ndarray) -> int:
    """Tier 3 of a set of chosen pairs, computed from scratch (shared by all models)."""
    total = int(problem.weight[chosen].sum())
    loads = np.bincount(problem.right[chosen], minlength=problem.n_right)
    total -= problem.balance * int((loads.astype(np.int64) ** 2).sum())
    if problem.cluster_bonus and problem.cluster is not None and len(chosen):
        cl = problem.cluster[problem.left[chosen]]
        has = cl >= 0
        keys = problem.right[chosen][has].astype(np.int64) * (int(cl.max()) + 1) + cl[has]
        _, counts = np.unique(keys, return_counts=True)
        total += problem.cluster_bonus * int((counts * (counts - 1) // 2).sum())
    return total


def min_load_met(problem: AssignmentProblem, chosen: np.ndarray) -> int:
    if problem.min_load is None:
        return 0
    loads = np.bincount(problem.right[chosen], minlength=problem.n_right)
    return int(np.minimum(loads, problem.min_load).sum())


def priority_met(problem: AssignmentProblem, chosen: np.ndarray) -> int:
    """Tier 0: priority left nodes among the chosen pairs (0 without priorities)."""
    if problem.priority is None:
        return 0
    return int(problem.priority[problem.left[chosen]].sum())
