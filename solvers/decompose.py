"""Exact decomposition of an assignment into the connected components of its pair graph.

Left and right nodes that share no chain of pairs cannot influence each other: capacities,
group caps (which never span right nodes), cluster bonuses (which need a common right node)
all stay inside one component, and the tier counts (priority, coverage) are sums over them. So
each component is solved on its own and the union of the optima is an optimum (a sum of
lexicographic maxima is the lexicographic maximum of the sums). On real data one giant
component is common; then this is one piece.
"""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np

from solvers.assignment_data import AssignmentProblem, GroupCaps


def components(problem: AssignmentProblem) -> list[np.ndarray]:
    """Pair indices of each component, largest first (ties by first pair), each sorted."""
    graph = nx.Graph()
    graph.add_edges_from(
        zip(problem.left.tolist(), (problem.n_left + problem.right).tolist(), strict=True)
    )
    comp_of = {}
    for label, nodes in enumerate(nx.connected_components(graph)):
        for node in nodes:
            comp_of[node] = label
    labels = np.array([comp_of[k] for k in problem.left.tolist()], dtype=np.int64)
    parts = [np.flatnonzero(labels == lab) for lab in np.unique(labels)]
    parts.sort(key=lambda idx: (-len(idx), int(idx[0])))
    return parts


def subproblem(problem: AssignmentProblem, pairs: np.ndarray) -> AssignmentProblem:
    """The problem restricted to ``pairs``, with left/right nodes renumbered densely.

    Right-node arrays are cut to the component's right nodes; left nodes keep their cluster ids
    and priorities.
    """
    lefts, left_new = np.unique(problem.left[pairs], return_inverse=True)
    rights, right_new = np.unique(problem.right[pairs], return_inverse=True)
    groups = []
    for fam in problem.groups:
        g = fam.pair_group[pairs]
        used, g_new = np.unique(g[g >= 0], return_inverse=True)
        new = np.full(len(pairs), -1, dtype=np.int64)
        new[g >= 0] = g_new
        groups.append(GroupCaps(new, fam.cap[used]))
    return dataclasses.replace(
        problem,
        n_left=len(lefts),
        n_right=len(rights),
        left=left_new.astype(np.int64),
        right=right_new.astype(np.int64),
        weight=problem.weight[pairs],
        capacity=problem.capacity[rights],
        min_load=None if problem.min_load is None else problem.min_load[rights],
        pinned=None if problem.pinned is None else problem.pinned[pairs],
        groups=tuple(groups),
        cluster=None if problem.cluster is None else problem.cluster[lefts],
        priority=None if problem.priority is None else problem.priority[lefts],
    )
