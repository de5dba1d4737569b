"""Problem and solution data of the assignment models, in plain arrays.

Solvers speak mathematics, not coaching: *left* nodes are demands (candidates) that take at most
one *right* node (a coach), through one of the listed *pairs*. Weights are integers: the domain
side scales pair scores by :data:`WEIGHT_SCALE` once, so every model optimises exactly the same
numbers and their optima compare exactly.

The objective is lexicographic, in tiers:

1. the number of left nodes assigned (coverage);
2. the minimum loads met: sum over right nodes of ``min(load, min_load)``;
3. the pair weights, plus ``cluster_bonus`` for every two left nodes of one cluster that share a
   right node, minus ``balance`` × load² per right node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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

    ``objective`` and ``bound`` are tier 3 in weight units, given tiers 1–2 at ``assigned`` and
    ``min_load_met``; ``status`` is optimal only when all tiers are proven.
    """

    status: str
    chosen: np.ndarray
    assigned: int
    min_load_met: int
    objective: int
    bound: int
    solve_seconds: float
    solver: str
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 = proven optimal)."""
        if self.status == "infeasible":
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
