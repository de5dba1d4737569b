"""Capacity planning as a min-cost flow: the fewest virtual places that cover every left node.

Each left node gets one extra pair to a *virtual* right node of its group (a region and role)
with unlimited capacity. A virtual pair weighs ``-big``, with ``big`` larger than all real
weights together, so the optimum first uses as few virtual places as possible, then maximises
the real weights. Every left node can be covered, so the maximum flow is all of them, and the
virtual places used are exactly the left nodes a maximum real assignment leaves out.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from solvers.assignment_data import AssignmentProblem
from solvers.flow import solve_flow


def fewest_added_places(
    problem: AssignmentProblem, group_of_left: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve with one unlimited virtual right node per group.

    Returns (chosen real pair indices, virtual places used per group, left nodes served by a
    virtual place). Minimum loads, load balancing, pins and pair-coupling bonuses are left out:
    they are preferences, not places. At most one family of sub-capacities is kept (the flow's
    limit).
    """
    n_left, n_real = problem.n_left, problem.n_right
    left_idx = np.flatnonzero(group_of_left >= 0)
    real_w = problem.weight.astype(np.int64)
    big = int(np.abs(real_w).sum()) + 1
    groups = tuple(
        dataclasses.replace(
            fam, pair_group=np.concatenate([fam.pair_group, np.full(len(left_idx), -1, np.int64)])
        )
        for fam in problem.groups[:1]
    )
    extended = AssignmentProblem(
        n_left=n_left,
        n_right=n_real + n_groups,
        left=np.concatenate([problem.left, left_idx]).astype(np.int64),
        right=np.concatenate([problem.right, n_real + group_of_left[left_idx]]).astype(np.int64),
        weight=np.concatenate([real_w, np.full(len(left_idx), -big, np.int64)]),
        capacity=np.concatenate(
            [problem.capacity.astype(np.int64), np.full(n_groups, max(n_left, 1), np.int64)]
        ),
        groups=groups,
    )
    solution = solve_flow(extended)
    chosen = solution.chosen
    real = chosen[chosen < problem.n_pairs]
    virtual = chosen[chosen >= problem.n_pairs]
    used = np.bincount(extended.right[virtual] - n_real, minlength=n_groups)
    return real, used, extended.left[virtual]
