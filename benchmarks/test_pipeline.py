"""The stages of ``coachmatch assign``, timed one by one on each tier's cohort.

loading and validation → eligibility (view, rules 1–9, scores) → assignment (see
``test_assign.py``: the flow path, the CP-SAT path and the peers) → roster and reasons →
scheduling of the optimal roster.
"""

from __future__ import annotations

from benchmarks.cohorts import Cohort


def test_load(run, cohort: Cohort) -> None:
    """Read the CSVs, validate every cell (pandera), type the rows, build the org graph."""
    from matcher.io.loading import load_program

    program = run(lambda: load_program(cohort.folder), stage="load")
    run.record(candidates=len(program.candidates), coaches=len(program.coaches))
    if cohort.known:
        assert len(program.candidates) == cohort.known["candidates"]
        assert len(program.coaches) == cohort.known["coaches"]


def test_eligibility(run, cohort: Cohort) -> None:
    """The columnar view, the nine rules over every candidate pair, and the pair scores."""
    from matcher.rules.pairs import build_pairs

    program = cohort.program
    pairs = run(lambda: build_pairs(program), stage="eligibility")
    run.record(eligible_pairs=len(pairs))
    if cohort.known:
        assert len(pairs) == cohort.known["eligible_pairs"]


def test_roster(run, cohort: Cohort) -> None:
    """From the optimal pairs to roster rows, with a reason for every unassigned candidate."""
    from matcher.assignment.optimize import roster_from

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


def test_schedule(run, cohort: Cohort) -> None:
    """A year of sessions for every pair of the optimal roster (coaches on 2 processes)."""
    from matcher.scheduling.sessions import schedule

    program = cohort.program
    pairs, solution = cohort.pairs, cohort.flow_solution
    mapping = {
        program.candidates[int(k)].candidate_id: program.coaches[int(c)].coach_id
        for k, c in zip(pairs.candidate[solution.chosen], pairs.coach[solution.chosen], strict=True)
    }
    result = run(lambda: schedule(program, mapping, workers=2), stage="schedule", slow=True)
    run.record(
        pairs=len(mapping),
        sessions=len(result.sessions),
        pair_months_short=len(result.shortfalls),
        makeup_sessions=sum(s.kind == "make-up" for s in result.sessions),
        lengthened_sessions=sum(s.kind == "lengthened" for s in result.sessions),
        coaches=result.stats["coaches"],
        coach_seconds_median=result.stats["coach_seconds_median"],
        coach_seconds_max=result.stats["coach_seconds_max"],
        schedule_seconds=round(result.seconds, 3),
    )
    assert result.sessions
