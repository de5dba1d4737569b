"""An independent checker of the coachmatch data contract, for tests.

Written from /work/shared/CONTRACT.md alone and importing nothing from ``matcher`` or
``solvers``, so that a bug in the tool cannot hide behind the same bug in its checker.

Public API::

    load_program(folder) -> IndependentProgram
    eligible(program, coach_id, candidate_id) -> bool            # rules 1-9
    why_ineligible(program, coach_id, candidate_id) -> list[str]  # the broken rules
    pair_score(program, coach_id, candidate_id) -> float
    eligible_pairs(program) -> dict[(coach_id, candidate_id), score]
    check_roster(program, roster_csv) -> list[str]                # [] = valid
    check_roster_optimal(program, roster_csv) -> list[str]        # [] = at the optimum
    optimum(program) -> (#assigned, total score) of the lexicographic optimum
                                   # (year 2 first where set, then coverage; same_site ignored)
    optimum_year2(program) -> (year-2 assigned, #assigned, total score)
    optimum_assignment(program) -> (n, score, {candidate_id: coach_id})
    check_schedule(program, roster_csv, schedule_csv, exempt=None) -> list[str]
"""

from .optimum_milp import (
    effective_capacity,
    optimum,
    optimum_assignment,
    optimum_year2,
    year2_first,
)
from .program import IndependentProgram, haversine_km, load_program
from .roster_check import check_roster, check_roster_optimal
from .rules import eligible, eligible_pairs, pair_score, why_ineligible
from .schedule_check import check_schedule

__all__ = [
    "IndependentProgram",
    "check_roster",
    "check_roster_optimal",
    "check_schedule",
    "effective_capacity",
    "eligible",
    "eligible_pairs",
    "haversine_km",
    "load_program",
    "optimum",
    "optimum_assignment",
    "optimum_year2",
    "pair_score",
    "why_ineligible",
    "year2_first",
]
