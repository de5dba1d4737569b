"""The same-site solver (``solvers.same_site``) against brute force.

The Lagrangian bound must hold for *any* multipliers, and each right node's subproblem must be
solved exactly; the linearisation must never lose tier 3 nor tiers 1–2; the whole solver must
reach the brute-force optimum on tiny problems and give the same answer twice.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_models import brute_force, brute_force_tiers, problems

from solvers.assignment_data import AssignmentProblem, min_load_met, priority_met, tier3_value
from solvers.cpsat_model import Tiers
from solvers.flow import pins_fit, solve_flow
from solvers.same_site import (
    Multipliers,
    Relaxation,
    _Keys,
    flow_duals,
    linearise,
    linearised_step,
    marginal_step,
    search,
    solve_clusters,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def positive(problem: AssignmentProblem) -> AssignmentProblem:
    return dataclasses.replace(problem, cluster_bonus=abs(problem.cluster_bonus))


bonus_problems = problems(clusters=True).map(positive)
side_problems = problems(
    clusters=True, groups=True, min_load=True, balance=True, pins=True, priority=True
).map(positive)


def _tiers(problem: AssignmentProblem) -> Tiers:
    flow = solve_flow(dataclasses.replace(problem, cluster_bonus=0))
    return Tiers(flow.priority_assigned, flow.assigned, flow.min_load_met)


def _random_multipliers(data, problem: AssignmentProblem) -> Multipliers:
    bonus = problem.cluster_bonus
    values = st.floats(0, 30 + 6 * bonus, allow_nan=False)
    lam = np.array(data.draw(st.lists(values, min_size=problem.n_left, max_size=problem.n_left)))
    mu = data.draw(st.floats(-20 - 3 * bonus, 20 + 3 * bonus, allow_nan=False))
    eta = data.draw(st.floats(0, 50, allow_nan=False))
    nus = tuple(
        np.array(data.draw(st.lists(values, min_size=len(f.cap), max_size=len(f.cap))))
        for f in problem.groups
    )
    n_clusters = max(int(problem.cluster.max(initial=-1)) + 1, 1)
    rho = np.array(data.draw(st.lists(values, min_size=n_clusters, max_size=n_clusters)))
    mu0 = data.draw(st.floats(-20 - 3 * bonus, 20 + 3 * bonus, allow_nan=False))
    return Multipliers(lam, mu, eta, nus, rho, mu0)


def _most_site_pairs(problem: AssignmentProblem) -> dict[int, int]:
    """Per cluster, the most pairs of its members sharing a right node in any assignment that
    respects capacities (coverage ignored), by enumerating every assignment of its members."""
    best = {}
    for s in sorted(set(problem.cluster[problem.cluster >= 0].tolist())):
        members = np.flatnonzero(problem.cluster == s).tolist()
        options = [
            [None] + [int(problem.right[p]) for p in range(problem.n_pairs) if problem.left[p] == k]
            for k in members
        ]
        most = 0
        for choice in itertools.product(*options):
            used = np.bincount([r for r in choice if r is not None], minlength=problem.n_right)
            if (used <= problem.capacity).all():
                most = max(most, int((used * (used - 1) // 2).sum()))
        best[s] = most
    return best


def _subproblem_by_enumeration(problem, relax, m: Multipliers, r: int) -> float:
    """Right node ``r``'s subproblem of the Lagrangian, by enumerating every subset.

    The site cuts (``Σ_r C(n_rs, 2) ≤ slope_s · Σ_r n_rs``, dualised with ``ρ_s`` per member)
    take their slopes from ``relax``; their validity is what the bound test checks."""
    pinned = problem.pinned if problem.pinned is not None else np.zeros(problem.n_pairs, bool)
    pinned_left = set(problem.left[pinned].tolist())
    pairs = [
        p
        for p in range(problem.n_pairs)
        if problem.right[p] == r and (pinned[p] or problem.left[p] not in pinned_left)
    ]
    best = -np.inf
    for size in range(int(problem.capacity[r]) + 1):
        for subset in itertools.combinations(pairs, size):
            if not all(p in subset for p in pairs if pinned[p]):
                continue
            value = 0.0
            for p in subset:
                value += problem.weight[p] - m.lam[problem.left[p]] + m.mu
                if problem.priority is not None and problem.priority[problem.left[p]]:
                    value += m.mu0
                for fam, nu in zip(problem.groups, m.nus, strict=True):
                    if fam.pair_group[p] >= 0:
                        value -= nu[fam.pair_group[p]]
            sites = problem.cluster[problem.left[list(subset)]] if subset else np.zeros(0, int)
            counts = np.bincount(sites[sites >= 0]) if len(sites) else np.zeros(0, int)
            value += problem.cluster_bonus * float((counts * (counts - 1) // 2).sum())
            for s_, n in enumerate(counts.tolist()):
                if relax.slope[s_] > 0:
                    value += m.rho[s_] * (n - n * (n - 1) / 2 / relax.slope[s_])
            value -= problem.balance * size * size
            if problem.min_load is not None:
                value += m.eta * min(size, int(problem.min_load[r]), int(problem.capacity[r]))
            best = max(best, value)
    return best


@SETTINGS
@given(side_problems, st.data())
def test_the_relaxation_bounds_the_optimum_for_any_multipliers(problem, data):
    expected = brute_force(problem)
    if expected is None or not pins_fit(problem):
        return
    tiers = _tiers(problem)
    coverage, filled = tiers.coverage, tiers.filled
    assert (tiers.priority, coverage, filled) == brute_force_tiers(problem)[:3]
    relax = Relaxation(problem, tiers)
    m = _random_multipliers(data, problem)
    sol = relax.evaluate(m)
    assert sol.bound >= expected[2]
    # and each right node's subproblem is solved exactly
    constant = m.lam.sum() - m.mu * coverage - m.eta * filled - m.mu0 * tiers.priority
    constant += sum(float(nu @ f.cap) for nu, f in zip(m.nus, problem.groups, strict=True))
    by_enumeration = constant + sum(
        _subproblem_by_enumeration(problem, relax, m, r) for r in range(problem.n_right)
    )
    assert abs(sol.value - by_enumeration) <= 1e-6 * max(1.0, abs(by_enumeration))
    loads = np.bincount(problem.right[sol.chosen], minlength=problem.n_right)
    assert (loads == sol.load).all()


@SETTINGS
@given(side_problems)
def test_search_keeps_tiers_and_brackets_the_optimum(problem):
    expected = brute_force(problem)
    if expected is None or not pins_fit(problem):
        return
    state = search(problem, budget=0.05)
    chosen = state.chosen
    tiers = (priority_met(problem, chosen), len(chosen), min_load_met(problem, chosen))
    assert tiers == brute_force_tiers(problem)[:3]
    assert tier3_value(problem, chosen) == state.value <= expected[2] <= state.bound
    assert len(set(problem.left[chosen].tolist())) == len(chosen)
    loads = np.bincount(problem.right[chosen], minlength=problem.n_right)
    assert (loads <= problem.capacity).all()
    if problem.pinned is not None:
        assert set(np.flatnonzero(problem.pinned).tolist()) <= set(chosen.tolist())


@SETTINGS
@given(problems(clusters=True, min_load=True, balance=True).map(positive), st.data())
def test_each_linearisation_step_never_loses(problem, data):
    """From any roster that keeps tiers 1–2 optimal, one flow on the gradient never loses."""
    keys = _Keys(problem)
    noise = data.draw(
        st.lists(st.integers(-30, 30), min_size=problem.n_pairs, max_size=problem.n_pairs)
    )
    start = solve_flow(
        dataclasses.replace(problem, weight=problem.weight + np.array(noise), cluster_bonus=0)
    ).chosen  # some roster with tiers 1–2 at their optimum
    tiers = (len(start), min_load_met(problem, start))
    x = np.zeros(problem.n_pairs, bool)
    x[start] = True
    step = linearised_step(problem, keys.counts(x), keys)
    assert (len(step), min_load_met(problem, step)) == tiers
    assert tier3_value(problem, step) >= tier3_value(problem, start)
    marginal = marginal_step(problem, start, keys)  # may lose tier 3, never tiers 1–2
    assert (len(marginal), min_load_met(problem, marginal)) == tiers
    chosen, value, _ = linearise(problem, start, keys=keys)
    assert value == tier3_value(problem, chosen) >= tier3_value(problem, step)
    assert (len(chosen), min_load_met(problem, chosen)) == tiers


@SETTINGS
@given(side_problems)
def test_solve_clusters_matches_brute_force(problem):
    expected = brute_force(problem)
    solution = solve_clusters(problem, time_limit=5)
    if expected is None:
        assert solution.status == "infeasible"
        return
    assert solution.status == "optimal"
    assert (solution.assigned, solution.min_load_met, solution.objective) == expected
    assert solution.priority_assigned == brute_force_tiers(problem)[0]
    assert solution.bound == solution.objective


@SETTINGS
@given(bonus_problems)
def test_site_cuts_hold_for_every_assignment(problem):
    """Each cluster's cut slope covers the most pairs its members can make, per member."""
    if not pins_fit(problem):
        return
    relax = Relaxation(problem, _tiers(problem))
    for s, most in _most_site_pairs(problem).items():
        members = int((problem.cluster == s).sum())
        if most:
            assert relax.slope[s] * members >= most - 1e-9


@SETTINGS
@given(problems(pins=True))
def test_flow_duals_make_the_relaxation_tight_without_a_bonus(problem):
    """At the LP duals of the transportation problem the Lagrangian equals the flow optimum
    (strong duality): the start the search takes is the best possible when B = 0."""
    flat = dataclasses.replace(
        problem, cluster=None, cluster_bonus=0, groups=(), min_load=None, balance=0
    )
    if not pins_fit(flat):
        return
    flow = solve_flow(flat)
    lam, mu = flow_duals(flat, flat.weight, flow.chosen)
    assert (lam >= 0).all()
    relax = Relaxation(
        dataclasses.replace(flat, cluster=np.full(flat.n_left, -1)), Tiers(0, flow.assigned, 0)
    )
    value = relax.evaluate(Multipliers(lam, mu)).value
    assert abs(value - tier3_value(flat, flow.chosen)) <= 1e-6 * max(1.0, abs(value))


def _site_problem(seed: int) -> AssignmentProblem:
    """A few hundred pairs with sites larger than most capacities: the hard shape."""
    rng = np.random.default_rng(seed)
    n_left, n_right = 120, 16
    left, right = [], []
    for k in range(n_left):
        for r in rng.choice(n_right, size=5, replace=False):
            left.append(k)
            right.append(int(r))
    return AssignmentProblem(
        n_left,
        n_right,
        np.array(left),
        np.array(right),
        rng.integers(0, 300, len(left)),
        rng.integers(3, 12, n_right),
        cluster=rng.integers(-1, 12, n_left),
        cluster_bonus=120,
    )


def test_same_input_same_answer():
    problem = _site_problem(3)
    first = search(problem, budget=0.3)
    second = search(problem, budget=0.3)
    assert first.iterations == second.iterations > 10
    assert np.array_equal(first.chosen, second.chosen)
    assert (first.value, first.bound) == (second.value, second.bound)
    assert first.value <= first.bound


def test_search_improves_on_the_flow_and_on_the_first_fixed_point():
    problem = _site_problem(5)
    flow = solve_flow(dataclasses.replace(problem, cluster_bonus=0))
    _, start_value, _ = linearise(problem, flow.chosen)
    assert start_value >= tier3_value(problem, flow.chosen)
    state = search(problem, budget=0.3)
    assert state.value >= start_value
    assert state.bound >= state.value


@SETTINGS
@given(problems(priority=True))
def test_the_start_is_tight_without_a_bonus_also_with_priorities(problem):
    """With a priority tier the start prices it (μ₀) from a flow that keeps the priority count
    without being told: at B = 0 the Lagrangian then equals the staged flow's optimum."""
    flat = dataclasses.replace(
        problem,
        cluster=np.full(problem.n_left, -1),
        cluster_bonus=0,
        groups=(),
        min_load=None,
        balance=0,
    )
    flow = solve_flow(flat)
    relax = Relaxation(flat, Tiers(flow.priority_assigned, flow.assigned, 0))
    m, flows = relax.start(flow.chosen, _Keys(flat))
    assert flows >= 1
    value = relax.evaluate(m).value
    assert abs(value - tier3_value(flat, flow.chosen)) <= 1e-6 * max(1.0, abs(value))
