"""The stages of ``coachmatch assign``, timed one by one on each tier's cohort.

loading and validation → eligibility (view, rules 1–9, scores) → assignment (see
``test_assign.py``: the flow path, the CP-SAT path and the peers) → roster and reasons →
scheduling (not ready yet: a marked hook below).
"""

from __future__ import annotations

import pytest

from benchmarks.cohorts import Cohort


def test_load(run, cohort: Cohort) -> None:
    """Read the CSVs, validate every cell (pandera), type the rows, build the org graph."""
    from matcher.loading import load_program

    program = run(lambda: load_program(cohort.folder), stage="load")
    run.record(candidates=len(program.candidates), coaches=len(program.coaches))
    if cohort.known:
        assert len(program.candidates) == cohort.known["candidates"]
        assert len(program.coaches) == cohort.known["coaches"]


def test_eligibility(run, cohort: Cohort) -> None:
    """The columnar view, the nine rules over every candidate pair, and the pair scores."""
    from matcher.pairs import build_pairs

    program = cohort.program
    pairs = run(lambda: build_pairs(program), stage="eligibility")
    run.record(eligible_pairs=len(pairs))
    if cohort.known:
        assert len(pairs) == cohort.known["eligible_pairs"]


def test_roster(run, cohort: Cohort) -> None:
    """From the optimal pairs to roster rows, with a reason for every unassigned candidate."""
    from matcher.assign import roster_from

    pairs, problem, solution = cohort.pairs, cohort.problem, cohort.flow_solution
    result = run(lambda: roster_from(pairs, problem, solution), stage="roster")
    run.record(
        status=result.status,
        objective=round(result.objective, 6),
        bound=round(result.bound, 6),
        gap=result.gap,
        assigned=result.assigned,
        unassigned=result.unassigned,
    )
    assert result.status == "optimal"
    if cohort.known:
        assert result.assigned == cohort.known["assigned"]


# HOOK(scheduling): the scheduling stage is not ready yet. When ``coachmatch schedule`` has a
# domain entry point (roster → schedule.csv), time it here on ``cohort.program`` and the roster
# of ``test_roster``, record sessions / unmet minutes / status in extra_info, and drop the skip.
SCHEDULING_READY = False


def test_schedule(run, cohort: Cohort) -> None:
    if not SCHEDULING_READY:
        pytest.skip("scheduling is not ready yet: HOOK(scheduling) in benchmarks/test_pipeline.py")
