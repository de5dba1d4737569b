"""Capacity planning: the fewest virtual places that cover every left node.

Each left node may take a *virtual* place of its group (a region and role), unlimited. Every
virtual place serves a left node the real right nodes cannot, so the fewest virtual places are
exactly the left nodes a maximum real assignment leaves out; and which ones they are is decided
the way ``assign`` decides it: the real roster is the lexicographic optimum of
:mod:`solvers.flow` (priority left nodes first, then coverage, then weights). The priority tier
never costs coverage in a flow (a matroid argument, see :func:`solvers.flow._priority_split`),
so the count stays the smallest possible.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from solvers.assignment_data import AssignmentProblem
from solvers.flow import solve_flow


def fewest_added_places(
    problem: AssignmentProblem, group_of_left: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve the real problem, then give every left node left out a virtual place.

    Returns (chosen real pair indices, virtual places used per group, left nodes served by a
    virtual place). Every left node needs a group. Minimum loads, load balancing, pins and
    pair-coupling bonuses are left out: they are preferences, not places. At most one family
    of sub-capacities is kept (the flow's limit).
    """
    if len(group_of_left) != problem.n_left or (group_of_left < 0).any():
        raise ValueError("every left node needs a group to take a virtual place from")
    real_problem = dataclasses.replace(
        problem,
        min_load=None,
        pinned=None,
        groups=problem.groups[:1],
        balance=0,
        cluster=None,
        cluster_bonus=0,
    )
    real = solve_flow(real_problem).chosen
    covered = np.zeros(problem.n_left, dtype=bool)
    covered[problem.left[real]] = True
    served = np.flatnonzero(~covered)
    used = np.bincount(group_of_left[served], minlength=n_groups)
    return real, used, served
