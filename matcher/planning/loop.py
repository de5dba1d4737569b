"""``plan``: a roster whose every pair can meet its hours, near the best any roster can do.

1. **The bound.** The time-aware assignment (:mod:`solvers.timed_assign`: each coach's free
   week cut into atoms, the pairs' minutes flowing into them) relaxes assign + schedule: any
   valid schedule satisfies it, so its proven optimum bounds how many candidates any roster
   can have with every pair meeting its hours. It is solved over every eligible pair, then
   tightened: each coach's chosen pairs are checked date by date, with whole sessions and the
   travel between sites (:mod:`solvers.scheduling.month_fit`); a set of pairs proven unable to
   meet together becomes a row no roster may break (:mod:`solvers.timed_cuts`), and the model
   is solved again, for a few passes. The bound stays valid after every pass.
2. **The first roster** comes from the same model, lexicographically: year-2 candidates first
   (``[priority] year2_first``), then coverage, then *continuity* (a year-2 candidate keeps
   its current coach where that pair can meet its hours alone), then the pair scores. Pairs
   whose calendars miss a minimum even with the coach to themselves (the per-coach scheduler
   says so; each distinct case solved once) are left out of it. So the roster already fits
   in aggregate; each round's roster is checked date by date like the bound's, and cut and
   re-solved where a coach's pairs provably cannot all meet, before any calendar is made.
3. **Schedule** every coach, then **repair** from the shortfalls' causes, re-solving the model
   with what was learned (only coaches whose candidates changed are re-scheduled):

   - the pair's own windows cannot hold the hours → that pair is forbidden;
   - the coach's other candidates hold the common hours → the coach's short pairs are
     forbidden, except continuity pairs: where only those are short, the coach's other pair
     that overlaps them most is forbidden instead (crowding is resolved by moving others);
   - the coach's monthly cap is full → that coach gets one place fewer;
   - the program's own calendar (a month too short for anyone) → reported, not looped on.

   Pairs whose calendars fit get a stability bonus, so a repair moves few of them.
4. **Drop, then fill.** Pairs still short leave the roster (protected pairs last); then
   :mod:`matcher.planning.fill` offers left-out candidates free places and year-2 candidates
   last year's coach (moving another of that coach's candidates elsewhere if need be),
   wherever the coaches' whole calendars still meet every minimum: coverage and continuity
   only grow.

The paper optimum (``assign``) is kept beside the result, so the summary can say what the
calendar cost. Pinned pairs are never forbidden.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from matcher.assignment.optimize import Restrictions, assign, coach_places, roster_from
from matcher.errors import InfeasibleError
from matcher.planning.fill import FillInputs, fill
from matcher.planning.timed_roster import continuity_mask, timed_problem
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.pairs import EligiblePairs, build_pairs
from matcher.scheduling.sessions import (
    ScheduleResult,
    calendars_meet_minimums,
    common_windows,
    pairs_that_cannot_fit_alone,
    schedule,
)
from solvers.assignment_data import (
    WEIGHT_SCALE,
    AssignmentProblem,
    AssignmentSolution,
    min_load_met,
    tier3_value,
)
from solvers.scheduling import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
)
from solvers.timed_assign import (
    TimedAssignProblem,
    continuity_bound,
    shared_minutes,
    solve_timed,
)
from solvers.timed_cuts import Verdicts, bound_with_cuts, fit_cuts

CUT_PASSES = 3
"""Passes of the bound's cut loop (:func:`solvers.timed_cuts.bound_with_cuts`)."""
ROUND_CUT_PASSES = 1
"""Per round, how often a roster whose coaches hold pairs that provably cannot all meet is
cut and re-solved before it is scheduled."""
RESOLVE_SHARE = 0.5
"""The re-solve after cuts starts from the round's roster, so it gets half the round's time."""
STABILITY_BONUS = 1.0
"""Score points that keep a fitting pair in the next round's roster, all else near equal."""
FORBID_FROM = 1
"""From this round on, a crowded coach's short pairs are also forbidden (see _repair)."""

FORBID_PAIR = frozenset({NO_COMMON_WINDOW, NARROW_WINDOWS, STANDING_SLOT_LIMIT})


@dataclasses.dataclass(frozen=True)
class PlanBound:
    """The time relaxation's proven most candidates any roster can schedule, of ``candidates``."""

    value: int
    found: int
    proven: bool
    candidates: int
    seconds: float
    cuts: int = 0
    """Rows the relaxation gained from coaches' sets of pairs proven unable to meet together
    (:mod:`solvers.timed_cuts`): each lowers what the bound allows without losing a roster."""
    cut_passes: int = 0


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
    continuity_together: PlanBound | None = None
    """The most continuity pairs any roster can keep at once, each meeting its hours (the
    time relaxation with continuity alone as its objective): pairs that can each meet alone
    may still not fit their coach's one week together."""

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


@dataclasses.dataclass
class _Learned:
    """What the rounds have learned so far (indices into the program's lists)."""

    forbidden: dict[tuple[int, int], str]
    places: np.ndarray
    permille: np.ndarray


def _shortfalls_by_pair(program: ProgramData, sched: ScheduleResult) -> dict:
    coach_index, cand_index = program.coach_index(), program.candidate_index()
    out: dict[tuple[int, int], list] = {}
    for short in sched.shortfalls:
        pair = (cand_index[short.candidate_id], coach_index[short.coach_id])
        out.setdefault(pair, []).append(short)
    return out


def _repair(
    program: ProgramData,
    sched: ScheduleResult,
    mapping: dict[int, int],
    demand: np.ndarray,
    index: dict[tuple[int, int], int],
    keep: set[tuple[int, int]],
    pinned: set[tuple[int, int]],
    learned: _Learned,
    forbid_crowded: bool,
    problem: TimedAssignProblem,
) -> int:
    """Learn from one round's shortfalls; returns how many things changed.

    Pair causes forbid the pair. A coach whose other pairs crowd a pair out plans on less of
    its week next time (by the share of its planned minutes that came out short, at least
    3 %), so the model itself picks whom to move, continuity pairs last. With
    ``forbid_crowded`` its short pairs are also forbidden (continuity pairs excepted: then the
    coach's other candidate that competes most with them goes), so late rounds surely shrink.
    """
    changes = 0
    crowded: dict[int, dict[int, float]] = {}
    for (k, c), shorts in sorted(_shortfalls_by_pair(program, sched).items()):
        if (k, c) in pinned:
            continue
        pair_cause = next((s for s in shorts if _pair_specific(program, c, k, s.cause)), None)
        if pair_cause is not None:
            learned.forbidden.setdefault((k, c), pair_cause.reason)
            changes += 1
        elif any(s.cause == COACH_HOUR_CAP for s in shorts):
            load = sum(1 for cc in mapping.values() if cc == c)
            learned.places[c] = max(0, min(int(learned.places[c]), load - 1))
            changes += 1
        elif any(s.cause == COACH_TIME_TAKEN for s in shorts):
            missing = max(
                (s.required_hours - s.scheduled_hours) * 60 * (1 if s.month == "year" else 3)
                for s in shorts
            )
            crowded.setdefault(c, {})[k] = missing
    for c, shorts in sorted(crowded.items()):
        planned = sum(int(demand[index[(k, cc)]]) for k, cc in mapping.items() if cc == c)
        cut = min(0.97, 1 - sum(shorts.values()) / max(planned, 1))
        learned.permille[c] = int(learned.permille[c] * max(cut, 0.5))
        changes += 1
        if not forbid_crowded:
            continue
        movable = [k for k in shorts if (k, c) not in keep]
        reason = "the coach's other candidates take the common hours"
        for k in movable:
            learned.forbidden.setdefault((k, c), reason)
        if movable:
            continue
        others = [k for k, cc in mapping.items() if cc == c and (k, c) not in keep | pinned]
        if others:
            worst = max(
                others,
                key=lambda k: (
                    sum(shared_minutes(problem, index[(k, c)], index[(s, c)]) for s in shorts),
                    -k,
                ),
            )
            learned.forbidden.setdefault(
                (worst, c), "moved so that a year-2 candidate keeps this coach's common hours"
            )
    return changes


@dataclasses.dataclass(frozen=True)
class _Options:
    """The caller's knobs that every round passes on unchanged to the solver and scheduler."""

    time_limit: float
    seed: int
    workers: int
    scheduler: str | None
    alternates: int
    on_done: Callable[[int], None] | None


@dataclasses.dataclass
class _Planner:
    """The fixed model every round re-solves, plus what the rounds learn and carry over.

    Kept as one object so each step of :func:`plan` reads as a short method instead of a
    closure over a dozen locals.
    """

    program: ProgramData
    options: _Options
    pairs: EligiblePairs
    every: list[tuple[int, int]]
    index: dict[tuple[int, int], int]
    pinned: set[tuple[int, int]]
    unfit: dict[tuple[int, int], str]
    continuity: np.ndarray
    problem: TimedAssignProblem
    full_places: np.ndarray
    learned: _Learned
    demand: np.ndarray
    bonus: np.ndarray
    cache: dict = dataclasses.field(default_factory=dict)
    verdicts: Verdicts = dataclasses.field(default_factory=Verdicts)
    """Coaches' sets of pairs already checked date by date (``fit_cuts``)."""

    @property
    def keep_pairs(self) -> set[tuple[int, int]]:
        """Continuity pairs: a repair moves other candidates before these."""
        return {self.every[p] for p in np.flatnonzero(self.continuity).tolist()}

    def restrictions(self) -> Restrictions:
        """What has been learned, in the form a roster reports (forbidden pairs, fewer places)."""
        lowered = np.flatnonzero(self.learned.places < self.full_places).tolist()
        forbidden = dict(self.learned.forbidden)
        return Restrictions(forbidden, {c: int(self.learned.places[c]) for c in lowered})

    def run_schedule(self, result: AssignmentResult) -> ScheduleResult:
        """Schedule a roster; the shared cache re-solves only coaches whose candidates changed."""
        mapping = {r.candidate_id: r.coach_id for r in result.rows if r.status == "assigned"}
        return schedule(
            self.program,
            mapping,
            seed=self.options.seed,
            workers=self.options.workers,
            scheduler=self.options.scheduler,
            on_done=self.options.on_done,
            cache=self.cache,
        )

    def mapping(self, result: AssignmentResult) -> dict[int, int]:
        """A roster's assigned pairs as candidate index → coach index, as _repair reads them."""
        cand_index, coach_index = self.program.candidate_index(), self.program.coach_index()
        return {
            cand_index[r.candidate_id]: coach_index[r.coach_id]
            for r in result.rows
            if r.status == "assigned"
        }

    def chosen(self, result: AssignmentResult) -> list[int]:
        """Pair indices of a roster's assigned rows."""
        cand_index, coach_index = self.program.candidate_index(), self.program.coach_index()
        return _chosen(result, self.index, cand_index, coach_index)

    def roster(
        self, base: AssignmentProblem, chosen: np.ndarray, status: str, seconds: float
    ) -> AssignmentResult:
        """Chosen pairs as a roster carrying the restrictions learned so far."""
        opts = self.options
        return _roster(
            self.pairs,
            base,
            chosen,
            status,
            seconds,
            opts.seed,
            opts.alternates,
            self.restrictions(),
        )


@dataclasses.dataclass
class _Round:
    """One round's roster and calendar, with the model they came from (the drop step reuses it)."""

    result: AssignmentResult
    sched: ScheduleResult
    base: AssignmentProblem
    mapping: dict[int, int]


def _setup(
    program: ProgramData, pairs: EligiblePairs, pins: list[tuple[int, int]], options: _Options
) -> _Planner:
    """Index every eligible pair and leave out those whose calendars cannot fit even alone,
    so the first roster already fits in aggregate (step 2 of the module docstring)."""
    pinned = set(pins)
    every = list(zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True))
    unfit = {
        pair: why
        for pair, why in pairs_that_cannot_fit_alone(
            program, every, workers=options.workers
        ).items()
        if pair not in pinned
    }
    continuity = continuity_mask(pairs, set(unfit))
    problem = timed_problem(pairs, pins, continuity)
    full_places = coach_places(program)
    return _Planner(
        program=program,
        options=options,
        pairs=pairs,
        every=every,
        index={pair: p for p, pair in enumerate(every)},
        pinned=pinned,
        unfit=unfit,
        continuity=continuity,
        problem=problem,
        full_places=full_places,
        learned=_Learned(dict(unfit), full_places.copy(), np.full(len(program.coaches), 1000)),
        demand=np.maximum(problem.reserve, problem.min_total),
        bonus=np.zeros(len(every), dtype=np.int64),
    )


def _bound(planner: _Planner) -> tuple[PlanBound, np.ndarray]:
    """Solve the time relaxation, tightened pass by pass with proven cuts: its optimum bounds
    every roster (step 1), its cuts stay in the model every round re-solves, and its chosen
    pairs hint the first round's solve."""
    tick = time.perf_counter()
    limit = planner.options.time_limit
    tightened = bound_with_cuts(
        planner.problem,
        time_limit=limit,
        passes=CUT_PASSES,
        known=planner.verdicts,
        workers=planner.options.workers,
    )
    planner.problem = tightened.problem
    relaxed = tightened.bound
    bound = PlanBound(
        relaxed.bound,
        relaxed.found,
        relaxed.proven,
        len(planner.program.candidates),
        time.perf_counter() - tick,
        cuts=len(tightened.problem.cuts),
        cut_passes=len(tightened.passes) - 1,
    )
    return bound, relaxed.chosen


def _continuity_bound(planner: _Planner) -> PlanBound:
    """The time relaxation's most continuity pairs kept at once (see PlanResult)."""
    tick = time.perf_counter()
    relaxed = continuity_bound(planner.problem, time_limit=planner.options.time_limit)
    return PlanBound(
        relaxed.bound,
        relaxed.found,
        relaxed.proven,
        int(planner.continuity.sum()),
        time.perf_counter() - tick,
    )


def _solve_round(planner: _Planner, number: int, hint: np.ndarray) -> tuple[_Round, np.ndarray]:
    """Re-solve the timed model with what has been learned (forbidden pairs, fewer places,
    less room), then schedule the roster; returns the round and the next solve's hint."""
    problem, learned = planner.problem, planner.learned
    allowed = np.ones(len(planner.every), dtype=bool)
    for pair in learned.forbidden:
        allowed[planner.index[pair]] = False
    current = dataclasses.replace(
        problem,
        base=dataclasses.replace(problem.base, capacity=learned.places.copy()),
        room_permille=learned.permille.copy(),
    )
    time_limit = planner.options.time_limit
    budget = time_limit / 3 if number == 1 else time_limit / 2
    timed = solve_timed(current, allowed=allowed, bonus=planner.bonus, hint=hint, time_limit=budget)
    if timed.status == "infeasible":
        raise InfeasibleError(["the pinned pairs do not fit the coaches' places and caps"])
    for _ in range(ROUND_CUT_PASSES):  # a coach given pairs no calendar holds: cut, re-solve
        present = planner.problem.cuts
        found = fit_cuts(
            current, timed.chosen, known=planner.verdicts, workers=planner.options.workers
        )
        cuts = [c for c in found if c not in present]
        if not cuts:
            break
        planner.problem = dataclasses.replace(planner.problem, cuts=present + tuple(cuts))
        current = dataclasses.replace(current, cuts=planner.problem.cuts)
        timed = solve_timed(
            current,
            allowed=allowed,
            bonus=planner.bonus,
            hint=timed.chosen,
            time_limit=budget * RESOLVE_SHARE,
        )
    result = planner.roster(current.base, timed.chosen, timed.status, timed.solve_seconds)
    sched = planner.run_schedule(result)
    return _Round(result, sched, current.base, planner.mapping(result)), timed.chosen


def _round_step(planner: _Planner, number: int, done: _Round, seconds: float) -> dict:
    """One round's line in summary.json's ``plan.rounds``: what it found and has learned."""
    learned = planner.learned
    return {
        "round": number,
        "assigned": done.result.assigned,
        "objective": round(done.result.objective, 4),
        "pair_months_short": len(done.sched.shortfalls),
        "continuity_in_roster": int(planner.continuity[planner.chosen(done.result)].sum()),
        "continuity_kept": _continuity_kept(planner, done),
        "pairs_forbidden": len(learned.forbidden) - len(planner.unfit),
        "coach_places_lowered": int((learned.places < planner.full_places).sum()),
        "coaches_with_less_room": int((learned.permille < 1000).sum()),
        "proven_cuts": len(planner.problem.cuts),
        "seconds": round(seconds, 3),
    }


def _reward_fitting(planner: _Planner, done: _Round) -> None:
    """Give the round's fitting pairs a stability bonus, so the next repair moves few of them."""
    short = set(_shortfalls_by_pair(planner.program, done.sched))
    planner.bonus[:] = 0
    for k, c in done.mapping.items():
        if (k, c) not in short:
            planner.bonus[planner.index[(k, c)]] = round(STABILITY_BONUS * WEIGHT_SCALE)


def _repair_rounds(
    planner: _Planner,
    hint: np.ndarray,
    max_rounds: int,
    on_round: Callable[[dict], None] | None,
) -> tuple[_Round, list[dict]]:
    """Solve, schedule and repair until nothing changes or ``max_rounds`` (step 3)."""
    rounds: list[dict] = []
    keep_pairs = planner.keep_pairs
    for number in range(1, max_rounds + 1):
        tick = time.perf_counter()
        done, hint = _solve_round(planner, number, hint)
        changes = 0
        if done.sched.shortfalls and number < max_rounds:
            changes = _repair(
                planner.program,
                done.sched,
                done.mapping,
                planner.demand,
                planner.index,
                keep_pairs,
                planner.pinned,
                planner.learned,
                forbid_crowded=number >= FORBID_FROM,
                problem=planner.problem,
            )
        step = _round_step(planner, number, done, time.perf_counter() - tick)
        rounds.append(step)
        if on_round:
            on_round(step)
        if not changes:
            break
        _reward_fitting(planner, done)
    return done, rounds


DROP_PASSES = 6
"""Passes of :func:`_drop_short`; the last drops every pair still short, whoever it is."""


def _drop_short(planner: _Planner, done: _Round, last_step: dict) -> _Round:
    """Drop candidates whose pairs still miss a minimum (with the scheduler's reason), so every
    pair that stays meets its hours; a drop frees time, so re-check a few times.

    Until the last pass a *protected* pair (continuity, and a year-2 candidate where year-2
    candidates come first) is spared while its coach has someone else to move: the coach's
    unprotected short pairs go first, or, where all its short pairs are protected, the
    unprotected pair that competes most with them for the coach's week. Coverage is the same
    either way (one candidate leaves), but the one who leaves is the one the program's
    priorities can best spare. The last pass drops whatever is still short.
    """
    result, sched = done.result, done.sched
    for number in range(DROP_PASSES):
        short = {
            pair: s
            for pair, s in _shortfalls_by_pair(planner.program, sched).items()
            if pair not in planner.pinned
        }
        if not short:
            break
        chosen_pairs = [planner.every[p] for p in planner.chosen(result)]
        if number < DROP_PASSES - 1:
            drop = _pairs_to_drop(planner, short, chosen_pairs)
        else:
            drop = {pair: shorts[0].reason for pair, shorts in short.items()}
        for pair, reason in drop.items():
            planner.learned.forbidden.setdefault(pair, reason)
        chosen = np.array(
            [p for p in planner.chosen(result) if planner.every[p] not in drop],
            dtype=np.int64,
        )
        result = planner.roster(done.base, chosen, "feasible", result.solve_seconds)
        sched = planner.run_schedule(result)
        last_step["dropped_short"] = last_step.get("dropped_short", 0) + len(drop)
        last_step["pair_months_short_after_drop"] = len(sched.shortfalls)
    return dataclasses.replace(done, result=result, sched=sched, mapping=planner.mapping(result))


def _fill_places(planner: _Planner, done: _Round, last_step: dict) -> _Round:
    """Offer left-out candidates free places, and year-2 candidates last year's coach, where
    the coach's calendar still meets every minimum (:mod:`matcher.planning.fill`)."""
    program = planner.program
    inputs = FillInputs(
        program=program,
        problem=planner.problem,
        every=planner.every,
        index=planner.index,
        places=planner.full_places,
        never=set(planner.unfit),
        continuity=planner.continuity,
        fixed={k for k, _ in planner.pinned},
        verdicts=planner.verdicts,
    )

    def calendars_fit(requests: list[tuple[int, list[int]]]) -> list[bool]:
        return calendars_meet_minimums(
            program,
            requests,
            seed=planner.options.seed,
            workers=planner.options.workers,
            cache=planner.cache,
        )

    outcome = fill(inputs, done.mapping, calendars_fit, batch=planner.options.workers)
    last_step["filled"] = len(outcome.inserted)
    last_step["returned_to_last_coach"] = len(outcome.returned)
    last_step["fill_offers"] = outcome.offers
    last_step["fill_capped"] = outcome.capped
    if not outcome.inserted and not outcome.returned:
        return done
    # what the rounds learned no longer binds where a calendar proved otherwise: a taken
    # pair is not forbidden, and a coach's lowered places cover its candidates
    learned = planner.learned
    for pair in outcome.mapping.items():
        learned.forbidden.pop(pair, None)
    loads = np.bincount(list(outcome.mapping.values()), minlength=len(learned.places))
    learned.places[:] = np.maximum(learned.places, loads)
    base = dataclasses.replace(done.base, capacity=learned.places.copy())
    chosen = np.array(sorted(planner.index[pair] for pair in outcome.mapping.items()))
    result = planner.roster(base, chosen, "feasible", done.result.solve_seconds)
    sched = planner.run_schedule(result)
    return _Round(result, sched, base, planner.mapping(result))


def _protected(planner: _Planner, pair: tuple[int, int]) -> bool:
    """A pair the last repairs spare while its coach has another candidate to move."""
    if pair in planner.keep_pairs:
        return True
    program = planner.program
    return program.policy.priority.year2_first and program.candidates[pair[0]].program_year == 2


def _pairs_to_drop(
    planner: _Planner, short: dict, chosen_pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Per coach with a short pair: which pairs leave this pass, and why (see _drop_short)."""
    drop: dict[tuple[int, int], str] = {}
    for c in sorted({c for _, c in short}):
        shorts = [pair for pair in short if pair[1] == c]
        spare = [pair for pair in shorts if not _protected(planner, pair)]
        if spare:
            drop.update((pair, short[pair][0].reason) for pair in spare)
            continue
        others = [
            pair
            for pair in chosen_pairs
            if pair[1] == c
            and pair not in short
            and pair not in planner.pinned
            and not _protected(planner, pair)
        ]
        if not others:
            drop.update((pair, short[pair][0].reason) for pair in shorts)
            continue
        program = planner.program
        moved = max(
            others,
            key=lambda o: (
                sum(
                    shared_minutes(planner.problem, planner.index[o], planner.index[s])
                    for s in shorts
                ),
                -o[0],
            ),
        )
        coach_id = program.coaches[c].coach_id
        drop[moved] = (
            f"coach {coach_id}'s week could not hold every pair; a year-2 candidate or one "
            "keeping last year's coach came first"
        )
    return drop


def _continuity_kept(planner: _Planner, done: _Round) -> int:
    """Year-2 candidates who keep their current coach in a pair that meets its hours."""
    short_ids = {s.candidate_id for s in done.sched.shortfalls}
    candidates = planner.program.candidates
    return sum(
        1
        for p in planner.chosen(done.result)
        if planner.continuity[p] and candidates[planner.every[p][0]].candidate_id not in short_ids
    )


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
    max_rounds: int = 5,
    on_round: Callable[[dict], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> PlanResult:
    """See the module docstring. After ``max_rounds`` rounds, candidates whose pairs still
    miss a minimum leave the roster (with the scheduler's reason), so every pair of the result
    meets its hours."""
    started = time.perf_counter()
    options = _Options(time_limit, seed, workers, scheduler, alternates, on_done)
    pairs = build_pairs(program)
    paper = assign(
        program,
        solver=solver,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        pins=pins,
        pairs=pairs,
    )
    planner = _setup(program, pairs, pins, options)
    bound, hint = _bound(planner)
    together = _continuity_bound(planner)
    done, rounds = _repair_rounds(planner, hint, max_rounds, on_round)
    tick = time.perf_counter()
    done = _drop_short(planner, done, rounds[-1])
    rounds[-1]["drop_seconds"] = round(time.perf_counter() - tick, 3)
    tick = time.perf_counter()
    done = _fill_places(planner, done, rounds[-1])
    rounds[-1]["fill_seconds"] = round(time.perf_counter() - tick, 3)
    return PlanResult(
        done.result,
        done.sched,
        paper,
        planner.restrictions(),
        tuple(rounds),
        bound,
        int(planner.continuity.sum()),
        _continuity_kept(planner, done),
        time.perf_counter() - started,
        together,
    )


def _chosen(result: AssignmentResult, index: dict, cand_index: dict, coach_index: dict):
    """Pair indices of a roster's assigned rows."""
    return sorted(
        index[(cand_index[r.candidate_id], coach_index[r.coach_id])]
        for r in result.rows
        if r.status == "assigned"
    )


def _roster(pairs, base, chosen, status, seconds, seed, alternates, restrictions):
    """Chosen pair indices as a roster, with a reason for every candidate left out."""
    value = tier3_value(base, chosen)
    solution = AssignmentSolution(
        status=status,
        chosen=chosen,
        assigned=len(chosen),
        min_load_met=min_load_met(base, chosen),
        objective=value,
        bound=value,
        solve_seconds=seconds,
        solver="timed",
    )
    result = roster_from(
        pairs, base, solution, seed=seed, alternates=alternates, restrictions=restrictions
    )
    return dataclasses.replace(result, solve_seconds=seconds)


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
        "bound_cuts": None if bound is None else bound.cuts,
        "bound_cut_passes": None if bound is None else bound.cut_passes,
        "candidates": None if bound is None else bound.candidates,
        "gap": None if result.gap is None else round(result.gap, 6),
        "seconds": round(result.seconds, 3),
        "rounds": list(result.rounds),
        "continuity": _continuity_block(result),
        "paper_assigned": result.paper.assigned,
        "paper_objective": round(result.paper.objective, 6),
        "objective": round(result.assignment.objective, 6),
        "pairs_forbidden": len(result.restrictions.forbidden),
        "coaches_with_fewer_places": len(result.restrictions.places),
        "note": "bound: no roster can have more candidates whose pairs all meet their hours "
        "(a proven optimum of a time relaxation of assign + schedule, with bound_cuts rows "
        "for coaches' sets of pairs proven unable to meet date by date); scheduled: assigned "
        "candidates whose every minimum is met; paper_*: the assignment before calendars.",
    }


def _continuity_block(result: PlanResult) -> dict:
    """Year-2 candidates keeping their coach: kept, how many pairs could each meet alone
    (``possible``) and the most any roster can keep at once (``together``, proven or not)."""
    together = result.continuity_together
    return {
        "kept": result.continuity_kept,
        "possible": result.continuity_possible,
        "together": None if together is None else together.value,
        "together_proven": None if together is None else together.proven,
        "together_seconds": None if together is None else round(together.seconds, 3),
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
