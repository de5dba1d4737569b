"""The greedy baseline: how a coordinator works down a spreadsheet.

Each left node in turn takes its best-weighted right node that still has room. Fast and
plausible, and the benchmark's yardstick for what optimisation adds. Pins are honoured first,
then the priority left nodes (year 2 first, as a coordinator would), then the rest.
"""

from __future__ import annotations

import time

import numpy as np

from solvers.assignment_data import AssignmentProblem, AssignmentSolution, SolveStatus


def solve_greedy(problem: AssignmentProblem) -> AssignmentSolution:
    start = time.perf_counter()
    room = problem.capacity.astype(np.int64).copy()
    group_room = [fam.cap.astype(np.int64).copy() for fam in problem.groups]
    taken = np.zeros(problem.n_left, dtype=bool)
    chosen: list[int] = []

    def fits(p: int) -> bool:
        if room[problem.right[p]] <= 0:
            return False
        return all(
            fam.pair_group[p] < 0 or left[fam.pair_group[p]] > 0
            for fam, left in zip(problem.groups, group_room, strict=True)
        )

    def take(p: int) -> None:
        room[problem.right[p]] -= 1
        for fam, left in zip(problem.groups, group_room, strict=True):
            if fam.pair_group[p] >= 0:
                left[fam.pair_group[p]] -= 1
        taken[problem.left[p]] = True
        chosen.append(p)

    if problem.pinned is not None:
        for p in np.flatnonzero(problem.pinned).tolist():
            take(p)
    later = np.zeros(problem.n_pairs, dtype=np.int64)
    if problem.priority is not None:
        later = (~problem.priority.astype(bool)[problem.left]).astype(np.int64)
    # priority left nodes first, then by left node, best weight first
    order = np.lexsort((-problem.weight, problem.left, later))
    for p in order.tolist():
        if not taken[problem.left[p]] and fits(p):
            take(p)
    seconds = time.perf_counter() - start
    return AssignmentSolution.from_roster(problem, chosen, seconds, "greedy", SolveStatus.FEASIBLE)
