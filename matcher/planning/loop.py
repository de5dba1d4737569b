"""``plan``: assign, schedule, and feed calendar conflicts back until every pair fits.

A roster that is optimal on paper can still give a coach candidates whose free hours do not
fit together (a coach with 11 free hours a week and six candidates with narrow windows). The
loop reads each shortfall's cause from the scheduler:

- the pair's own windows cannot hold the hours (no common window, narrow windows, a standing
  slot that cannot reach the minimum, too few usable days on the pair's weekdays) → that pair
  is forbidden, since another coach may fit;
- the pair would fit alone but the coach's other candidates hold the common hours → of each
  such coach's short pairs, those with the least common time are forbidden: a third in the
  first rounds (the others keep their chance once those have gone), a growing share after,
  all from round 6 on, so large programs converge in a few rounds;
- the coach's monthly hour cap is full → that coach gets one place fewer;
- the program's calendar itself (a month too short for anyone, a pair maximum below the
  minimum) → nothing a re-match can fix: reported, not looped on.

Before the first round, every eligible pair whose calendar misses a minimum even with the
coach to itself is forbidden (each distinct case of windows, start and cap is solved once):
the paper roster would only have to unlearn them round by round. Each round only removes
options, so the loop ends; only coaches whose candidates changed are
re-scheduled. Pairs whose calendars fit get a small stability bonus in the re-match, so a
round moves few of them (and few coaches need a new calendar). Pinned pairs are never
forbidden.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from matcher.assignment.optimize import Restrictions, assign, coach_places
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.pairs import build_pairs
from matcher.scheduling.sessions import ScheduleResult, pairs_that_cannot_fit_alone, schedule
from solvers.scheduling import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
)

STABILITY_BONUS = 1.0
"""Score points that keep a fitting pair in the next round's roster, all else near equal."""

FORBID_PAIR = frozenset({NO_COMMON_WINDOW, NARROW_WINDOWS, STANDING_SLOT_LIMIT})


@dataclasses.dataclass(frozen=True)
class PlanResult:
    """The final roster and calendar, the paper optimum it started from, and each round."""

    assignment: AssignmentResult
    schedule: ScheduleResult
    paper: AssignmentResult
    restrictions: Restrictions
    rounds: tuple[dict, ...]


def _pair_specific(program: ProgramData, coach_id: str, cand_id: str, cause: str) -> bool:
    if cause in FORBID_PAIR:
        return True
    if cause != TOO_FEW_DAYS:
        return False
    # blackouts bite harder on a pair free on few weekdays: a coach free on others may fit
    from matcher.scheduling.sessions import common_windows

    coach = next(c for c in program.coaches if c.coach_id == coach_id)
    cand = next(k for k in program.candidates if k.candidate_id == cand_id)
    days = {w.weekday for w in common_windows(coach, cand, program)}
    return len(days) < len(program.policy.coaching.weekdays)


def _common_minutes(program: ProgramData, c: int, k: int) -> int:
    from matcher.scheduling.sessions import common_windows

    windows = common_windows(program.coaches[c], program.candidates[k], program)
    return sum(w.minutes for w in windows)


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
    max_rounds: int = 200,
    on_round: Callable[[dict], None] | None = None,
    on_done: Callable[[int], None] | None = None,
) -> PlanResult:
    pairs = build_pairs(program)
    kw = dict(solver=solver, time_limit=time_limit, seed=seed, workers=workers, pins=pins,
              alternates=alternates, pairs=pairs)  # fmt: skip
    paper = assign(program, **kw)
    coach_index, cand_index = program.coach_index(), program.candidate_index()
    pinned = set(pins)
    every = list(zip(pairs.candidate.tolist(), pairs.coach.tolist(), strict=True))
    forbidden = {
        pair: why
        for pair, why in pairs_that_cannot_fit_alone(program, every, workers=workers).items()
        if pair not in pinned
    }
    places: dict[int, int] = {}
    cache: dict = {}
    rounds = []
    result = (
        assign(program, **kw, restrictions=Restrictions(dict(forbidden))) if forbidden else paper
    )
    for number in range(1, max_rounds + 1):
        mapping = {r.candidate_id: r.coach_id for r in result.rows if r.status == "assigned"}
        sched = schedule(program, mapping, seed=seed, workers=workers, scheduler=scheduler,
                         on_done=on_done, cache=cache)  # fmt: skip
        loads: dict[int, int] = {}
        for coach_id in mapping.values():
            loads[coach_index[coach_id]] = loads.get(coach_index[coach_id], 0) + 1
        new_forbidden, new_places = {}, {}
        crowded: dict[int, dict[int, tuple[int, str]]] = {}  # coach -> k -> (minutes, reason)
        for short in sched.shortfalls:
            k, c = cand_index[short.candidate_id], coach_index[short.coach_id]
            if (k, c) in pinned:
                continue
            if _pair_specific(program, short.coach_id, short.candidate_id, short.cause):
                new_forbidden.setdefault((k, c), short.reason)
            elif short.cause == COACH_TIME_TAKEN:
                room = _common_minutes(program, c, k)
                crowded.setdefault(c, {}).setdefault(k, (room, short.reason))
            elif short.cause == COACH_HOUR_CAP:
                new_places[c] = min(new_places.get(c, loads[c]), loads[c] - 1)
        for c, shorts in crowded.items():
            if any(cc == c for _, cc in new_forbidden):
                continue  # this coach already loses a pair this round
            ranked = sorted(shorts.items(), key=lambda item: (item[1][0], item[0]))
            share = max(1 / 3, min(1.0, number / 6))
            for k, (_, reason) in ranked[: max(1, math.ceil(len(ranked) * share - 1e-9))]:
                new_forbidden[(k, c)] = reason
        step = {
            "round": number,
            "assigned": result.assigned,
            "objective": round(result.objective, 4),
            "pair_months_short": len(sched.shortfalls),
            "pairs_forbidden": len(new_forbidden),
            "coach_places_lowered": len(new_places),
        }
        rounds.append(step)
        if on_round:
            on_round(step)
        if not new_forbidden and not new_places:
            break
        forbidden.update(new_forbidden)
        for c, cap in new_places.items():
            places[c] = max(0, min(places.get(c, int(coach_places(program)[c])), cap))
        short = {(cand_index[x.candidate_id], coach_index[x.coach_id]) for x in sched.shortfalls}
        keep = {
            (cand_index[k], coach_index[c]): STABILITY_BONUS
            for k, c in mapping.items()
            if (cand_index[k], coach_index[c]) not in short
        }
        restrictions = Restrictions(dict(forbidden), dict(places), keep)
        result = assign(program, **kw, restrictions=restrictions)
    else:  # out of rounds: the last roster still needs its calendar
        mapping = {r.candidate_id: r.coach_id for r in result.rows if r.status == "assigned"}
        sched = schedule(program, mapping, seed=seed, workers=workers, scheduler=scheduler,
                         on_done=on_done, cache=cache)  # fmt: skip
    restrictions = Restrictions(dict(forbidden), dict(places))
    return PlanResult(result, sched, paper, restrictions, tuple(rounds))
