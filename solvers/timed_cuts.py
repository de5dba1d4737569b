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

from solvers.executor import map_ordered
from solvers.scheduling.month_fit import (
    FitCheck,
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
FIT_WORK = 0.25
"""CP-SAT deterministic seconds for one :func:`may_fit` check (undecided: it may fit)."""


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


VerdictKey = tuple[int, tuple[int, ...]]
"""A checked set: its right node (the coach) and its pairs, sorted."""


@dataclasses.dataclass
class Verdicts:
    """Checked sets -> the cuts they gave (none: they may fit), and every cut by node.

    A set's verdict depends only on its pairs, so rounds that re-solve the roster re-check
    only coaches whose pairs changed. And a cut holds for every roster: a set that holds more
    of a known cut's pairs than the cut allows is refuted without a solve
    (:meth:`refutes`). plan's fill asks about sets one pair away from checked ones, and
    some of its refusals are such supersets (measured on the sample's fill: 7 of 23).
    """

    by_set: dict[VerdictKey, tuple[Cut, ...]] = dataclasses.field(default_factory=dict)
    by_node: dict[int, list[tuple[frozenset[int], int]]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )

    def __contains__(self, key: VerdictKey) -> bool:
        return key in self.by_set

    def __getitem__(self, key: VerdictKey) -> tuple[Cut, ...]:
        return self.by_set[key]

    def __setitem__(self, key: VerdictKey, cuts: tuple[Cut, ...]) -> None:
        self.by_set[key] = cuts
        self.by_node[key[0]].extend((frozenset(pairs), most) for pairs, most in cuts)

    def __len__(self) -> int:
        return len(self.by_set)

    def refutes(self, right: int, pairs: tuple[int, ...]) -> bool:
        """Whether a known cut of node ``right`` rules out having all ``pairs`` together."""
        chosen = frozenset(pairs)
        return any(len(chosen & cut) > most for cut, most in self.by_node.get(right, ()))


def fit_cuts(
    problem: TimedAssignProblem,
    chosen: np.ndarray,
    *,
    work_limit: float = 2.0,
    known: Verdicts | None = None,
    workers: int = 1,
) -> list[Cut]:
    """Cuts for each right node whose chosen pairs provably cannot all meet their hours: the
    core's row and its lift (:func:`_lift`).

    Pinned pairs are left out of the check: the relaxation lets a pin owe nothing. Each
    check is bounded by CP-SAT's deterministic ``work_limit``, so the cuts found do not
    depend on the machine or on ``workers`` (coaches are checked in parallel, results taken
    in order). ``known`` caches verdicts between calls (see :class:`Verdicts`).
    """
    base = problem.base
    known = Verdicts() if known is None else known
    by_right: dict[int, list[int]] = defaultdict(list)
    for p in sorted(int(p) for p in chosen):
        if base.pinned is None or not base.pinned[p]:
            by_right[int(base.right[p])].append(p)
    # a pair alone was already checked against its own windows
    keys = [(r, tuple(pairs)) for r, pairs in sorted(by_right.items()) if len(pairs) >= 2]
    todo = [key for key in keys if key not in known]
    checks = map_ordered(
        _check,
        [(fit_group(problem, list(pairs), r), work_limit) for r, pairs in todo],
        workers=workers,
    )
    cores = {
        key: tuple(key[1][i] for i in verdict.core)
        for key, verdict in zip(todo, checks, strict=True)
        if verdict.fits is False
    }
    lifts = map_ordered(
        _lift,
        [_lift_job(problem, r, core, work_limit) for (r, _), core in cores.items()],
        workers=workers,
    )
    lifted = dict(zip(cores, lifts, strict=True))
    for key in todo:
        core = cores.get(key)
        known[key] = () if core is None else ((core, len(core) - 1), *lifted[key])
    return [cut for key in keys for cut in known[key]]


def may_fit(
    problem: TimedAssignProblem, group: list[int], *, known: Verdicts | None = None
) -> bool:
    """False only when one right node's pairs ``group`` provably cannot all meet their hours
    (the month model, date by date with travel): a necessary test, stronger than
    :func:`solvers.timed_assign.week_holds` and cheaper than a calendar solve."""
    pairs = tuple(sorted(int(p) for p in group))
    if len(pairs) < 2:
        return True
    r = int(problem.base.right[pairs[0]])
    known = Verdicts() if known is None else known
    check_sets(problem, [list(pairs)], known=known)
    return not known.refutes(r, pairs) and not known.by_set.get((r, pairs))


def check_sets(
    problem: TimedAssignProblem,
    groups: list[list[int]],
    *,
    known: Verdicts,
    workers: int = 1,
) -> None:
    """Record :func:`may_fit`'s verdicts for several sets at once in ``known``, the sets not
    yet known or refuted checked in parallel (results taken in order, so ``known`` ends the
    same for any ``workers``). plan's fill calls it for the next moves it may offer, so that
    their checks share the machine's cores."""
    todo: dict[VerdictKey, list[int]] = {}
    for group in groups:
        pairs = sorted(int(p) for p in group)
        if len(pairs) < 2:
            continue
        key = (int(problem.base.right[pairs[0]]), tuple(pairs))
        if key not in known and key not in todo and not known.refutes(*key):
            todo[key] = pairs
    checks = map_ordered(
        _check_once,
        [(fit_group(problem, pairs, r), FIT_WORK) for (r, _), pairs in todo.items()],
        workers=workers,
    )
    for (key, pairs), verdict in zip(todo.items(), checks, strict=True):
        known[key] = _verdict_cuts(pairs, verdict)


def _verdict_cuts(pairs: list[int], verdict: FitCheck) -> tuple[Cut, ...]:
    if verdict.fits is not False:
        return ()
    core = tuple(pairs[i] for i in verdict.core)
    return ((core, len(core) - 1),)


def _check_once(job: tuple[FitGroup, float]) -> FitCheck:
    """One check without shrinking its core (a verdict, not a cut for the roster model)."""
    group, work_limit = job
    return check_group(group, work_limit=work_limit, shrink=False)


def _check(job: tuple[FitGroup, float]) -> FitCheck:
    group, work_limit = job
    return check_group(group, work_limit=work_limit)


_LiftJob = tuple[FitGroup, tuple[int, ...], tuple[int, ...], float]


def _lift_job(
    problem: TimedAssignProblem, r: int, core: tuple[int, ...], work_limit: float
) -> _LiftJob:
    """Every unpinned pair of the node, as one group, with the core's positions in it."""
    base = problem.base
    universe = tuple(
        p
        for p in np.flatnonzero(base.right == r).tolist()
        if base.pinned is None or not base.pinned[p]
    )
    position = {p: i for i, p in enumerate(universe)}
    group = fit_group(problem, list(universe), r)
    return group, universe, tuple(position[p] for p in core), work_limit


def _lift(job: _LiftJob) -> tuple[Cut, ...]:
    """The core's row lifted to every pair of the node that can only meet inside the core's
    blocks: at most ``U`` of them, ``U`` the month model's proven most.

    A core's own row excludes one set; the roster solve then swaps in a pair just like one of
    the core's and the next pass finds the next core. The lifted row covers all of them."""
    group, universe, core, work_limit = job
    inside = confined(group, core)
    if len(inside) <= len(core):
        return ()
    most = most_members(group, inside, work_limit=work_limit)
    if most >= len(inside):
        return ()
    return ((tuple(universe[i] for i in inside), most),)


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
    workers: int = 1,
    on_pass: Callable[[dict[str, float]], None] | None = None,
) -> CutBound:
    """Solve the relaxation, cut what its roster cannot meet, repeat (module docstring).

    ``time_limit``: each relaxation solve's limit; at most ``passes`` passes (the bound stays
    valid whenever the loop stops); ``known``: verdicts to reuse and extend; ``workers``:
    processes for the checks (the result does not depend on it)."""
    start = time.perf_counter()
    known = Verdicts() if known is None else known
    current = problem
    tick = time.perf_counter()
    best = coverage_bound(current, time_limit=time_limit)
    log: list[dict[str, float]] = [_line(0, best, 0, tick)]
    for number in range(1, passes + 1):
        tick = time.perf_counter()
        found = fit_cuts(current, best.chosen, known=known, workers=workers)
        cuts = [c for c in found if c not in current.cuts]
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
