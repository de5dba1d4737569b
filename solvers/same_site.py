"""The same-site bonus: a roster by successive linearisation, a proven bound by Lagrange.

Tier 3 with a positive ``cluster_bonus`` B is ``f(x) = Σ_p w_p·x_p − β·Σ_r load_r² +
B·Σ_(r,s) C(n_rs, 2)``, where ``n_rs`` counts the chosen pairs of right node ``r`` whose left
nodes belong to cluster ``s``. The bonus is convex in ``x``: tier 3 is a convex function
maximised over the rosters that keep tiers 0–2 at their optimum, and any linear relaxation sees
only its chord (concave envelope) — why the CP-SAT model of :mod:`solvers.cpsat_assign` proves
so little. This module works on the two sides separately; tiers 0–2 always come from the exact
min-cost flow of :mod:`solvers.flow` (the bonus does not change the constraints).

**Roster: successive linearisation.** Start from the flow optimum without the bonus. At a
roster ``x`` with counts ``n``, the gradient of the bonus is ``B·(n_rs − ½)`` for every pair of
``(r, s)``, chosen or not. Solve the min-cost flow with weights ``2·w_p + B·(2·n_rs − 1)``
(doubled to stay integral, the balance coefficient doubled with them): the flow keeps tiers 0–2
at their optimum exactly (max flow, then the min-load bonus arcs) and maximises the linearised
tier 3 ``G`` among the rosters that do, ``x`` included. For integer counts
``C(m, 2) − C(n, 2) = (m − n)(n − ½) + (m − n)²/2 ≥ (m − n)(n − ½)``, and the balance term is
exact in the flow, so ``f(y) − f(x) ≥ (G(y) − G(x))/2 ≥ 0``: tier 3 never decreases from one
flow to the next. The loop stops at the first flow that does not strictly improve (a fixed
point). The slope ``n − ½`` matters: "number of other members" weights overrate swaps (one in,
one out of the same ``(r, s)``) and lose the guarantee. At a fixed point one flow at those
marginal slopes (:func:`marginal_step`) is tried anyway, kept only if tier 3 truly improves: it
sees that a member moving between two equal groups gains ``B``, to which the averaged slope is
blind.

A fixed point is only a local optimum. The search restarts the linearisation (``RESTART_FLOWS``
flows, every ``HEURISTIC_EVERY`` iterations of the relaxation below) from the counts ``n_rs``
of the relaxation's per-right-node optima, averaged exponentially over the iterations (factor
``EMA``): an infeasible point, but one that says which right nodes would like to concentrate
which clusters; the first flow turns it into a roster. When the relaxation's optima happen to
form a roster (every left node used once, tiers 0–2 met), that roster is a candidate too. The
best roster is polished to its fixed point at the end.

**Bound: Lagrangian relaxation.** Dualise "each left node on at most one right node" with
``λ_k ≥ 0``, the coverage ``Σx = N*`` (tier 1 at its optimum; an equality because ``N*`` is the
maximum) with a free ``μ``, the priority coverage ``Σ_{prio} x = P*`` (tier 0, where set) with
a free ``μ₀`` (its pairs' reduced weights gain ``μ₀``; left out of the formula below), the
minimum-load fill ``Σ_r min(load_r, m_r) ≥ F*`` (tier 2) with ``η ≥ 0``, and every
sub-capacity ``Σ_{p∈g} x_p ≤ cap_g`` with ``ν_g ≥ 0``. For every roster
``x`` that is feasible and keeps tiers 0–2 at their optimum, each dualised term is ≥ 0, hence::

    f(x) ≤ Σ_k λ_k − μ·N* − η·F* + Σ_g ν_g·cap_g
           + Σ_r max_{S ⊆ pairs of r, |S| ≤ cap_r, pins of r ⊆ S} [ Σ_{p∈S} c_p
                 + B·Σ_s C(|S ∩ s|, 2) − β·|S|² + η·min(|S|, m_r) ]  =: L(λ, μ, η, ν)

with reduced weights ``c_p = w_p − λ_k + μ − Σ ν_g`` (pairs of a pinned left node other than
its pin are left out: they are 0 in every roster). The right-hand side is the value of ``x``
plus non-negative terms, and the maxima only grow when each right node chooses on its own, so
``L`` bounds tier 3 from above for any multipliers. Each right node's maximum is exact: for a
fixed number ``n`` of members of cluster ``s`` the bonus is fixed, so the best ``n`` are the
``n`` largest ``c_p`` (pins first); this gives a value ``v_s(n)`` per cluster, and a max-plus
knapsack over the clusters of the right node (``O(cap²)`` per cluster, vectorised over right
nodes) combines them with the unclustered pairs and the load terms. The float result is
rounded up by a bound on its rounding error, so the integer bound stays valid. The best ``L``
equals the LP over the convex hull of each right node's feasible sets (Dantzig–Wolfe): never
weaker than the LP relaxation and far stronger than the chord, because each right node's
subproblem sees how concentrated a cluster can really be there.

The multipliers follow a deflected subgradient method: Camerini–Fratta–Maffioli deflection,
Polyak steps towards the best roster's value, and after a run of iterations without a better
bound (a ``STALL_SHARE``-th of the iterations the budget allows, within ``STALL``) the step
factor halves and the search returns to the best multipliers. The start decides how far a
60-second search gets at statewide size (10,000 multipliers): ``λ`` and ``μ`` start at the
optimal LP duals (:func:`flow_duals`) of the linearisation at the first fixed point — the
transportation problem with weights ``w_p + B·(n_rs − ½)`` — which are exact when ``B`` is
0 and close when it is small. (Measured on the generated statewide program at same_site 0.25:
1.5 % gap after 48 s from an optimistic start, every ``λ_k`` at its largest share
``w_p + B·(m_p − 1)/2``; 0.10 % from the duals.)

**Site cuts.** The Dantzig–Wolfe relaxation lets a site be covered by more "fill this right
node with the site" patterns than any roster can form. Every roster satisfies, per cluster
``s``, ``Σ_r C(n_rs, 2) ≤ slope_s · Σ_r n_rs`` (see :meth:`Relaxation._site_cuts`); the cuts
are dualised with prices ``ρ_s ≥ 0`` that the subgradient moves with the other multipliers,
and they leave each right node's subproblem as it was. (Statewide at same_site 1.5, 48 s:
0.6 % gap with the cuts, 2.0 % without.)

**What the bound cannot do.** The Dantzig–Wolfe LP mixes right-node patterns fractionally: a
right node of capacity 20 may hold "20 of site A" with weight ½ and "20 of site B" with weight
½, which no roster can. Large clusters (district offices) competing for the few large right
nodes make this a real gap. On the generated district program at same_site = 1.5 the LP,
solved exactly by column generation, is 9,814.5 (score units) while the best roster any method
found is 9,707 (this search in a long run; CP-SAT warm-started from a roster of 9,655 gains
0.04 % in 150 s; a MIP over all the LP's columns proves nothing above 9,690 exists among them):
about 1 % that, as far as we can tell, only branching would close; the site cuts do not bite
there (the LP solution satisfies them all). On the statewide program at same_site 1.5 the gap
left after 48 s (0.6 %) sits at the right nodes around large sites: per right node, the
relaxation's term minus the roster's, the 100 largest hold 80 % of it. Re-solving those
neighbourhoods exactly (CP-SAT on six right nodes and their left nodes) found them already
optimal; forcing the relaxation's concentration on one right node and repairing with flows
gained 0.1–0.2 % in some runs and lost as much elsewhere — neither is kept.

**Small problems** (at most ``CPSAT_PAIRS`` pairs) that are not proven yet go to the CP-SAT
model of :mod:`solvers.cpsat_assign`, hinted with the best roster (bonus Booleans included) and
with the objective capped at the Lagrangian bound.

**Determinism.** Every decision depends on the input and the seed only: the budget is counted
in deterministic seconds (each relaxation and each flow costs a fixed linear function of the
number of pairs, calibrated on one core), never read from the clock, and CP-SAT runs with a
deterministic time limit on a fixed interleaved portfolio. A wall-clock limit (``WALL_SAFETY``,
beyond ``time_limit``) is only a safety net: ``stats["wall_stop"]`` says whether it fired (then
the result may depend on the machine). The seed reaches CP-SAT only; the rest has no randomness.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np

from solvers.assignment_data import (
    AssignmentProblem,
    AssignmentSolution,
    ProgressFn,
    SolveStatus,
    min_load_met,
    priority_met,
    tier3_value,
)
from solvers.cpsat_model import AssignmentModel, Tiers, parameters, status_of
from solvers.flow import pins_fit, solve_flow

EMA = 0.9
"""Weight of the past in the averaged relaxation counts the restarts start from."""
HEURISTIC_EVERY = 40
"""Relaxation iterations between two restarts of the linearisation."""
RESTART_FLOWS = 3
"""Most flows of one restart (the final polish runs to its fixed point)."""
STALL = (10, 30)
"""Iterations without a better bound before the step factor is halved: ``STALL_SHARE``-th of
the iterations the budget allows, within these limits (short budgets need fast decay, long ones
converge better with patience)."""
STALL_SHARE = 25
INITIAL_FACTOR = 2.0
"""The first Polyak step factor."""
DEFLECTION = 1.5
"""Camerini–Fratta–Maffioli deflection factor."""
MIN_STEP_FACTOR = 1e-5
"""The subgradient search stops once its step factor is this small."""
EVALUATION_COST = (3.5e-3, 2.0e-7)
"""Deterministic seconds of one relaxation: fixed part, and per pair (one core, calibrated on
the generated programs)."""
FLOW_COST = (1.0e-3, 7.0e-7)
"""Deterministic seconds of one min-cost flow: fixed part, and per pair."""
BUDGET_SHARE = 0.75
"""Share of ``time_limit`` the deterministic budget may use (setup and polish take the rest; one
deterministic second was measured at 1.0–1.3 wall seconds on one quiet core)."""
WALL_SAFETY = (1.5, 1.0)
"""The wall-clock safety net: ``1.5 × time_limit + 1`` seconds (it should never fire)."""
DUAL_PASSES = 300
"""Most Bellman–Ford passes of :func:`flow_duals` (the generated statewide program needs 40–80;
each costs about 2 ms there)."""
PRIORITY_DOUBLINGS = 8
"""Most flows :meth:`Relaxation.start` tries for the priority price, doubling up from the
largest weight (see there; bisecting down to the smallest price was tried: no better on the
generated cohorts, sample and district at same_site 1.0 and 1.5)."""
CPSAT_PAIRS = 500
"""Problems up to this many pairs that are not proven yet are finished with CP-SAT."""
CPSAT_SHARE = 0.25
"""Most of ``time_limit`` the CP-SAT finish may take (deterministic seconds)."""

NEG = -np.inf
WIDTH_SPLIT = 12
"""Right nodes below this capacity run their knapsack in a narrower batch."""


def supported(problem: AssignmentProblem) -> bool:
    """Whether :func:`solve_clusters` applies: a positive bonus and flow-shaped constraints."""
    return bool(
        problem.cluster_bonus > 0 and problem.cluster is not None and len(problem.groups) <= 1
    )


# --------------------------------------------------------------------------------------------
# keys: the (right node, cluster) of every pair


class _Keys:
    """Dense id of every pair's ``(right node, cluster)``; -1 for unclustered left nodes."""

    def __init__(self, problem: AssignmentProblem):
        assert problem.cluster is not None  # only clustered problems come here (see applies)
        cl = problem.cluster[problem.left]
        width = int(cl.max(initial=-1)) + 1
        key = np.where(cl >= 0, problem.right.astype(np.int64) * max(width, 1) + cl, -1)
        self.has = key >= 0
        uniq, inv = np.unique(key[self.has], return_inverse=True)
        self.dense = np.full(problem.n_pairs, -1, np.int64)
        self.dense[self.has] = inv
        self.n_keys = len(uniq)

    def counts(self, x: np.ndarray) -> np.ndarray:
        """Chosen pairs per key; ``x`` is a boolean (or fractional) value per pair."""
        return np.bincount(
            self.dense[self.has], weights=x[self.has].astype(float), minlength=self.n_keys
        )

    def per_pair(self, counts: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.dense))
        out[self.has] = counts[self.dense[self.has]]
        return out


def _mask(n: int, chosen: np.ndarray) -> np.ndarray:
    x = np.zeros(n, bool)
    x[chosen] = True
    return x


# --------------------------------------------------------------------------------------------
# primal: successive linearisation


def linearise(
    problem: AssignmentProblem,
    chosen: np.ndarray | None = None,
    *,
    counts: np.ndarray | None = None,
    rounds: int = 1_000,
    keys: _Keys | None = None,
) -> tuple[np.ndarray, int, int]:
    """Successive linearisation (see the module docstring): ``(chosen, tier 3, flows)``.

    Starts from the roster ``chosen``, or from per-key ``counts`` (any point, even fractional or
    infeasible: the first flow turns it into a roster). At a fixed point one
    :func:`marginal_step` is tried; the loop goes on while either improves. Never returns a
    roster worse than ``chosen``; ``rounds`` caps the flows.
    """
    keys = keys or _Keys(problem)
    value = None if chosen is None else tier3_value(problem, chosen)
    if counts is None:
        assert chosen is not None, "linearise starts from a roster or from counts"
        counts = keys.counts(_mask(problem.n_pairs, chosen))
    flows, stuck = 0, False
    while flows < rounds:
        if stuck:  # a fixed point of the averaged slopes: try the marginal ones once
            assert chosen is not None  # stuck only after a roster was found
            step = marginal_step(problem, chosen, keys)
        else:
            step = linearised_step(problem, counts, keys)
        flows += 1
        new = tier3_value(problem, step)
        if value is not None and new <= value:
            if stuck:
                break
            stuck = True
            continue
        chosen, value, stuck = step, new, False
        counts = keys.counts(_mask(problem.n_pairs, chosen))
    assert chosen is not None and value is not None
    return chosen, int(value), flows


def marginal_step(problem: AssignmentProblem, chosen: np.ndarray, keys: _Keys) -> np.ndarray:
    """The roster maximising tier 3 with each pair's bonus at its marginal value (one flow).

    A chosen pair of a key with ``n`` members is worth ``B·(n − 1)`` (what leaving loses), any
    other pair of it ``B·n`` (what joining gains). Unlike the averaged slope ``n − ½`` this sees
    that moving one member between two equal groups gains ``B`` (the averaged flow is
    indifferent), so it leaves fixed points of the averaged loop; it can also credit a swap
    inside one key that gains nothing, so the caller keeps its roster only when the true tier 3
    improves. (Sample district at same_site 1.0: the averaged loop stops at 1,362.8; two
    marginal steps reach 1,376.7, the best roster CP-SAT finds in 400 s.)
    """
    x = _mask(problem.n_pairs, chosen)
    n = keys.per_pair(keys.counts(x))
    slope = np.where(x, n - 1, n)
    extra = np.where(keys.has, np.rint(problem.cluster_bonus * slope), 0).astype(np.int64)
    flat = dataclasses.replace(
        problem, weight=problem.weight + extra, cluster=None, cluster_bonus=0
    )
    return solve_flow(flat).chosen


def linearised_problem(
    problem: AssignmentProblem, counts: np.ndarray, keys: _Keys
) -> AssignmentProblem:
    """The flow problem whose weights are tier 3 linearised at per-key ``counts``, doubled:
    ``2·w_p + B·(2·n_rs − 1)``, integral."""
    n = keys.per_pair(counts)
    extra = np.where(keys.has, np.rint(problem.cluster_bonus * (2 * n - 1)), 0).astype(np.int64)
    return dataclasses.replace(
        problem,
        weight=2 * problem.weight + extra,
        cluster=None,
        cluster_bonus=0,
        balance=2 * problem.balance,
    )


def linearised_step(problem: AssignmentProblem, counts: np.ndarray, keys: _Keys) -> np.ndarray:
    """The roster maximising the linearisation of tier 3 at per-key ``counts`` (one flow)."""
    return solve_flow(linearised_problem(problem, counts, keys)).chosen


def flow_duals(
    problem: AssignmentProblem, weight: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, float]:
    """``(λ, μ)``: optimal LP duals of "each left node at most once" and of the coverage, for
    the transportation problem ``max Σ weight·x`` (left ≤ 1, right ≤ capacity, ``Σx`` = the
    coverage of ``chosen``) at its optimal roster ``chosen``.

    Complementary slackness makes the duals a system of difference constraints (with
    ``y_k = λ_k − μ`` and ``P_r = −π_r``: ``P_r − y_k ≤ −w`` on every pair, equality on the chosen
    ones, ``P_r ≤ 0`` with equality below capacity, ``y_k ≥ −μ`` with equality when unassigned),
    solved by Bellman–Ford from a virtual source, vectorised one relaxation pass at a time
    (no negative cycle exists because ``chosen`` is optimal). Pinned left nodes are taken out
    (``λ = 0``, their right nodes' capacity reduced): the rest of an optimal roster is optimal
    for the rest. Sub-capacities, minimum loads and balance are left out, so ``chosen`` may not
    be optimal for what is left and a negative cycle may exist: ``DUAL_PASSES`` caps the passes.
    The result only starts the subgradient search; any ``λ ≥ 0`` keeps the bound valid.
    """
    K, R = problem.n_left, problem.n_right
    chosen_mask = _mask(problem.n_pairs, chosen)
    capacity = problem.capacity.astype(np.int64)
    keep = np.ones(problem.n_pairs, bool)
    if problem.pinned is not None and problem.pinned.any():  # pins fixed: the residual problem
        pinned_left = np.zeros(K, bool)
        pinned_left[problem.left[problem.pinned]] = True
        keep = ~pinned_left[problem.left]
        capacity = capacity - np.bincount(problem.right[problem.pinned], minlength=R)
    left, right, w = problem.left[keep], problem.right[keep], weight[keep].astype(float)
    chosen = np.flatnonzero(chosen_mask[keep])
    assigned = np.zeros(K, bool)
    assigned[left[chosen]] = True
    below = np.flatnonzero(np.bincount(right[chosen], minlength=R) < capacity)
    free = np.flatnonzero(~assigned & np.isin(np.arange(K), left))
    root, cover = K + R, K + R + 1  # P = 0 at the root; the coverage node holds −μ
    src = np.concatenate(
        [
            left,
            right[chosen] + K,
            np.full(R, root),
            below + K,
            np.arange(K),
            np.full(len(free), cover),
        ]
    )
    dst = np.concatenate(
        [
            right + K,
            left[chosen],
            np.arange(R) + K,
            np.full(len(below), root),
            np.full(K, cover),
            free,
        ]
    )
    length = np.concatenate([-w, w[chosen], np.zeros(R + len(below) + K + len(free))])
    order = np.argsort(dst, kind="stable")
    src, dst, length = src[order], dst[order], length[order]
    heads, starts = np.unique(dst, return_index=True)
    dist = np.zeros(K + R + 2)
    for _ in range(DUAL_PASSES):
        best = np.minimum(dist[heads], np.minimum.reduceat(dist[src] + length, starts))
        if (best >= dist[heads]).all():
            break
        dist[heads] = best
    pi = dist[root] - dist[K : K + R]
    mu = dist[root] - dist[cover]
    lam = np.zeros(K)
    np.maximum.at(lam, left, w - pi[right] + mu)
    return np.maximum(lam, 0), float(mu)


# --------------------------------------------------------------------------------------------
# bound: the Lagrangian relaxation, one exact max-plus knapsack per right node


@dataclass
class Multipliers:
    lam: np.ndarray  # left node -> λ ≥ 0 (at most one right node)
    mu: float = 0.0  # coverage, free
    eta: float = 0.0  # minimum-load fill, ≥ 0
    nus: tuple[np.ndarray, ...] = ()  # sub-capacity groups, ≥ 0
    rho: np.ndarray | None = None  # cluster -> price per member of its site cut, ≥ 0; None: 0
    mu0: float = 0.0  # priority coverage (tier 0), free; 0 without priorities


@dataclass
class RelaxedSolution:
    value: float  # L(multipliers), in floating point
    slack: float  # an upper bound on its rounding error
    chosen: np.ndarray  # pair indices chosen by the right nodes' subproblems (overlapping)
    load: np.ndarray  # right node -> pairs chosen

    @property
    def bound(self) -> int:
        """The integer upper bound this relaxation proves."""
        return math.floor(self.value + self.slack)


class Relaxation:
    """``L(λ, μ, η, ν)`` and the right nodes' maximisers; see the module docstring."""

    def __init__(self, problem: AssignmentProblem, tiers: Tiers):
        """Lay out everything :meth:`evaluate` needs that does not depend on the multipliers.

        ``evaluate`` runs once per subgradient step, so the groups, their size classes and the
        knapsack batches are built here once, as arrays the steps then only index.
        """
        self.problem = problem
        self.coverage, self.filled, self.priority = tiers.coverage, tiers.filled, tiers.priority
        R = problem.n_right
        cap = problem.capacity.astype(np.int64)
        pinned = problem.pinned if problem.pinned is not None else np.zeros(problem.n_pairs, bool)
        self.free_left, usable = _usable_pairs(problem, cap, pinned)
        self.usable, self.grp, self.group_right = _groups(problem, usable)
        G = len(self.group_right)
        self.clustered = np.arange(G) >= R
        size = np.bincount(self.grp, minlength=G)
        self.top = np.minimum(size, cap[self.group_right])
        least = np.bincount(self.grp, weights=pinned[self.usable], minlength=G).astype(np.int64)
        W = int(cap.max(initial=0)) + 1
        self.W = W
        n = np.arange(W)
        self.valid = (n[None, :] <= self.top[:, None]) & (n[None, :] >= least[:, None])
        pair_count = n * (n - 1) / 2
        self.pair_count = pair_count
        self.bonus = np.where(self.clustered[:, None], problem.cluster_bonus * pair_count, 0.0)

        self.w = problem.weight[self.usable].astype(float)
        self.left = problem.left[self.usable]
        prio = problem.priority if problem.priority is not None else np.zeros(problem.n_left, bool)
        self.prio = prio[self.left].astype(float)  # pair -> counts in tier 0
        self.pin = pinned[self.usable]
        self.size_classes = _size_classes(size, self.top, len(self.usable))
        self.by_right = _knapsack_batches(self.group_right, self.top, cap, W)

        self._site_cuts(cap)
        self._skews: dict[tuple[int, int], np.ndarray] = {}
        self.cap = cap
        self.chain = G + W + R + problem.n_left + 64
        self.tail = -float(problem.balance) * (n * n).astype(float)
        self.min_load = None if problem.min_load is None else np.minimum(problem.min_load, cap)
        self.fams = [(fam.pair_group[self.usable], fam.cap.astype(float)) for fam in problem.groups]
        self.scale = (
            float(np.abs(self.w).sum())
            + problem.cluster_bonus * float((cap * (cap - 1) / 2).sum())
            + problem.balance * float((cap * cap).sum())
        )

    def _site_cuts(self, cap: np.ndarray) -> None:
        """The site cuts ``Σ_r C(n_rs, 2) ≤ slope_s · Σ_r n_rs``, one per cluster ``s``.

        ``G_s`` is the most bonus pairs site ``s`` can make in any roster: its ``m_s`` members
        spread over right nodes that each hold at most ``u_rs = min(cap_r, members of s usable
        at r)`` of them. ``C(n, 2)`` is convex, so filling the largest ``u_rs`` first reaches
        the maximum of ``Σ C(n_r, 2)`` subject to ``Σ n_r ≤ a, n_r ≤ u_rs`` (the greedy vector
        majorises every other), a relaxation of the real assignment. That maximum ``g_s(a)`` is
        convex with ``g_s(0) = 0``, so it lies under its chord: ``g_s(a) ≤ a · G_s / m_s``.
        The cut is what the Dantzig–Wolfe relaxation lacks: there a site of 56 members can be
        covered by 2.8 "20 of this site" patterns of right nodes of capacity 20 (532 bonus
        pairs), while a roster splits it 20 + 20 + 16 at best (500). Dualised with a price
        ``ρ_s ≥ 0`` per member, the cut leaves each right node's subproblem as it was: members
        of ``s`` gain ``ρ_s`` each and the bonus per pair of ``s`` becomes ``B − ρ_s / slope_s``.
        """
        problem = self.problem
        assert problem.cluster is not None
        cl = problem.cluster[self.left]
        n_clusters = max(int(problem.cluster.max(initial=-1)) + 1, 1)  # ≥ 1 keeps indexing simple
        inside = np.flatnonzero(cl >= 0)
        members = np.bincount(problem.cluster[np.unique(self.left[inside])], minlength=n_clusters)
        R = problem.n_right
        key, per_key = np.unique(
            cl[inside].astype(np.int64) * R + problem.right[self.usable[inside]],
            return_counts=True,
        )
        site = key // R
        u = np.minimum(per_key, cap[key % R])
        order = np.lexsort((-u, site))  # by site, largest first
        site, u = site[order], u[order]
        before = np.cumsum(u) - u
        before -= before[np.searchsorted(site, site)]  # filled by the site's larger ones
        take = np.clip(members[site] - before, 0, u)
        most = np.bincount(site, weights=take * (take - 1) / 2, minlength=n_clusters)
        self.slope = most / np.maximum(members, 1)
        self.n_clusters = n_clusters
        self.has_cut = self.slope > 0
        self.slope_safe = np.where(self.has_cut, self.slope, 1.0)
        self.pair_cluster = np.where(cl >= 0, cl, 0)
        self.pair_cut = (cl >= 0) & self.has_cut[self.pair_cluster]
        big = np.flatnonzero(self.clustered)
        self.group_cluster = np.zeros(len(self.top), np.int64)
        self.group_cluster[big] = cl[np.searchsorted(self.grp, big)]
        self.group_cut = self.clustered & self.has_cut[self.group_cluster]
        # for the rounding-error budget: pairs and bonus pairs a cut can touch
        self.cut_size = np.bincount(cl[inside], minlength=n_clusters).astype(float)
        self.cut_size += (
            np.bincount(
                self.group_cluster[big],
                weights=self.top[big] * (self.top[big] - 1) / 2,
                minlength=n_clusters,
            )
            / np.maximum(self.slope, 1e-12)
            * self.has_cut
        )

    def _skew(self, wc: int, top: int) -> np.ndarray:
        """Columns of a max-plus convolution: load ``n`` with ``j`` members of the new cluster
        comes from load ``n − j`` before it; ``j > n`` points at the −inf column ``wc``."""
        key = (wc, top)
        if key not in self._skews:
            n = np.arange(wc)[:, None]
            j = np.arange(top + 1)[None, :]
            self._skews[key] = np.where(n >= j, n - j, wc)
        return self._skews[key]

    def start(self, chosen: np.ndarray, keys: _Keys) -> tuple[Multipliers, int]:
        """Multipliers to start from, and the flows it took: the LP duals of the linearisation
        at ``chosen`` (a fixed point; see the module docstring), the other prices at 0.

        With a priority tier the duals are taken for the weights ``w + M·[priority]``, with
        ``M`` (:meth:`_priority_price`) large enough that that flow alone (no tier 0) keeps
        the priority count at its optimum; ``μ₀ = M`` then makes the start as tight as without
        priorities (strong duality when the bonus is 0). If no such ``M`` shows up in a few
        doublings (minimum loads may outrank it), ``μ₀`` starts at 0.
        """
        problem = self.problem
        flat = linearised_problem(problem, keys.counts(_mask(problem.n_pairs, chosen)), keys)
        best = solve_flow(flat).chosen
        weight, mu0, flows = flat.weight, 0, 1
        if problem.priority is not None and self.prio.any():
            price, priced, used = self._priority_price(flat)
            flows += used
            if priced is not None:
                prio = problem.priority[problem.left].astype(np.int64)
                weight, mu0, best = flat.weight + price * prio, price, priced
        lam, mu = flow_duals(flat, weight, best)
        lam = lam / 2  # the linearisation doubles every weight to stay integral
        lam[~self.free_left] = 0
        nus = tuple(np.zeros(len(c)) for _, c in self.fams)
        start = Multipliers(lam, mu / 2, nus=nus, rho=np.zeros(self.n_clusters), mu0=mu0 / 2)
        return start, flows

    def _priority_price(self, flat: AssignmentProblem) -> tuple[int, np.ndarray | None, int]:
        """``(M, roster, flows)``: the first ``M`` (doubling from the largest weight) for which
        the flow with weights ``w + M·[priority]`` and no tier 0 keeps the priority count at its
        optimum, with that flow's roster; ``(0, None, flows)`` if none was found."""
        problem = self.problem
        assert problem.priority is not None  # called only with priorities (see start)
        plain = dataclasses.replace(flat, priority=None)
        prio = problem.priority[problem.left].astype(np.int64)
        flows = 0

        def keeps(price: int) -> np.ndarray | None:
            nonlocal flows
            flows += 1
            chosen = solve_flow(
                dataclasses.replace(plain, weight=flat.weight + price * prio)
            ).chosen
            return chosen if priority_met(problem, chosen) >= self.priority else None

        price = max(int(np.abs(flat.weight).max(initial=0)), 1)
        for _ in range(PRIORITY_DOUBLINGS):
            found = keeps(price)
            if found is not None:
                return price, found, flows
            price *= 2
        return 0, None, flows

    def _rho(self, m: Multipliers) -> np.ndarray | None:
        if m.rho is None or not self.has_cut.any():
            return None
        return np.where(self.has_cut, m.rho, 0.0)

    def evaluate(self, m: Multipliers) -> RelaxedSolution:
        """``L`` at ``m`` and the maximisers of the right nodes' subproblems."""
        rho = self._rho(m)
        c = self._pair_values(m, rho)
        V, picks = self._group_values(c, rho)
        total, load, count = self._knapsack(V, m)
        chosen_pos = []
        for gids, top_pos in picks:
            take = np.arange(top_pos.shape[1])[None, :] < count[gids][:, None]
            chosen_pos.append(top_pos[take])
        pos = np.concatenate(chosen_pos) if chosen_pos else np.zeros(0, np.int64)
        value = total + float(m.lam.sum()) - m.mu * self.coverage - m.eta * self.filled
        value -= m.mu0 * self.priority
        for (_, cap), nu in zip(self.fams, m.nus, strict=True):
            value += float(nu @ cap)
        return RelaxedSolution(value, self._slack(m, rho), np.sort(self.usable[pos]), load)

    def _pair_values(self, m: Multipliers, rho: np.ndarray | None) -> np.ndarray:
        """Each usable pair's value in the subproblems: its weight net of the dualised prices.

        Dualising the coupling rows (one pair per left node, the tiers, group caps, site
        cuts) leaves a price on each pair, which is all that separates the right nodes.
        """
        c = self.w - m.lam[self.left] + m.mu + m.mu0 * self.prio
        for (g, _), nu in zip(self.fams, m.nus, strict=True):
            c = c - np.where(g >= 0, nu[np.maximum(g, 0)], 0.0)
        if rho is not None:
            c = c + np.where(self.pair_cut, rho[self.pair_cluster], 0.0)
        result: np.ndarray = c
        return result

    def _group_values(
        self, c: np.ndarray, rho: np.ndarray | None
    ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """``V[g, n]``: the best value of ``n`` members of group ``g``, and who they are.

        Within a group the best ``n`` are its ``n`` most valuable pairs (pins first), so a
        partial sort per size class gives every group's value curve; the cluster bonus (less
        the site cut's price) and the groups' bounds are added on top.
        """
        c_ext = np.append(c, NEG)
        key_ext = np.append(np.where(self.pin, c + 1e15, c), NEG)  # pins first
        G = len(self.top)
        V = np.full((G, self.W), NEG)
        V[:, 0] = 0.0
        picks = []
        for gids, pos, keep in self.size_classes:
            K = key_ext[pos]
            if K.shape[1] > keep:
                idx = np.argpartition(-K, keep - 1, axis=1)[:, :keep]
                sub = np.take_along_axis(K, idx, axis=1)
                idx = np.take_along_axis(idx, np.argsort(-sub, axis=1, kind="stable"), axis=1)
            else:
                idx = np.argsort(-K, axis=1, kind="stable")
            top_pos = np.take_along_axis(pos, idx, axis=1)
            V[gids, 1 : keep + 1] = np.cumsum(c_ext[top_pos], axis=1)
            picks.append((gids, top_pos))
        V += self.bonus
        if rho is not None:
            per_pair = np.where(
                self.group_cut, rho[self.group_cluster] / self.slope_safe[self.group_cluster], 0.0
            )
            V -= per_pair[:, None] * self.pair_count[None, :]
        V[~self.valid] = NEG
        return V, picks

    def _knapsack(self, V: np.ndarray, m: Multipliers) -> tuple[float, np.ndarray, np.ndarray]:
        """``(total, load, count)``: each right node's best load and members per group.

        Per right node, a max-plus convolution over its groups (its own first, then its
        cluster groups layer by layer) gives the best value of each load; the balance and
        minimum-load terms then pick the load, and a backward pass recovers each group's count.
        """
        R = self.problem.n_right
        load = np.zeros(R, np.int64)
        count = np.zeros(len(self.top), np.int64)
        total = 0.0
        n = np.arange(self.W)
        for rows, wc, layers in self.by_right:
            D = np.full((len(rows), wc + 1), NEG)  # the last column stays -inf
            D[:, :wc] = V[rows, :wc]
            args = []
            for k, gids, top in layers:
                before = self._skew(wc, top)
                cand = D[:k, before] + V[gids, None, : top + 1]
                arg = np.argmax(cand, axis=2)  # the first best: fewest members of the cluster
                D[:k, :wc] = np.take_along_axis(cand, arg[:, :, None], axis=2)[:, :, 0]
                args.append(arg)
            D = D[:, :wc]
            F = D + self.tail[:wc]
            if self.min_load is not None:
                F += m.eta * np.minimum(n[None, :wc], self.min_load[rows][:, None])
            F[n[None, :wc] > self.cap[rows][:, None]] = NEG
            best = np.argmax(F, axis=1)
            total += float(F[np.arange(len(rows)), best].sum())
            load[rows] = best
            rem = best.copy()
            for (k, gids, _), arg in zip(reversed(layers), reversed(args), strict=True):
                took = arg[np.arange(k), rem[:k]]
                count[gids] = took
                rem[:k] -= took
            count[rows] = rem
        return total, load, count

    def _slack(self, m: Multipliers, rho: np.ndarray | None) -> float:
        """A bound on the rounding error of ``L`` at ``m``, so a bound is never overstated.

        Every float in :meth:`evaluate` is a sum of at most ``chain`` terms whose magnitudes
        add up to at most ``size``: the classic bound on the rounding error of a sum, with a
        factor 2 to spare.
        """
        size = self.scale + float(m.lam[self.left].sum() + m.lam.sum()) + abs(m.mu) * len(self.w)
        size += abs(m.mu) * self.coverage + m.eta * (self.filled + len(self.w))
        size += abs(m.mu0) * (self.priority + len(self.w))
        size += sum(float(nu.sum()) * (1 + len(self.w)) for nu in m.nus)
        if rho is not None:
            size += float(rho @ self.cut_size)
        slack: float = 2 * self.chain * np.finfo(float).eps * size + 1e-6
        return slack

    def feasible(self, sol: RelaxedSolution) -> bool:
        """Whether the subproblems' choices form a roster that keeps tiers 0–2 optimal."""
        problem = self.problem
        if len(sol.chosen) != self.coverage:
            return False
        if priority_met(problem, sol.chosen) != self.priority:
            return False
        if len(np.unique(problem.left[sol.chosen])) != len(sol.chosen):
            return False
        if self.min_load is not None and min_load_met(problem, sol.chosen) < self.filled:
            return False
        for fam, (_, cap) in zip(problem.groups, self.fams, strict=True):
            g = fam.pair_group[sol.chosen]
            if (np.bincount(g[g >= 0], minlength=len(cap)) > cap).any():
                return False
        return True

    def direction(self, m: Multipliers, sol: RelaxedSolution) -> Multipliers:
        """A subgradient of ``L`` at ``m`` (``L`` is convex in the multipliers)."""
        problem = self.problem
        g_lam = 1.0 - np.bincount(problem.left[sol.chosen], minlength=problem.n_left)
        g_lam[~self.free_left] = 0
        g_mu = float(len(sol.chosen) - self.coverage)
        g_mu0 = float(priority_met(problem, sol.chosen) - self.priority)
        g_eta = 0.0
        if self.min_load is not None:
            g_eta = float(np.minimum(sol.load, self.min_load).sum() - self.filled)
        nus = []
        for fam, (_, cap) in zip(problem.groups, self.fams, strict=True):
            g = fam.pair_group[sol.chosen]
            nus.append(cap - np.bincount(g[g >= 0], minlength=len(cap)))
        return Multipliers(g_lam, g_mu, g_eta, tuple(nus), self.cut_slack(sol.chosen), mu0=g_mu0)

    def cut_slack(self, chosen: np.ndarray) -> np.ndarray:
        """``Σ_r n_rs − Σ_r C(n_rs, 2) / slope_s`` per cluster: the site cuts' slack at the
        (possibly overlapping) pairs ``chosen``; 0 where a cluster has no cut."""
        problem = self.problem
        assert problem.cluster is not None
        cl = problem.cluster[problem.left[chosen]]
        inside = cl >= 0
        n = self.n_clusters
        members = np.bincount(cl[inside], minlength=n).astype(float)
        key, count = np.unique(
            cl[inside].astype(np.int64) * problem.n_right + problem.right[chosen][inside],
            return_counts=True,
        )
        pairs = np.bincount(key // problem.n_right, weights=count * (count - 1) / 2, minlength=n)
        return np.where(self.has_cut, members - pairs / self.slope_safe, 0.0)


def _usable_pairs(
    problem: AssignmentProblem, cap: np.ndarray, pinned: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(free_left, usable)``: the left nodes with a multiplier, and the pairs that may be chosen.

    A pinned left node's only pair is forced (its ``λ`` stays 0), so its other pairs and
    every pair of a right node without places are left out of the subproblems.
    """
    pinned_left = np.zeros(problem.n_left, bool)
    pinned_left[problem.left[pinned]] = True
    ok = (cap[problem.right] > 0) & (~pinned_left[problem.left] | pinned)
    return ~pinned_left, np.flatnonzero(ok)


def _groups(
    problem: AssignmentProblem, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(usable, grp, group_right)``: usable pairs sorted by group; each group's right node.

    Groups: one per right node (its unclustered pairs and lone cluster members), then one
    per (right node, cluster) with two or more pairs, by right node and size descending. A
    group's members are then contiguous, so its best members are a slice.
    """
    R = problem.n_right
    r = problem.right[usable]
    assert problem.cluster is not None  # only clustered problems come here (see applies)
    cl = problem.cluster[problem.left[usable]]
    width = max(int(cl.max(initial=-1)) + 1, 1)
    key = np.where(cl >= 0, r.astype(np.int64) * width + cl, -1)
    uniq, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    big = (uniq >= 0) & (cnt >= 2)
    big_key, big_size = uniq[big], cnt[big]
    big_right = big_key // width
    order = np.lexsort((big_key, -big_size, big_right))
    gid = np.full(len(uniq), -1, np.int64)
    gid[np.flatnonzero(big)[order]] = R + np.arange(len(order))
    grp = gid[inv]
    grp = np.where(grp >= 0, grp, r)
    srt = np.argsort(grp, kind="stable")
    group_right = np.concatenate([np.arange(R), big_right[order]])
    return usable[srt], grp[srt], group_right


def _size_classes(
    size: np.ndarray, top: np.ndarray, sentinel: int
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """The top members of every group, by size classes: ``(groups, positions, keep)``.

    Groups of similar size (same power of two) share one padded matrix of member positions
    (``sentinel`` = the −inf column), so one partial sort per class finds every group's best.
    """
    starts = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    out = []
    live = np.flatnonzero(size > 0)
    klass = np.ceil(np.log2(np.maximum(size[live], 1))).astype(np.int64)
    for k in np.unique(klass).tolist():
        gids = live[klass == k]
        span = int(size[gids].max())
        keep = int(top[gids].max())
        if keep == 0:
            continue
        cols = np.arange(span)
        pos = starts[gids][:, None] + cols[None, :]
        pos = np.where(cols[None, :] < size[gids][:, None], pos, sentinel)
        out.append((gids, pos, keep))
    return out


def _knapsack_batches(
    group_right: np.ndarray, top: np.ndarray, cap: np.ndarray, W: int
) -> list[tuple[np.ndarray, int, list[tuple[int, np.ndarray, int]]]]:
    """Right nodes batched for the knapsack: ``(rows, width, layers)`` per batch.

    The knapsack runs per right node; right nodes are batched by capacity, and within a
    batch ordered by their number of cluster groups, most first: the t-th groups of the
    batch then sit in its first rows, so each layer is one vectorised convolution.
    """
    R = len(cap)
    G = len(group_right)
    by_right = []
    n_groups = np.bincount(group_right[R:], minlength=R)
    rank = np.arange(G - R) - np.searchsorted(group_right[R:], group_right[R:])
    caps_rounded = np.where(cap < WIDTH_SPLIT, WIDTH_SPLIT, cap.max(initial=0) + 1)
    for wc in np.unique(caps_rounded).tolist():
        rows = np.flatnonzero(caps_rounded == wc)
        rows = rows[np.lexsort((rows, -n_groups[rows]))]
        local = np.full(R, -1, np.int64)
        local[rows] = np.arange(len(rows))
        layers = []
        in_class = np.flatnonzero(local[group_right[R:]] >= 0)
        for t in np.unique(rank[in_class]).tolist():
            gids = R + in_class[rank[in_class] == t]
            gids = gids[np.argsort(local[group_right[gids]])]  # rows 0, 1, ..., k-1
            layers.append((len(gids), gids, int(top[gids].max())))
        by_right.append((rows, min(wc, W), layers))
    return by_right


def _dot(a: Multipliers, b: Multipliers) -> float:
    total = float(a.lam @ b.lam) + a.mu * b.mu + a.mu0 * b.mu0 + a.eta * b.eta
    if a.rho is not None and b.rho is not None:
        total += float(a.rho @ b.rho)
    return total + sum(float(x @ y) for x, y in zip(a.nus, b.nus, strict=True))


def _axpy(a: float, x: Multipliers, y: Multipliers) -> Multipliers:
    """``y + a·x``."""
    return Multipliers(
        y.lam + a * x.lam,
        y.mu + a * x.mu,
        y.eta + a * x.eta,
        tuple(v + a * u for u, v in zip(x.nus, y.nus, strict=True)),
        None if x.rho is None or y.rho is None else y.rho + a * x.rho,
        y.mu0 + a * x.mu0,
    )


def _project(m: Multipliers, d: Multipliers) -> None:
    """Zero the parts of a descent direction ``−d`` that leave the feasible multipliers."""
    d.lam[(m.lam <= 0) & (d.lam > 0)] = 0
    if m.eta <= 0 and d.eta > 0:
        d.eta = 0.0
    for nu, dn in zip(m.nus, d.nus, strict=True):
        dn[(nu <= 0) & (dn > 0)] = 0
    if m.rho is not None and d.rho is not None:
        d.rho[(m.rho <= 0) & (d.rho > 0)] = 0


def _clip(m: Multipliers, free_left: np.ndarray) -> Multipliers:
    lam = np.maximum(m.lam, 0)
    lam[~free_left] = 0
    rho = None if m.rho is None else np.maximum(m.rho, 0)
    nus = tuple(np.maximum(n, 0) for n in m.nus)
    return Multipliers(lam, m.mu, max(m.eta, 0.0), nus, rho, m.mu0)


# --------------------------------------------------------------------------------------------
# the search


@dataclass
class _Search:
    """The state of :func:`search`: the best roster, the best bound, and the work done."""

    chosen: np.ndarray
    value: int
    bound: int
    relaxed: float
    iterations: int = 0
    factor: float = 1.0
    flows: int = 0
    restarts: int = 0
    improvements: int = 0
    work: float = 0.0
    wall_stop: bool = False


def search(
    problem: AssignmentProblem,
    *,
    budget: float,
    wall_limit: float = math.inf,
    progress: ProgressFn | None = None,
) -> _Search:
    """Linearisation and Lagrangian relaxation within ``budget`` deterministic seconds.

    Tiers 0–2 come from the flow without the bonus, which is also the first roster.
    """
    searcher = _Searcher.begin(problem, budget, wall_limit, progress)
    state = searcher.state
    searcher.report()
    m, start_flows = searcher.relax.start(state.chosen, searcher.keys)
    state.flows += start_flows  # the start solves the linearisation once more (or a few times)
    state.work += searcher.flow_unit * start_flows
    searcher.subgradient(m)
    if state.bound > state.value:  # polish the best roster to its fixed point
        searcher.polish()
    state.bound = max(min(state.bound, 2**62), state.value)
    return state


@dataclass
class _Searcher:
    """What :func:`search` keeps fixed (the problem, the budget, the relaxation, the costs of
    one evaluation and one flow) with the steps that update its :class:`_Search` state: each
    step counts its own work, so the budget is charged in one place per kind of work."""

    problem: AssignmentProblem
    budget: float
    wall_limit: float
    progress: ProgressFn | None
    start: float  # perf_counter() at the start of the search
    unit: float  # deterministic cost of one evaluation of the relaxation
    flow_unit: float  # deterministic cost of one flow
    keys: _Keys
    relax: Relaxation
    state: _Search

    @classmethod
    def begin(
        cls,
        problem: AssignmentProblem,
        budget: float,
        wall_limit: float,
        progress: ProgressFn | None,
    ) -> _Searcher:
        """The first roster (the flow without the bonus, linearised) and the relaxation
        whose tiers 0–2 that flow fixes."""
        start = time.perf_counter()
        unit = EVALUATION_COST[0] + EVALUATION_COST[1] * problem.n_pairs
        flow_unit = FLOW_COST[0] + FLOW_COST[1] * problem.n_pairs
        base = solve_flow(dataclasses.replace(problem, cluster_bonus=0))
        keys = _Keys(problem)
        chosen, value, flows = linearise(problem, base.chosen, keys=keys)
        relax = Relaxation(problem, Tiers(base.priority_assigned, base.assigned, base.min_load_met))
        state = _Search(chosen, value, bound=2**62, relaxed=math.inf, flows=flows + 1)
        state.work = flow_unit * state.flows
        return cls(
            problem, budget, wall_limit, progress, start, unit, flow_unit, keys, relax, state
        )

    def report(self) -> None:
        """Tell ``progress`` the best value and bound so far."""
        if self.progress is not None:
            state = self.state
            self.progress(float(state.value), float(state.bound), time.perf_counter() - self.start)

    def out_of_time(self) -> bool:
        """Whether to stop: the wall clock or the budget is spent, or the roster is proven
        optimal."""
        state = self.state
        if time.perf_counter() - self.start > self.wall_limit:
            state.wall_stop = True
        return state.wall_stop or state.work >= self.budget or state.bound <= state.value

    def relax_at(self, m: Multipliers) -> RelaxedSolution:
        """Evaluate the relaxation at ``m``, keeping the best bound."""
        state = self.state
        sol = self.relax.evaluate(m)
        state.iterations += 1
        state.work += self.unit
        if sol.bound < state.bound:
            state.bound = sol.bound
            self.report()
        return sol

    def take(self, found: np.ndarray, found_value: int | None = None) -> None:
        """Keep roster ``found`` if it beats the best so far."""
        state = self.state
        found_value = tier3_value(self.problem, found) if found_value is None else found_value
        if found_value > state.value:
            state.chosen, state.value = found, found_value
            state.improvements += 1
            self.report()

    def restart(self, counts: np.ndarray) -> None:
        """Linearise again from the relaxation's averaged ``counts`` (a primal heuristic)."""
        found, found_value, used = linearise(
            self.problem, counts=counts, rounds=RESTART_FLOWS, keys=self.keys
        )
        self.state.flows += used
        self.state.restarts += 1
        self.state.work += self.flow_unit * used
        self.take(found, found_value)

    def polish(self) -> None:
        """Linearise the best roster to its fixed point."""
        polished, polished_value, used = linearise(self.problem, self.state.chosen, keys=self.keys)
        self.state.flows += used
        self.state.work += self.flow_unit * used
        self.take(polished, polished_value)

    def subgradient(self, m: Multipliers) -> None:
        """Deflected subgradient steps from ``m``, halving the step after ``patience``
        iterations without a better relaxed value, until time runs out, the step vanishes
        or the roster is proven optimal; rosters come from feasible relaxed solutions and
        from restarts every ``HEURISTIC_EVERY`` iterations."""
        state, relax = self.state, self.relax
        best_m = m
        factor, stall = INITIAL_FACTOR, 0
        previous: Multipliers | None = None
        average = None
        per_iteration = self.unit + self.flow_unit * RESTART_FLOWS / HEURISTIC_EVERY
        patience = int(np.clip(self.budget / per_iteration / STALL_SHARE, *STALL))
        while factor >= MIN_STEP_FACTOR and not (state.iterations and self.out_of_time()):
            sol = self.relax_at(m)
            if sol.value < state.relaxed:
                state.relaxed, best_m, stall = sol.value, m, 0
            else:
                stall += 1
                if stall >= patience:  # halve the steps and go back to the best multipliers
                    factor, stall, m, previous = factor / 2, 0, best_m, None
                    continue
            if state.bound > state.value and relax.feasible(sol):
                # every left node on one right node: a roster (optimal if d = 0)
                self.take(sol.chosen)
            if state.bound <= state.value:
                break
            counts = self.keys.counts(_mask(self.problem.n_pairs, sol.chosen))
            average = counts if average is None else EMA * average + (1 - EMA) * counts
            if state.iterations % HEURISTIC_EVERY == 0:
                self.restart(average)
                if state.bound <= state.value:
                    break
            d = _deflect(relax.direction(m, sol), previous)
            _project(m, d)
            norm = _dot(d, d)
            if norm <= 0:
                break
            previous = d
            step = factor * max(sol.value - state.value, 1.0) / norm
            m = _clip(_axpy(-step, d, m), relax.free_left)
            state.factor = factor


def _deflect(d: Multipliers, previous: Multipliers | None) -> Multipliers:
    """Direction ``d`` deflected away from the previous step where the two point against
    each other (a negative dot product), which damps the zigzag of plain subgradient steps."""
    if previous is not None:
        dot = _dot(d, previous)
        if dot < 0:
            d = _axpy(-DEFLECTION * dot / _dot(previous, previous), previous, d)
    return d


# --------------------------------------------------------------------------------------------
# CP-SAT for small problems


def _finish_with_cpsat(
    problem: AssignmentProblem, state: _Search, tiers: Tiers, time_limit: float, seed: int
) -> tuple[np.ndarray, int, int, bool]:
    """CP-SAT hinted with the best roster, its objective capped at the Lagrangian bound.

    Returns ``(chosen, value, bound, proven)``.
    """
    from ortools.sat.python import cp_model

    built = AssignmentModel(problem)
    built.hold(tiers)
    objective = built.tier3()
    built.model.add(objective <= state.bound)
    built.model.maximize(objective)
    built.hint(state.chosen)
    solver = cp_model.CpSolver()
    parameters(solver, time_limit, seed)
    status = status_of(solver.Solve(built.model))
    if status is None:
        return state.chosen, state.value, state.bound, False
    found = built.chosen(solver)
    value = tier3_value(problem, found)
    if value < state.value:
        found, value = state.chosen, state.value
    if status == SolveStatus.OPTIMAL:
        return found, value, value, True
    bound = min(state.bound, max(int(np.floor(solver.BestObjectiveBound() + 1e-6)), value))
    return found, value, bound, bound <= value


# --------------------------------------------------------------------------------------------
# entry point


def solve_clusters(
    problem: AssignmentProblem,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> AssignmentSolution:
    """Lexicographic optimum (tiers 0–2 exact, tier 3 within a proven bound) with a positive
    same-site bonus; see the module docstring."""
    if not supported(problem):
        raise ValueError("solve_clusters needs a positive cluster bonus and flow-shaped caps")
    start = time.perf_counter()
    if not pins_fit(problem):
        return AssignmentSolution.infeasible("same_site")
    budget = BUDGET_SHARE * time_limit
    wall_limit = WALL_SAFETY[0] * time_limit + WALL_SAFETY[1]
    state = search(problem, budget=budget, wall_limit=wall_limit, progress=progress)
    chosen, value, bound = state.chosen, state.value, state.bound
    tiers = Tiers(priority_met(problem, chosen), len(chosen), min_load_met(problem, chosen))
    used_cpsat = False
    if bound > value and problem.n_pairs <= CPSAT_PAIRS:
        remaining = max(min(time_limit - state.work, CPSAT_SHARE * time_limit), 0.1)
        chosen, value, bound, _ = _finish_with_cpsat(problem, state, tiers, remaining, seed)
        used_cpsat = True
    proven = bound <= value
    return AssignmentSolution(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        chosen=np.sort(chosen).astype(np.int64),
        assigned=len(chosen),
        min_load_met=min_load_met(problem, chosen),
        objective=int(value),
        bound=int(value if proven else bound),
        solve_seconds=time.perf_counter() - start,
        solver="same_site",
        stats={
            "iterations": state.iterations,
            "flows": state.flows,
            "restarts": state.restarts,
            "improvements": state.improvements,
            "work_seconds": round(state.work, 3),
            "step_factor": state.factor,
            "lagrangian": state.relaxed,
            "cpsat": used_cpsat,
            "wall_stop": state.wall_stop,
        },
        priority_assigned=tiers.priority,
        priority_bound=tiers.priority,
        assigned_bound=tiers.coverage,
    )
