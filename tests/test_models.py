"""The assignment models against brute force, and against each other.

Small random problems are enumerated exhaustively (every left node takes one of its pairs or
none), which shares no code with the models: the lexicographic optimum found that way must be
what the min-cost flow and CP-SAT report, for every side term they support.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvers.assignment_data import AssignmentProblem, GroupCaps
from solvers.cpsat_assign import solve_cpsat
from solvers.decompose import components, subproblem
from solvers.flow import solve_flow
from solvers.greedy import solve_greedy


def brute_force(problem: AssignmentProblem) -> tuple[int, int, int] | None:
    """(assigned, min loads met, tier-3 value) of the best feasible choice, by enumeration
    (priority left nodes first, where the problem has them)."""
    best = brute_force_tiers(problem)
    return None if best is None else best[1:]


def brute_force_tiers(problem: AssignmentProblem) -> tuple[int, int, int, int] | None:
    """(priority assigned, assigned, min loads met, tier-3 value) of the lexicographic best."""
    options = [
        [None] + [p for p in range(problem.n_pairs) if problem.left[p] == k]
        for k in range(problem.n_left)
    ]
    best = None
    for choice in itertools.product(*options):
        chosen = [p for p in choice if p is not None]
        if problem.pinned is not None and not all(
            p in chosen for p in np.flatnonzero(problem.pinned).tolist()
        ):
            continue
        loads = [0] * problem.n_right
        for p in chosen:
            loads[problem.right[p]] += 1
        if any(loads[r] > problem.capacity[r] for r in range(problem.n_right)):
            continue
        ok = True
        for fam in problem.groups:
            used: dict[int, int] = {}
            for p in chosen:
                g = int(fam.pair_group[p])
                if g >= 0:
                    used[g] = used.get(g, 0) + 1
            ok &= all(n <= fam.cap[g] for g, n in used.items())
        if not ok:
            continue
        value = sum(int(problem.weight[p]) for p in chosen)
        value -= problem.balance * sum(n * n for n in loads)
        if problem.cluster_bonus:
            together: dict[tuple[int, int], int] = {}
            for p in chosen:
                cl = int(problem.cluster[problem.left[p]])
                if cl >= 0:
                    key = (int(problem.right[p]), cl)
                    together[key] = together.get(key, 0) + 1
            value += problem.cluster_bonus * sum(n * (n - 1) // 2 for n in together.values())
        met = 0
        if problem.min_load is not None:
            met = sum(min(loads[r], int(problem.min_load[r])) for r in range(problem.n_right))
        prio = 0
        if problem.priority is not None:
            prio = sum(bool(problem.priority[problem.left[p]]) for p in chosen)
        key = (prio, len(chosen), met, value)
        if best is None or key > best:
            best = key
    return best


@st.composite
def problems(
    draw,
    *,
    groups=False,
    clusters=False,
    balance=False,
    min_load=False,
    pins=False,
    priority=False,
):
    # coupling terms only bite when several left nodes compete: make those problems denser
    n_left = draw(st.integers(3 if clusters else 1, 5))
    n_right = draw(st.integers(2 if clusters else 1, 3))
    all_pairs = [(k, r) for k in range(n_left) for r in range(n_right)]
    least = len(all_pairs) * 2 // 3 if clusters else 1
    chosen = draw(
        st.lists(st.sampled_from(all_pairs), min_size=least, max_size=len(all_pairs), unique=True)
    )
    chosen.sort()
    left = np.array([k for k, _ in chosen], dtype=np.int64)
    right = np.array([r for _, r in chosen], dtype=np.int64)
    top = 8 if clusters else 20
    weight = np.array(
        draw(st.lists(st.integers(-5, top), min_size=len(chosen), max_size=len(chosen)))
    )
    capacity = np.array(
        draw(st.lists(st.integers(1 if clusters else 0, 3), min_size=n_right, max_size=n_right))
    )
    fams = ()
    if groups:
        # one cap per right node on the pairs of "even" left nodes (like year-1 candidates)
        pair_group = np.where(left % 2 == 0, right, -1)
        caps = np.array(draw(st.lists(st.integers(0, 2), min_size=n_right, max_size=n_right)))
        fams = (GroupCaps(pair_group.astype(np.int64), caps),)
    cluster = None
    bonus = 0
    if clusters:
        cluster = np.array(draw(st.lists(st.integers(-1, 1), min_size=n_left, max_size=n_left)))
        bonus = draw(st.integers(3, 15)) * draw(st.sampled_from([1, 1, -1]))
    prio = None
    if priority:
        prio = np.array(draw(st.lists(st.booleans(), min_size=n_left, max_size=n_left)))
    pinned = None
    if pins:
        pinned = np.zeros(len(chosen), dtype=bool)
        pinned[draw(st.integers(0, len(chosen) - 1))] = True
    return AssignmentProblem(
        n_left=n_left,
        n_right=n_right,
        left=left,
        right=right,
        weight=weight.astype(np.int64),
        capacity=capacity.astype(np.int64),
        min_load=np.array(draw(st.lists(st.integers(0, 2), min_size=n_right, max_size=n_right)))
        if min_load
        else None,
        pinned=pinned,
        groups=fams,
        balance=draw(st.integers(1, 3)) if balance else 0,
        cluster=cluster,
        cluster_bonus=bonus,
        priority=prio,
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _key(solution):
    return (solution.assigned, solution.min_load_met, solution.objective)


def _tiers(solution):
    return (solution.priority_assigned, *_key(solution))


@SETTINGS
@given(problems())
def test_flow_matches_brute_force(problem):
    solution = solve_flow(problem)
    assert solution.status == "optimal"
    assert _key(solution) == brute_force(problem)


@SETTINGS
@given(problems(groups=True, min_load=True, balance=True))
def test_flow_with_node_split_caps_min_loads_and_balance_matches_brute_force(problem):
    assert _key(solve_flow(problem)) == brute_force(problem)


@SETTINGS
@given(problems())
def test_cpsat_reaches_the_flow_optimum_without_coupling_terms(problem):
    flow, cpsat = solve_flow(problem), solve_cpsat(problem, time_limit=5)
    assert cpsat.status == "optimal"
    assert _key(cpsat) == _key(flow)


@SETTINGS
@given(problems(clusters=True))
def test_cpsat_same_site_bonus_matches_brute_force(problem):
    solution = solve_cpsat(problem, time_limit=5)
    assert solution.status == "optimal"
    assert _key(solution) == brute_force(problem)


@SETTINGS
@given(problems(groups=True, clusters=True, min_load=True))
def test_cpsat_with_crossing_caps_matches_brute_force(problem):
    """A second cap family (here: a cap on all pairs of cluster-0 nodes) is not a flow."""
    cross = np.where(problem.cluster[problem.left] == 0, problem.right, -1).astype(np.int64)
    problem = AssignmentProblem(
        **{
            **problem.__dict__,
            "groups": (*problem.groups, GroupCaps(cross, np.ones(problem.n_right, dtype=np.int64))),
        }
    )
    assert not problem.is_flow
    assert _key(solve_cpsat(problem, time_limit=5)) == brute_force(problem)


@SETTINGS
@given(problems(pins=True))
def test_pins_are_kept_by_every_model(problem):
    expected = brute_force(problem)
    for solve in (solve_flow, lambda p: solve_cpsat(p, time_limit=5)):
        solution = solve(problem)
        if expected is None:
            assert solution.status == "infeasible"
        else:
            assert set(np.flatnonzero(problem.pinned)) <= set(solution.chosen.tolist())
            assert _key(solution) == expected


@SETTINGS
@given(problems())
def test_greedy_is_feasible_and_never_beats_the_optimum(problem):
    greedy, best = solve_greedy(problem), brute_force(problem)
    assert (greedy.assigned, greedy.objective) <= (best[0], best[2])
    loads = np.bincount(problem.right[greedy.chosen], minlength=problem.n_right)
    assert (loads <= problem.capacity).all()
    assert len(set(problem.left[greedy.chosen].tolist())) == greedy.assigned


def test_components_split_exactly_and_solve_to_the_same_optimum():
    rng = np.random.default_rng(7)
    left, right = [], []
    for block in range(4):  # four independent blocks of 6 left x 3 right nodes
        for k in range(6):
            for r in rng.choice(3, size=2, replace=False):
                left.append(block * 6 + k)
                right.append(block * 3 + int(r))
    n = len(left)
    problem = AssignmentProblem(
        24,
        12,
        np.array(left),
        np.array(right),
        rng.integers(0, 50, n),
        np.full(12, 1),
        cluster=rng.integers(-1, 3, 24),
        cluster_bonus=7,
    )
    parts = components(problem)
    assert len(parts) == 4
    assert sorted(np.concatenate(parts).tolist()) == list(range(n))
    whole = solve_cpsat(problem, time_limit=5)
    pieces = [solve_cpsat(subproblem(problem, idx), time_limit=5) for idx in parts]
    assert sum(p.objective for p in pieces) == whole.objective
    assert sum(p.assigned for p in pieces) == whole.assigned


# ------------------------------------------------------------------ tier 0: priority first


def _one_place_problem(priority):
    """One right node with one place; left 0 (not priority) weighs 10, left 1 weighs 1."""
    return AssignmentProblem(
        n_left=2,
        n_right=1,
        left=np.array([0, 1]),
        right=np.array([0, 0]),
        weight=np.array([10, 1]),
        capacity=np.array([1]),
        priority=priority,
    )


def test_priority_takes_the_place_the_plain_optimum_gives_away():
    """Hand-solved: the plain optimum takes left 0 (weight 10); with left 1 a priority node,
    the place goes to it (weight 1), coverage unchanged; without priorities, as before."""
    plain = _one_place_problem(None)
    first = _one_place_problem(np.array([False, True]))
    for solve in (solve_flow, lambda p: solve_cpsat(p, time_limit=5), solve_greedy):
        assert solve(plain).chosen.tolist() == [0]
        solution = solve(first)
        assert solution.chosen.tolist() == [1]
        assert (solution.priority_assigned, solution.assigned, solution.objective) == (1, 1, 1)


def test_priority_never_costs_coverage_in_a_flow():
    """Left 1 (priority) can take right 0 or 1, left 0 only right 0: both are covered, and the
    staged flow finds it although the plain roster would too."""
    problem = AssignmentProblem(
        n_left=3,
        n_right=2,
        left=np.array([0, 1, 1, 2]),
        right=np.array([0, 0, 1, 1]),
        weight=np.array([1, 50, 2, 40]),
        capacity=np.array([1, 1]),
        priority=np.array([False, True, False]),
    )
    solution = solve_flow(problem)
    assert (solution.priority_assigned, solution.assigned) == (1, 2)
    assert _tiers(solution) == brute_force_tiers(problem)


@SETTINGS
@given(problems(priority=True, groups=True, min_load=True, balance=True, pins=True))
def test_flow_with_priority_matches_brute_force(problem):
    expected = brute_force_tiers(problem)
    solution = solve_flow(problem)
    if expected is None:
        assert solution.status == "infeasible"
        return
    assert solution.status == "optimal"
    assert _tiers(solution) == expected
    assert solution.priority_bound == solution.priority_assigned


@SETTINGS
@given(problems(priority=True, clusters=True, min_load=True))
def test_cpsat_with_priority_matches_brute_force(problem):
    solution = solve_cpsat(problem, time_limit=5)
    assert solution.status == "optimal"
    assert _tiers(solution) == brute_force_tiers(problem)


@SETTINGS
@given(problems(priority=True, groups=True, clusters=True, min_load=True))
def test_cpsat_with_priority_and_crossing_caps_matches_brute_force(problem):
    """Not a flow: tiers 0–2 come from a CP-SAT solve of their own; priority may cost
    coverage here, and the optimum must still put it first."""
    cross = np.where(problem.cluster[problem.left] == 0, problem.right, -1).astype(np.int64)
    problem = dataclasses.replace(
        problem, groups=(*problem.groups, GroupCaps(cross, np.ones(problem.n_right, np.int64)))
    )
    solution = solve_cpsat(problem, time_limit=5)
    assert solution.status == "optimal"
    assert _tiers(solution) == brute_force_tiers(problem)
    assert solution.priority_bound == solution.priority_assigned


@SETTINGS
@given(problems(priority=True))
def test_greedy_serves_priority_nodes_first(problem):
    """Greedy is no optimiser, but it never leaves a priority node out while a place it could
    take is still free after the priority nodes had their turn."""
    greedy = solve_greedy(problem)
    taken = set(problem.left[greedy.chosen].tolist())
    loads = np.bincount(problem.right[greedy.chosen], minlength=problem.n_right)
    for p in range(problem.n_pairs):
        k = int(problem.left[p])
        if problem.priority[k] and k not in taken:
            assert loads[problem.right[p]] >= problem.capacity[problem.right[p]]


def test_components_keep_priorities():
    problem = AssignmentProblem(
        n_left=4,
        n_right=2,
        left=np.array([0, 1, 2, 3]),
        right=np.array([0, 0, 1, 1]),
        weight=np.array([9, 1, 9, 1]),
        capacity=np.array([1, 1]),
        priority=np.array([False, True, False, True]),
    )
    parts = components(problem)
    assert len(parts) == 2
    chosen = np.sort(
        np.concatenate([idx[solve_flow(subproblem(problem, idx)).chosen] for idx in parts])
    )
    assert chosen.tolist() == solve_flow(problem).chosen.tolist() == [1, 3]


def test_priority_binds_often_on_seeded_random_problems():
    """300 seeded random problems with scarce places: flow and CP-SAT match brute force, and
    in a good share of them putting priority first changes the roster (so the brute-force
    tests above are not vacuous)."""
    rng = np.random.default_rng(15)
    binding = 0
    for _ in range(300):
        n_left, n_right = int(rng.integers(2, 6)), int(rng.integers(1, 3))
        pairs = [(k, r) for k in range(n_left) for r in range(n_right) if rng.random() < 0.7]
        if not pairs:
            continue
        problem = AssignmentProblem(
            n_left=n_left,
            n_right=n_right,
            left=np.array([k for k, _ in pairs]),
            right=np.array([r for _, r in pairs]),
            weight=rng.integers(-5, 30, len(pairs)),
            capacity=rng.integers(0, 3, n_right),
            priority=rng.random(n_left) < 0.5,
        )
        expected = brute_force_tiers(problem)
        assert _tiers(solve_flow(problem)) == expected
        assert _tiers(solve_cpsat(problem, time_limit=5)) == expected
        plain = solve_flow(dataclasses.replace(problem, priority=None))
        binding += int(problem.priority[problem.left[plain.chosen]].sum()) < expected[0]
    assert binding >= 20
