"""The assignment as a min-cost flow, solved exactly with OR-Tools.

Network: source → left (capacity 1) → [group node] → right → sink. Pair arcs cost minus their
weight; ``SolveMaxFlowWithMinCost`` first maximises the flow (tier 1, coverage) and then
minimises cost among maximum flows. Tier 0 (priority left nodes first) is exact by a staged
solve, see :func:`_priority_split`: it never costs coverage, because the left nodes a network
can serve at once form a matroid. Tier 2 (minimum loads) rides on the right → sink arcs: the
first ``min_load`` units of each right node get a bonus larger than any tier-3 difference.
Load balancing is a convex cost on unit parallel arcs (the j-th unit costs ``balance·(2j−1)``,
so a load of n costs ``balance·n²``). Pinned pairs are taken first and their places removed:
by the exchange property of transversal matroids, a set of pins that fits extends to a maximum
assignment, so pre-assigning them loses no coverage.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

from solvers.assignment_data import AssignmentProblem, AssignmentSolution, SolverStats


def _pin_effects(problem: AssignmentProblem) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    pinned = problem.pinned if problem.pinned is not None else np.zeros(problem.n_pairs, bool)
    pin_idx = np.flatnonzero(pinned)
    pin_load = np.bincount(problem.right[pin_idx], minlength=problem.n_right)
    group_used = []
    for fam in problem.groups:
        g = fam.pair_group[pin_idx]
        group_used.append(np.bincount(g[g >= 0], minlength=len(fam.cap)))
    return pin_idx, pin_load, group_used


def pins_fit(problem: AssignmentProblem) -> bool:
    """Whether the pinned pairs respect every capacity and one pin per left node."""
    pin_idx, pin_load, group_used = _pin_effects(problem)
    if len(np.unique(problem.left[pin_idx])) != len(pin_idx):
        return False
    if (pin_load > problem.capacity).any():
        return False
    return all(
        (used <= fam.cap).all() for used, fam in zip(group_used, problem.groups, strict=True)
    )


def solve_flow(problem: AssignmentProblem) -> AssignmentSolution:
    """Exact optimum of a flow-representable problem (at most one group family, no clusters)."""
    if problem.cluster_bonus or len(problem.groups) > 1:
        raise ValueError("this problem has terms no flow can express; use the CP-SAT model")
    start = time.perf_counter()
    if not pins_fit(problem):
        return AssignmentSolution.infeasible("flow", time.perf_counter() - start)
    split = _priority_split(problem)
    chosen, stats = _solve_network(problem, split)
    stats["flows"] = 1 if split is None else 3  # stage A: two maximum flows
    return AssignmentSolution.from_roster(
        problem, chosen, time.perf_counter() - start, "flow", stats=stats
    )


def _priority_split(problem: AssignmentProblem) -> tuple[int, int] | None:
    """``(P*, N* − P*)`` over the left nodes that are not pinned, or None without a tier 0.

    Stage A of the exact lexicographic solve: two maximum flows (no costs), one from the
    priority left nodes only (P*, the most priority nodes any roster serves) and one from all
    (N*, the coverage). A roster has both at once: the sets of left nodes a network can serve
    together form a matroid (a gammoid), so a largest set of priority nodes extends to a
    largest set. Stage B (:func:`_solve_network` with the split) then feeds the priority and
    the other left nodes through two source arcs of exactly P* and N* − P*: its maximum flows
    are the rosters at tiers 0–1, and its costs settle the rest. Small costs throughout,
    rather than one flow with a priority cost above every other cost (the minimum-load bonus
    included): such a cost, times the node count OR-Tools scales costs by, comes near the
    64-bit range at statewide size.
    """
    if problem.priority is None:
        return None
    free = _free_left(problem)
    prio = problem.priority.astype(bool)
    if not (prio & free).any() or (prio | ~free).all():
        return None  # tier 0 is constant or is tier 1: nothing to split
    n_prio = _max_flow(problem, prio & free)
    return n_prio, _max_flow(problem, free) - n_prio


def _free_left(problem: AssignmentProblem) -> np.ndarray:
    free = np.ones(problem.n_left, dtype=bool)
    if problem.pinned is not None:
        free[problem.left[problem.pinned]] = False
    return free


@dataclasses.dataclass(frozen=True)
class _Network:
    """The arcs of the flow network (see the module docstring), pins already taken out."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    source: int
    sink: int
    pair_arcs: np.ndarray  # arc index of each free pair
    free_pairs: np.ndarray
    pin_idx: np.ndarray


@dataclasses.dataclass(frozen=True)
class _Nodes:
    """Node numbering: source, left nodes, group nodes, right nodes, sink (then split nodes).

    One place decides the numbers, so every arc builder agrees on them.
    """

    source: int
    first_left: int
    first_group: int
    first_right: int
    sink: int
    n_groups: int

    @classmethod
    def of(cls, problem: AssignmentProblem) -> _Nodes:
        """The numbering for ``problem``'s left, group (first family only) and right nodes."""
        family = problem.groups[0] if problem.groups else None
        n_groups = len(family.cap) if family else 0
        source, first_left = 0, 1
        first_group = first_left + problem.n_left
        first_right = first_group + n_groups
        sink = first_right + problem.n_right
        return cls(source, first_left, first_group, first_right, sink, n_groups)


@dataclasses.dataclass
class _Arcs:
    """Arc arrays in the order they are added, concatenated once at the end.

    The order is the network's arc order, which the flow solvers see: keep it stable.
    """

    tails: list[np.ndarray] = dataclasses.field(default_factory=list)
    heads: list[np.ndarray] = dataclasses.field(default_factory=list)
    caps: list[np.ndarray] = dataclasses.field(default_factory=list)
    costs: list[np.ndarray] = dataclasses.field(default_factory=list)

    def add(
        self, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray
    ) -> None:
        """Append one block of arcs (four arrays of equal length)."""
        self.tails.append(tails)
        self.heads.append(heads)
        self.caps.append(caps)
        self.costs.append(costs)

    def count(self) -> int:
        """How many arcs are in so far (the index the next arc will get)."""
        return sum(len(t) for t in self.tails)


def _network(
    problem: AssignmentProblem, split: tuple[int, int] | None, open_left: np.ndarray
) -> _Network:
    """Arcs from a source through the ``open_left`` nodes; with ``split`` = (priority, other)
    the left nodes take their flow through two source arcs of exactly these capacities."""
    pin_idx, pin_load, group_used = _pin_effects(problem)
    pinned_left = ~_free_left(problem)
    free_pairs = np.flatnonzero(~pinned_left[problem.left])
    nodes = _Nodes.of(problem)
    arcs = _Arcs()
    _add_source_arcs(problem, nodes, split, open_left, arcs)
    pair_heads = _pair_heads(problem, nodes, free_pairs)
    _add_group_arcs(problem, nodes, group_used[0] if problem.groups else None, arcs)
    pair_arc_start = arcs.count()
    arcs.add(
        nodes.first_left + problem.left[free_pairs],
        pair_heads,
        np.ones(len(free_pairs), np.int64),
        -problem.weight.astype(np.int64)[free_pairs],
    )
    _add_sink_arcs(problem, nodes, pin_load, arcs)
    return _Network(
        np.concatenate(arcs.tails).astype(np.int32),
        np.concatenate(arcs.heads).astype(np.int32),
        np.concatenate(arcs.caps).astype(np.int64),
        np.concatenate(arcs.costs).astype(np.int64),
        nodes.source,
        nodes.sink,
        np.arange(pair_arc_start, pair_arc_start + len(free_pairs)),
        free_pairs,
        pin_idx,
    )


def _add_source_arcs(
    problem: AssignmentProblem,
    nodes: _Nodes,
    split: tuple[int, int] | None,
    open_left: np.ndarray,
    arcs: _Arcs,
) -> None:
    """Source to each open left node (capacity 1), directly or through the two split nodes.

    With ``split`` the priority and the other left nodes get exactly that much flow, which is
    how tier 0 (priority first) is solved exactly without weights.
    """
    n_left = problem.n_left
    left_nodes = nodes.first_left + np.arange(n_left)
    if split is None:
        arcs.add(
            np.full(n_left, nodes.source),
            left_nodes,
            open_left.astype(np.int64),
            np.zeros(n_left, np.int64),
        )
        return
    prio_node, other_node = nodes.sink + 1, nodes.sink + 2
    assert problem.priority is not None  # a split comes from the priorities
    prio = problem.priority.astype(bool)
    via = np.where(prio, prio_node, other_node)
    arcs.add(
        np.array([nodes.source, nodes.source]),
        np.array([prio_node, other_node]),
        np.array(split, np.int64),
        np.zeros(2, np.int64),
    )
    arcs.add(via, left_nodes, open_left.astype(np.int64), np.zeros(n_left, np.int64))


def _pair_heads(problem: AssignmentProblem, nodes: _Nodes, free_pairs: np.ndarray) -> np.ndarray:
    """Where each free pair's arc ends: its group node if it has one, else its right node.

    A pair in a group reaches its right node through the group, whose arc holds the cap.
    """
    pair_heads: np.ndarray = nodes.first_right + problem.right[free_pairs]
    if not problem.groups:
        return pair_heads
    family = problem.groups[0]
    grouped = family.pair_group[free_pairs] >= 0
    via_group: np.ndarray = np.where(
        grouped, nodes.first_group + family.pair_group[free_pairs], pair_heads
    )
    return via_group


def _add_group_arcs(
    problem: AssignmentProblem, nodes: _Nodes, used: np.ndarray | None, arcs: _Arcs
) -> None:
    """Each live group node to its right node, capped by the group's places pins leave.

    Only the first family is a network layer (more families couple pairs: not a flow).
    """
    if used is None:
        return
    family = problem.groups[0]
    group_right = np.full(nodes.n_groups, -1, np.int64)
    members = family.pair_group >= 0
    group_right[family.pair_group[members]] = problem.right[members]
    live = np.flatnonzero(group_right >= 0)
    arcs.add(
        nodes.first_group + live,
        nodes.first_right + group_right[live],
        np.maximum(family.cap[live] - used[live], 0),
        np.zeros(len(live), np.int64),
    )


def _add_sink_arcs(
    problem: AssignmentProblem, nodes: _Nodes, pin_load: np.ndarray, arcs: _Arcs
) -> None:
    """Right nodes to the sink: tier 2 (minimum loads) and load balancing ride on these arcs.

    The first ``min_load`` units get a bonus ``big`` larger than any difference in weights
    and balance, so minimum loads come before the score; with balance, one unit arc per
    place carries the convex cost ``balance·(2j−1)``.
    """
    n_right = problem.n_right
    weights = problem.weight.astype(np.int64)
    capacity = problem.capacity.astype(np.int64) - pin_load
    min_load = np.zeros(n_right, np.int64) if problem.min_load is None else problem.min_load
    min_left = np.maximum(min_load - pin_load, 0)
    big = int(np.abs(weights).sum()) + problem.balance * int((capacity.astype(np.int64) ** 2).sum())
    big += 1
    for r in range(n_right):
        cap_r = int(max(capacity[r], 0))
        if problem.balance == 0:
            parts = [
                (int(min(min_left[r], cap_r)), -big),
                (cap_r - int(min(min_left[r], cap_r)), 0),
            ]
            for amount, cost in parts:
                if amount > 0:
                    arcs.add(
                        np.array([nodes.first_right + r]),
                        np.array([nodes.sink]),
                        np.array([amount]),
                        np.array([cost]),
                    )
        elif cap_r > 0:
            units = np.arange(int(pin_load[r]) + 1, int(pin_load[r]) + cap_r + 1)
            unit_cost = problem.balance * (2 * units - 1) - big * (units <= min_load[r])
            arcs.add(
                np.full(cap_r, nodes.first_right + r),
                np.full(cap_r, nodes.sink),
                np.ones(cap_r, np.int64),
                unit_cost.astype(np.int64),
            )


def _solve_network(
    problem: AssignmentProblem, split: tuple[int, int] | None
) -> tuple[npt.NDArray[np.int64], SolverStats]:
    """The chosen pairs (pins included) of one min-cost flow; see the module docstring."""
    net = _network(problem, split, _free_left(problem))
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    flow.set_node_supply(net.source, int(problem.n_left))
    flow.set_node_supply(net.sink, -int(problem.n_left))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(net.pair_arcs) > 0
    chosen = np.sort(np.concatenate([net.pin_idx, net.free_pairs[used]])).astype(np.int64)
    return chosen, {"arcs": int(flow.num_arcs()), "nodes": int(flow.num_nodes())}


def _max_flow(problem: AssignmentProblem, open_left: np.ndarray) -> int:
    """How many of the ``open_left`` nodes the network serves at once (pins taken out)."""
    net = _network(problem, None, open_left)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(net.tails, net.heads, net.caps)
    status = flow.solve(net.source, net.sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status}")
    return int(flow.optimal_flow())
