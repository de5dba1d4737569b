"""``plan``: a roster whose every pair can meet its hours, near the best any roster can do.

1. **The bound.** The time-aware assignment (:mod:`solvers.timed_assign`: each coach's free
   week cut into atoms, the pairs' minutes flowing into them) relaxes assign + schedule: any
   valid schedule satisfies it, so its proven optimum bounds how many candidates any roster
   can have with every pair meeting its hours. It is solved once, over every eligible pair.
2. **The first roster** comes from the same model, lexicographically: year-2 candidates first
   (``[priority] year2_first``), then coverage, then *continuity* (a year-2 candidate keeps
   its current coach where that pair can meet its hours alone), then the pair scores. Pairs
   whose calendars miss a minimum even with the coach to themselves (the per-coach scheduler
   says so; each distinct case solved once) are left out of it. So the roster already fits
   in aggregate.
3. **Schedule** every coach, then **repair** from the shortfalls' causes, re-solving the model
   with what was learned (only coaches whose candidates changed are re-scheduled):

   - the pair's own windows cannot hold the hours → that pair is forbidden;
   - the coach's other candidates hold the common hours → the coach's short pairs are
     forbidden, except continuity pairs: where only those are short, the coach's other pair
     that overlaps them most is forbidden instead (crowding is resolved by moving others);
   - the coach's monthly cap is full → that coach gets one place fewer;
   - the program's own calendar (a month too short for anyone) → reported, not looped on.

   Pairs whose calendars fit get a stability bonus, so a repair moves few of them.

The paper optimum (``assign``) is kept beside the result, so the summary can say what the
calendar cost. Pinned pairs are never forbidden.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from matcher.assignment.optimize import Restrictions, assign, coach_places, roster_from
from matcher.planning.timed_roster import continuity_mask, timed_problem
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.pairs import build_pairs
from matcher.scheduling.sessions import (
    ScheduleResult,
    common_windows,
    pairs_that_cannot_fit_alone,
    schedule,
)
from solvers.assignment_data import WEIGHT_SCALE, AssignmentSolution, min_load_met, tier3_value
from solvers.scheduling import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
)
from solvers.timed_assign import coverage_bound, solve_timed

STABILITY_BONUS = 1.0
"""Score points that keep a fitting pair in the next round's roster, all else near equal."""

FORBID_PAIR = frozenset({NO_COMMON_WINDOW, NARROW_WINDOWS, STANDING_SLOT_LIMIT})


@dataclasses.dataclass(frozen=True)
class PlanBound:
    """The time relaxation's proven most candidates any roster can schedule, of ``candidates``."""

    value: int
    found: int
    proven: bool
    candidates: int
    seconds: float


@dataclasses.dataclass(frozen=True)
class PlanResult:
    """The final roster and calendar, the bound, the paper optimum, and each round."""

    assignment: AssignmentResult
    schedule: ScheduleResult
    paper: AssignmentResult
    restrictions: Restrictions
    rounds: tuple[dict, ...]
    bound: PlanBound | None = None
    continuity_possible: int = 0
    continuity_kept: int = 0
    seconds: float = 0.0

    @property
    def scheduled(self) -> int:
        """Assigned candidates whose pair meets every minimum."""
        short = {s.candidate_id for s in self.schedule.shortfalls}
        rows = self.assignment.rows
        return sum(1 for r in rows if r.status == "assigned" and r.candidate_id not in short)

    @property
    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return (self.bound.value - self.scheduled) / max(self.bound.value, 1)

    @property
    def status(self) -> str:
        """``optimal``: as many as the bound allows, every pair meeting its hours;
        ``feasible``: every pair meets its hours, below the bound; ``short``: some
        pair-months still miss their minimum."""
        if self.schedule.shortfalls:
            return "short"
        if self.bound is not None and self.scheduled >= self.bound.value:
            return "optimal"
        return "feasible"


def _pair_specific(program: ProgramData, c: int, k: int, cause: str) -> bool:
    if cause in FORBID_PAIR:
        return True
    if cause != TOO_FEW_DAYS:
        return False
    # blackouts bite harder on a pair free on few weekdays: a coach free on others may fit
    days = {w.weekday for w in common_windows(program.coaches[c], program.candidates[k], program)}
    return len(days) < len(program.policy.coaching.weekdays)


def _overlap(program: ProgramData, c: int, a: int, b: int) -> int:
    """Minutes a week that candidates ``a`` and ``b`` compete for in coach ``c``'s week."""
    coach = program.coaches[c]
    wa = common_windows(coach, program.candidates[a], program)
    wb = common_windows(coach, program.candidates[b], program)
    return sum(
        max(0, min(x.end, y.end) - max(x.start, y.start))
        for x in wa
        for y in wb
        if x.weekday == y.weekday
    )


def _repairs(
    program: ProgramData,
    sched: ScheduleResult,
    mapping: dict[str, str],
    keep: set[tuple[int, int]],
    pinned: set[tuple[int, int]],
) -> tuple[dict[tuple[int, int], str], set[int]]:
    """What one round's shortfalls teach: pairs to forbid, coaches to give a place fewer."""
    coach_index, cand_index = program.coach_index(), program.candidate_index()
    forbid: dict[tuple[int, int], str] = {}
    fewer: set[int] = set()
    crowded: dict[int, dict[int, str]] = {}
    for short in sched.shortfalls:
        k, c = cand_index[short.candidate_id], coach_index[short.coach_id]
        if (k, c) in pinned:
            continue
        if _pair_specific(program, c, k, short.cause):
            forbid.setdefault((k, c), short.reason)
        elif short.cause == COACH_TIME_TAKEN:
            crowded.setdefault(c, {}).setdefault(k, short.reason)
        elif short.cause == COACH_HOUR_CAP:
            fewer.add(c)
    for c, shorts in sorted(crowded.items()):
        movable = {k: why for k, why in shorts.items() if (k, c) not in keep}
        if movable:
            for k, why in movable.items():
                forbid.setdefault((k, c), why)
            continue
        # only continuity pairs are short: move the coach's other candidate that competes most
        members = [cand_index[k] for k, coach in mapping.items() if coach_index[coach] == c]
        others = [k for k in members if (k, c) not in keep and (k, c) not in pinned]
        if others:
            worst = max(others, key=lambda k: (sum(_overlap(program, c, k, s) for s in shorts), -k))
            forbid.setdefault(
                (worst, c), "moved so that a year-2 candidate keeps this coach's common hours"
            )
    return forbid, fewer


def plan(
    program: ProgramData,
    *,
    solver: str = "auto",
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    pins: list[tuple[int, int]] = (),
    alternates: int = 0,
    max_rounds: int = 20,
    on_round: Callable[[dict], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> PlanResult:
    started = time.perf_counter()
    pairs = build_pairs(program)
    paper = assign(program, solver=solver, time_limit=time_limit, seed=seed, workers=workers,
                   pins=pins, pairs=pairs)  # fmt: skip
    coach_index, cand_index = program.coach_index(), program.candidate_index()
    pinned = set(pins)
    every = list(zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True))
    index = {pair: p for p, pair in enumerate(every)}
    forbidden = {
        pair: why
        for pair, why in pairs_that_cannot_fit_alone(program, every, workers=workers).items()
        if pair not in pinned
    }
    continuity = continuity_mask(pairs, set(forbidden))
    problem = timed_problem(pairs, pins, continuity)
    tick = time.perf_counter()
    relaxed = coverage_bound(problem, time_limit=time_limit)
    bound = PlanBound(relaxed.bound, relaxed.found, relaxed.proven, len(program.candidates),
                      time.perf_counter() - tick)  # fmt: skip
    hint = relaxed.chosen
    keep_pairs = {every[p] for p in np.flatnonzero(continuity).tolist()}
    places = coach_places(program)
    bonus = np.zeros(len(every), dtype=np.int64)
    cache: dict = {}
    rounds = []
    for number in range(1, max_rounds + 1):
        tick = time.perf_counter()
        allowed = np.ones(len(every), dtype=bool)
        for pair in forbidden:
            allowed[index[pair]] = False
        timed = solve_timed(
            dataclasses.replace(problem, base=dataclasses.replace(problem.base, capacity=places)),
            allowed=allowed, bonus=bonus, hint=hint,
            time_limit=time_limit if number == 1 else time_limit / 2,
        )  # fmt: skip
        hint = timed.chosen
        if timed.status == "infeasible":
            from matcher.errors import InfeasibleError

            raise InfeasibleError(["the pinned pairs do not fit the coaches' places and caps"])
        lowered = np.flatnonzero(places < coach_places(program)).tolist()
        restrictions = Restrictions(dict(forbidden), {c: int(places[c]) for c in lowered})
        result = _roster(pairs, problem, places, timed, seed, alternates, restrictions)
        mapping = {r.candidate_id: r.coach_id for r in result.rows if r.status == "assigned"}
        sched = schedule(program, mapping, seed=seed, workers=workers, scheduler=scheduler,
                         on_done=on_done, cache=cache)  # fmt: skip
        new_forbidden, fewer = _repairs(program, sched, mapping, keep_pairs, pinned)
        step = {
            "round": number,
            "assigned": result.assigned,
            "objective": round(result.objective, 4),
            "pair_months_short": len(sched.shortfalls),
            "pairs_forbidden": len(new_forbidden),
            "coach_places_lowered": len(fewer),
            "seconds": round(time.perf_counter() - tick, 3),
        }
        rounds.append(step)
        if on_round:
            on_round(step)
        if not new_forbidden and not fewer:
            break
        forbidden.update(new_forbidden)
        for c in fewer:
            load = sum(1 for coach in mapping.values() if coach_index[coach] == c)
            places[c] = max(0, min(int(places[c]), load - 1))
        short = {(cand_index[x.candidate_id], coach_index[x.coach_id]) for x in sched.shortfalls}
        bonus[:] = 0
        for k, c in mapping.items():
            pair = (cand_index[k], coach_index[c])
            if pair not in short:
                bonus[index[pair]] = round(STABILITY_BONUS * WEIGHT_SCALE)
    final = PlanResult(result, sched, paper, restrictions, tuple(rounds), bound)
    possible = int(continuity.sum())
    short_ids = {s.candidate_id for s in sched.shortfalls}
    kept = sum(
        1
        for r in result.rows
        if r.status == "assigned"
        and r.candidate_id not in short_ids
        and continuity[index[(cand_index[r.candidate_id], coach_index[r.coach_id])]]
    )
    return dataclasses.replace(
        final, continuity_possible=possible, continuity_kept=kept,
        seconds=time.perf_counter() - started,
    )  # fmt: skip


def _roster(pairs, problem, places, timed, seed, alternates, restrictions) -> AssignmentResult:
    """The timed model's choice as a roster, with a reason for every candidate left out."""
    base = dataclasses.replace(problem.base, capacity=places)
    value = tier3_value(base, timed.chosen)
    solution = AssignmentSolution(
        status=timed.status,
        chosen=timed.chosen,
        assigned=timed.assigned,
        min_load_met=min_load_met(base, timed.chosen),
        objective=value,
        bound=value,
        solve_seconds=timed.solve_seconds,
        solver="timed",
    )
    result = roster_from(pairs, base, solution, seed=seed, alternates=alternates,
                         restrictions=restrictions)  # fmt: skip
    return dataclasses.replace(result, solve_seconds=timed.solve_seconds)


def _plan_block(result: PlanResult) -> dict:
    """summary.json's ``plan`` block: the bound, what this roster schedules, each round."""
    bound = result.bound
    return {
        "status": result.status,
        "scheduled": result.scheduled,
        "assigned": result.assignment.assigned,
        "bound": None if bound is None else bound.value,
        "bound_proven": None if bound is None else bound.proven,
        "bound_seconds": None if bound is None else round(bound.seconds, 3),
        "candidates": None if bound is None else bound.candidates,
        "gap": None if result.gap is None else round(result.gap, 6),
        "seconds": round(result.seconds, 3),
        "rounds": list(result.rounds),
        "continuity": {"kept": result.continuity_kept, "possible": result.continuity_possible},
        "paper_assigned": result.paper.assigned,
        "paper_objective": round(result.paper.objective, 6),
        "objective": round(result.assignment.objective, 6),
        "pairs_forbidden": len(result.restrictions.forbidden),
        "coaches_with_fewer_places": len(result.restrictions.places),
        "note": "bound: no roster can have more candidates whose pairs all meet their hours "
        "(a proven optimum of a time relaxation of assign + schedule); scheduled: assigned "
        "candidates whose every minimum is met; paper_*: the assignment before calendars.",
    }


def plan_summary(program: ProgramData, result: PlanResult) -> dict:
    """summary.json of a plan: the roster's figures, with plan's own headline, then the
    ``plan`` block (see :func:`_headline`)."""
    from matcher.io.writers import summary_dict

    summary = summary_dict(program, result.assignment)
    summary.update(_headline(result))
    summary["plan"] = _plan_block(result)
    return summary


def _headline(result: PlanResult) -> dict:
    """summary.json's headline keys as plan's own: status, bound and gap in candidates whose
    pairs all meet their hours (``objective`` stays the roster's total score), and the time."""
    bound = result.bound
    return {
        "status": "optimal" if result.status == "optimal" else "feasible",
        "bound": None if bound is None else bound.value,
        "bound_of": "candidates whose pairs all meet their hours (time relaxation)",
        "gap": None if result.gap is None else round(result.gap, 6),
        "solver": "timed",
        "solve_seconds": round(result.seconds, 3),
    }
