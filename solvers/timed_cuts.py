"""Tighten the time relaxation with proven cuts: solve, check each coach's chosen pairs date
by date (:mod:`solvers.scheduling.month_fit`), add a row for every set that provably cannot
all meet, and solve again (a logic-based Benders loop).

Why: the relaxation's rows know minutes, not whole sessions on dates with travel between
sites, so its roster can give a coach pairs no calendar holds; the scheduler then finds out one
round at a time, and the bound stays loose. Each cut removes such a set from *every* roster,
so after each pass the relaxation's optimum is still a valid upper bound, only lower, and its
roster is closer to one that can meet. The loop stops when a pass finds no new cut or after
``passes`` passes; the bound of the last solve is the one reported.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from solvers.scheduling.month_fit import (
    FitGroup,
    check_group,
    confined,
    most_members,
    travel_table,
)
from solvers.timed_assign import (
    CoverageBound,
    TimedAssignProblem,
    coverage_bound,
    usable_segments,
)

Cut = tuple[tuple[int, ...], int]


def fit_group(problem: TimedAssignProblem, pairs: list[int], right: int) -> FitGroup:
    """One right node's ``pairs`` as a :class:`FitGroup` (local index = position in ``pairs``)."""
    left = problem.base.left[np.asarray(pairs, dtype=np.int64)]
    if problem.place_xy is not None and problem.travel_kmh > 0:
        sites = (
            problem.place_site[left]
            if problem.place_site is not None
            else np.full(len(pairs), -1, dtype=np.int64)
        )
        travel = travel_table(problem.place_xy[left], sites, problem.travel_kmh)
    else:
        travel = tuple((0,) * len(pairs) for _ in pairs)
    lengths = tuple(problem.session_lengths)
    return FitGroup(
        segments=tuple(usable_segments(problem, p) for p in pairs),
        travel=travel,
        dates=problem.dates,
        session_lengths=lengths,
        first_month=tuple(int(problem.first_month[p]) for p in pairs),
        min_month=int(problem.min_month),
        max_month=int(problem.max_month),
        min_total=tuple(int(problem.min_total[p]) for p in pairs),
        coach_cap=int(problem.coach_cap[right]),
    )


Verdicts = dict[tuple[int, tuple[int, ...]], tuple[int, ...] | None]
"""Checked sets: ``(right node, its chosen pairs)`` -> the core found, or ``None`` (fits or
undecided). A set's verdict depends only on its pairs, so rounds that re-solve the roster
re-check only coaches whose pairs changed."""


def fit_cuts(
    problem: TimedAssignProblem,
    chosen: np.ndarray,
    *,
    work_limit: float = 2.0,
    known: Verdicts | None = None,
) -> list[Cut]:
    """A cut for each right node whose chosen pairs provably cannot all meet their hours.

    Pinned pairs are left out of the check: the relaxation lets a pin owe nothing. Each
    check is bounded by CP-SAT's deterministic ``work_limit``, so the cuts found do not
    depend on the machine. ``known`` caches verdicts between calls (see :data:`Verdicts`).
    """
    base = problem.base
    known = {} if known is None else known
    by_right: dict[int, list[int]] = defaultdict(list)
    for p in sorted(int(p) for p in chosen):
        if base.pinned is None or not base.pinned[p]:
            by_right[int(base.right[p])].append(p)
    cuts: list[Cut] = []
    for r, pairs in sorted(by_right.items()):
        if len(pairs) < 2:
            continue  # a pair alone was already checked against its own windows
        key = (r, tuple(pairs))
        if key not in known:
            verdict = check_group(fit_group(problem, pairs, r), work_limit=work_limit)
            known[key] = tuple(pairs[i] for i in verdict.core) if verdict.fits is False else None
        core = known[key]
        if core is not None:
            cuts.append((core, len(core) - 1))
            cuts.extend(_lifted(problem, r, core, work_limit))
    return cuts


def may_fit(
    problem: TimedAssignProblem, group: list[int], *, known: Verdicts | None = None
) -> bool:
    """False only when one right node's pairs ``group`` provably cannot all meet their hours
    (the month model, date by date with travel): a necessary test, stronger than
    :func:`solvers.timed_assign.week_holds` and cheaper than a calendar solve."""
    pairs = sorted(int(p) for p in group)
    if len(pairs) < 2:
        return True
    r = int(problem.base.right[pairs[0]])
    known = {} if known is None else known
    key = (r, tuple(pairs))
    if key not in known:
        verdict = check_group(fit_group(problem, pairs, r), shrink=False)
        known[key] = tuple(pairs[i] for i in verdict.core) if verdict.fits is False else None
    return known[key] is None


def _lifted(
    problem: TimedAssignProblem, r: int, core: tuple[int, ...], work_limit: float
) -> list[Cut]:
    """The core's row lifted to every pair of the node that can only meet inside the core's
    blocks: at most ``U`` of them, ``U`` the month model's proven most.

    A core's own row excludes one set; the roster solve then swaps in a pair just like one of
    the core's and the next pass finds the next core. The lifted row covers all of them."""
    base = problem.base
    universe = [
        p
        for p in np.flatnonzero(base.right == r).tolist()
        if base.pinned is None or not base.pinned[p]
    ]
    group = fit_group(problem, universe, r)
    position = {p: i for i, p in enumerate(universe)}
    inside = confined(group, tuple(position[p] for p in core))
    if len(inside) <= len(core):
        return []
    most = most_members(group, inside, work_limit=work_limit)
    if most >= len(inside):
        return []
    return [(tuple(universe[i] for i in inside), most)]


@dataclasses.dataclass(frozen=True)
class CutBound:
    """The relaxation's bound after the cut passes, the problem with its cuts, and per pass
    the bound and how many cuts it added."""

    bound: CoverageBound
    problem: TimedAssignProblem
    passes: tuple[dict[str, float], ...]
    seconds: float


def bound_with_cuts(
    problem: TimedAssignProblem,
    *,
    time_limit: float = 60.0,
    passes: int = 8,
    known: Verdicts | None = None,
    on_pass: Callable[[dict[str, float]], None] | None = None,
) -> CutBound:
    """Solve the relaxation, cut what its roster cannot meet, repeat (module docstring).

    ``time_limit``: each relaxation solve's limit; at most ``passes`` passes (the bound stays
    valid whenever the loop stops); ``known``: verdicts to reuse and extend."""
    start = time.perf_counter()
    known = {} if known is None else known
    current = problem
    tick = time.perf_counter()
    best = coverage_bound(current, time_limit=time_limit)
    log: list[dict[str, float]] = [_line(0, best, 0, tick)]
    for number in range(1, passes + 1):
        tick = time.perf_counter()
        cuts = [c for c in fit_cuts(current, best.chosen, known=known) if c not in current.cuts]
        if not cuts:
            break
        current = dataclasses.replace(current, cuts=current.cuts + tuple(cuts))
        best = coverage_bound(current, time_limit=time_limit)
        log.append(_line(number, best, len(cuts), tick))
        if on_pass is not None:
            on_pass(log[-1])
    return CutBound(best, current, tuple(log), time.perf_counter() - start)


def _line(number: int, best: CoverageBound, added: int, tick: float) -> dict[str, float]:
    return {
        "pass": number,
        "bound": best.bound,
        "found": best.found,
        "cuts_added": added,
        "seconds": round(time.perf_counter() - tick, 3),
    }
