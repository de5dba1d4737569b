"""The assignment stage: coachmatch's flow and CP-SAT paths and their peers, on the same arrays.

Every method gets the cohort's one :class:`AssignmentProblem` (same eligible pairs, same integer
weights, same places) and is timed on it; ``benchmarks.table`` turns the medians into ratios
against ``coachmatch_flow`` (what ``coachmatch assign`` runs) and the objectives into gaps to
the optimum. The optimum is the recorded one (``known_optima.json``) where the cohort's
fingerprint matches, otherwise the flow's proven optimum in this run.
"""

from __future__ import annotations

import warnings

import pytest

from benchmarks.cohorts import Cohort
from benchmarks.peers import EXACT, SOLVE, plain
from solvers.assignment_data import WEIGHT_SCALE

METHODS = {
    "coachmatch_flow": "coachmatch",
    "coachmatch_cpsat": "cpsat",
    "greedy": "greedy",
    "highs_milp": "highs_milp",
    "pulp_cbc": "pulp_cbc",
    "ortools_mcf": "ortools_mcf",
}


def slow(tier: str, method: str) -> bool:
    """Methods timed in one round only (seconds to minutes per call)."""
    return (
        method == "coachmatch_cpsat"
        or (method == "pulp_cbc" and tier != "sample")
        or (method == "highs_milp" and tier == "state")
    )


def optimum(cohort: Cohort) -> tuple[int, int, str]:
    """(assigned, weight, where from) of the optimum."""
    if cohort.known:
        return cohort.known["assigned"], cohort.known["weight"], "known"
    flow = cohort.flow_solution
    assert flow.status == "optimal"
    return flow.assigned, flow.objective, "this run (coachmatch flow)"


@pytest.mark.parametrize("method", list(METHODS))
def test_assign(run, cohort: Cohort, method: str) -> None:
    problem = cohort.problem
    assert plain(problem), "the peers model the plain assignment only"
    solve = SOLVE[METHODS[method]]
    result = run(
        lambda: solve(problem), stage="assign", method=method, slow=slow(cohort.tier, method)
    )
    best_assigned, best_weight, source = optimum(cohort)
    run.record(
        status=result.status,
        assigned=result.assigned,
        weight=result.objective,
        objective=result.objective / WEIGHT_SCALE,
        bound=result.bound / WEIGHT_SCALE,
        gap=result.gap,
        eligible_pairs=problem.n_pairs,
        optimum_assigned=best_assigned,
        optimum_objective=best_weight / WEIGHT_SCALE,
        optimum_source=source,
        assigned_gap=best_assigned - result.assigned,
        objective_gap=(best_weight - result.objective) / max(abs(best_weight), 1),
    )
    if METHODS[method] in EXACT:
        assert (result.assigned, result.objective) == (best_assigned, best_weight), source
        if method == "coachmatch_cpsat" and result.status != "optimal":
            # Seen at state size: the optimum is found (the flow's roster is the hint) but not
            # proven within the default time limit. Reported, not failed; the table shows it.
            warnings.warn(
                f"{cohort.tier}: the CP-SAT path stopped at status {result.status} "
                f"(bound gap {result.gap:.2e}) after {result.seconds:.0f} s",
                stacklevel=1,
            )
        else:
            assert result.status == "optimal"
    else:  # a heuristic: never better than the optimum, lexicographically
        assert (result.assigned, result.objective) <= (best_assigned, best_weight), source
