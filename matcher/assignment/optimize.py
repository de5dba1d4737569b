"""From a program to an optimal roster: translate, solve, translate back, explain.

This is the seam between the domain and the models. It turns eligible pairs and the program's
policy into the plain arrays of :mod:`solvers.assignment_data`, picks the model (the exact
min-cost flow whenever no term couples pairs, CP-SAT otherwise), splits CP-SAT work by
connected components, and turns the chosen pairs back into a roster with a reason for every
candidate left out.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from matcher.errors import InfeasibleError
from matcher.problem import Candidate, Coach, ProgramData
from matcher.results import Alternate, AssignmentResult, CoachLoad, RosterRow
from matcher.rules.eligibility import failed_rules, failure_codes
from matcher.rules.pairs import EligiblePairs, build_pairs
from matcher.rules.reasons import explain_unassigned
from matcher.rules.view import ProgramView
from solvers.assignment_data import (
    WEIGHT_SCALE,
    AssignmentProblem,
    AssignmentSolution,
    GroupCaps,
    ProgressFn,
    SolveStatus,
)
from solvers.dispatch import METHODS, NotAFlowError, solve

SOLVERS = METHODS


@dataclasses.dataclass(frozen=True)
class Restrictions:
    """What ``plan`` learned from calendars: pairs that cannot meet their hours, and coaches
    whose week holds fewer candidates than their places (indices into the program's lists)."""

    forbidden: dict[tuple[int, int], str] = dataclasses.field(default_factory=dict)
    places: dict[int, int] = dataclasses.field(default_factory=dict)
    keep_bonus: dict[tuple[int, int], float] = dataclasses.field(default_factory=dict)
    """Extra weight for pairs whose calendars already fit, so a re-match moves few of them;
    it steers the solver only and is never part of a reported score."""

    def forbidden_for(self, k: int) -> dict[int, str]:
        return {c: why for (kk, c), why in self.forbidden.items() if kk == k}


def coach_places(program: ProgramData) -> np.ndarray:
    """Each coach's places: capacity, lowered where ``max_hours_per_month`` allows fewer."""
    places = []
    for c in program.coaches:
        cap = c.capacity
        if c.max_hours_per_month is not None:
            cap = min(cap, program.policy.coach_places_by_hours(c.max_hours_per_month))
        places.append(cap)
    return np.array(places, dtype=np.int64)


def _pin_mask(pairs: EligiblePairs, pins: list[tuple[int, int]]) -> np.ndarray | None:
    """Mark pinned pairs; a pin on an ineligible pair is infeasible, and says which rule."""
    if not pins:
        return None
    index = {
        (int(k), int(c)): p
        for p, (k, c) in enumerate(zip(pairs.candidate, pairs.coach, strict=True))
    }
    mask = np.zeros(len(pairs), dtype=bool)
    reasons = []
    program = pairs.program
    for k, c in pins:
        p = index.get((k, c))
        if p is None:
            rules = failed_rules(pairs.view, k)[c]
            coach, cand = program.coaches[c], program.candidates[k]
            words = "; ".join(f"rule {r.number}: {r.words(coach, cand, pairs.view)}" for r in rules)
            reasons.append(
                f"pin {program.candidates[k].candidate_id} → {program.coaches[c].coach_id} "
                f"is not eligible ({words})"
            )
        else:
            mask[p] = True
    places = coach_places(program)
    load = np.bincount(pairs.coach[mask], minlength=len(program.coaches))
    for c in np.flatnonzero(load > places).tolist():
        reasons.append(
            f"coach {program.coaches[c].coach_id} has {int(load[c])} pinned candidates "
            f"but {int(places[c])} places"
        )
    if reasons:
        raise InfeasibleError(reasons)
    return mask


def _group_caps(pairs: EligiblePairs) -> tuple[GroupCaps, ...]:
    """Node-splitting caps from the program's ``[assignment]`` section."""
    policy = pairs.program.policy.assignment
    families = []
    n = len(pairs)
    if policy.max_year1_per_coach:
        year1 = pairs.view.k_year[pairs.candidate] == 1
        group = np.where(year1, pairs.coach, -1)
        families.append(
            GroupCaps(
                group.astype(np.int64), np.full(pairs.view.n_coaches, policy.max_year1_per_coach)
            )
        )
    if policy.max_same_district_per_coach:
        district = pairs.view.k_district[pairs.candidate]
        keys = np.where(
            district >= 0, pairs.coach * (int(district.max(initial=0)) + 1) + district, -1
        )
        valid = keys >= 0
        codes = np.full(n, -1, dtype=np.int64)
        uniq, inv = np.unique(keys[valid], return_inverse=True)
        codes[valid] = inv
        families.append(GroupCaps(codes, np.full(len(uniq), policy.max_same_district_per_coach)))
    return tuple(families)


def build_problem(
    pairs: EligiblePairs,
    pins: list[tuple[int, int]] = (),
    places: np.ndarray | None = None,
    bonus: dict[tuple[int, int], float] | None = None,
) -> AssignmentProblem:
    """The program as plain arrays for the solvers (scores scaled to integers).

    ``places`` overrides the coaches' places (``plan`` lowers them where calendars are full);
    ``bonus`` adds weight to some (candidate, coach) pairs (``plan``'s stability).
    """
    program = pairs.program
    weights = program.policy.weights
    min_load = np.array([c.min_load for c in program.coaches], dtype=np.int64)
    sites: dict[tuple[str, str], int] = {}
    cluster = np.array(
        [
            sites.setdefault((k.district, k.site), len(sites)) if k.site else -1
            for k in program.candidates
        ],
        dtype=np.int64,
    )
    weight = np.rint(pairs.score * WEIGHT_SCALE).astype(np.int64)
    if bonus:
        index = pairs.index()
        for pair, extra in bonus.items():
            if pair in index:
                weight[index[pair]] += round(extra * WEIGHT_SCALE)
    return AssignmentProblem(
        n_left=len(program.candidates),
        n_right=len(program.coaches),
        left=pairs.candidate,
        right=pairs.coach,
        weight=weight,
        capacity=coach_places(program) if places is None else places,
        min_load=min_load if min_load.any() else None,
        pinned=_pin_mask(pairs, list(pins)),
        groups=_group_caps(pairs),
        balance=round(program.policy.assignment.balance_load * WEIGHT_SCALE),
        cluster=cluster if weights.same_site else None,
        cluster_bonus=round(weights.same_site * WEIGHT_SCALE),
        priority=(pairs.view.k_year == 2) if program.policy.priority.year2_first else None,
    )


def assign(
    program: ProgramData,
    *,
    solver: str = "auto",
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 1,
    pins: list[tuple[int, int]] = (),
    alternates: int = 0,
    pairs: EligiblePairs | None = None,
    progress: ProgressFn | None = None,
    restrictions: Restrictions | None = None,
) -> AssignmentResult:
    """The optimal roster of a program, with reasons, quality figures and alternates."""
    start = time.perf_counter()
    pairs = pairs or build_pairs(program)
    places = None
    if restrictions is not None:
        if restrictions.forbidden:
            keep = np.ones(len(pairs), dtype=bool)
            index = pairs.index()
            for pair in restrictions.forbidden:
                if pair in index:
                    keep[index[pair]] = False
            pairs = pairs.subset(keep)
        places = coach_places(program)
        for c, cap in restrictions.places.items():
            places[c] = min(places[c], cap)
    bonus = restrictions.keep_bonus if restrictions else None
    problem = build_problem(pairs, pins, places, bonus)
    try:
        solution, n_components = solve(
            problem, solver, time_limit=time_limit, seed=seed, workers=workers, progress=progress
        )
    except NotAFlowError as exc:
        raise InfeasibleError([str(exc)]) from None
    if solution.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(["the pinned pairs do not fit the coaches' places and caps"])
    result = roster_from(
        pairs,
        problem,
        solution,
        seed=seed,
        components=n_components,
        alternates=alternates,
        restrictions=restrictions,
    )
    return dataclasses.replace(result, solve_seconds=time.perf_counter() - start)


def _placement(pairs: EligiblePairs, solution: AssignmentSolution) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's coach index and chosen pair index (-1: none), so rows, loads and
    alternates read the solution per candidate instead of per pair."""
    n = len(pairs.program.candidates)
    coach_of = np.full(n, -1, dtype=np.int64)
    pair_of = np.full(n, -1, dtype=np.int64)
    coach_of[pairs.candidate[solution.chosen]] = pairs.coach[solution.chosen]
    pair_of[pairs.candidate[solution.chosen]] = solution.chosen
    return coach_of, pair_of


def _assigned_row(pairs: EligiblePairs, cand: Candidate, coach: Coach, p: int) -> RosterRow:
    """An assigned candidate's row: the pair's score, its terms and travel (None if unknown)."""
    km = float(pairs.km[p])
    return RosterRow(
        cand.candidate_id,
        coach.coach_id,
        "assigned",
        "",
        "",
        float(pairs.score[p]),
        None if math.isnan(km) else km,
        coach.coach_id == cand.current_coach_id,
        {t: float(v[p]) for t, v in pairs.terms.items()},
    )


@dataclasses.dataclass(frozen=True)
class _Unplaced:
    """What explaining the left-out candidates needs, worked out once for all of them (the
    rule failures in one batch, the coaches' loads and places, who holds them)."""

    view: ProgramView
    loads: dict[int, int]
    places: dict[int, int]
    proven: bool
    codes: np.ndarray | None
    code_row: dict[int, int]
    holders: dict[int, list[int]] | None
    restrictions: Restrictions | None

    def row(self, k: int, cand: Candidate) -> RosterRow:
        """A left-out candidate's row, with the reason's code and sentence."""
        ruled = self.restrictions.forbidden_for(k) if self.restrictions else {}
        code, text = explain_unassigned(
            self.view,
            k,
            self.loads,
            self.places,
            self.proven,
            ruled,
            self.codes[self.code_row[k]],
            self.holders,
        )
        return RosterRow(cand.candidate_id, "", "unassigned", text, code, None, None, False)


def _unplaced(
    pairs: EligiblePairs,
    problem: AssignmentProblem,
    solution: AssignmentSolution,
    coach_of: np.ndarray,
    pair_of: np.ndarray,
    loads: np.ndarray,
    restrictions: Restrictions | None,
) -> _Unplaced:
    """Gather what :func:`explain_unassigned` needs; year-2 holders only where the program
    puts year-2 candidates first (only then can they have taken the places)."""
    left_out = np.flatnonzero(pair_of < 0)
    codes = failure_codes(pairs.view, left_out) if len(left_out) else None
    holders = _holders(coach_of)
    return _Unplaced(
        view=pairs.view,
        loads={i: int(v) for i, v in enumerate(loads)},
        places={i: int(v) for i, v in enumerate(problem.capacity)},
        proven=solution.status == SolveStatus.OPTIMAL,
        codes=codes,
        code_row={int(k): i for i, k in enumerate(left_out.tolist())},
        holders=holders if problem.priority is not None else None,
        restrictions=restrictions,
    )


def _objective_and_bound(
    pairs: EligiblePairs, problem: AssignmentProblem, solution: AssignmentSolution
) -> tuple[float, float]:
    """The roster's score in the pairs' exact float scores (the solver sums scaled integers),
    plus what the solver adds beyond pair weights; the bound keeps the solver's own gap."""
    scale = WEIGHT_SCALE
    exact = float(pairs.score[solution.chosen].sum())
    extra = (solution.objective - int(problem.weight[solution.chosen].sum())) / scale
    objective = exact + extra
    bound = objective + max(solution.bound - solution.objective, 0) / scale
    return objective, bound


def roster_from(
    pairs: EligiblePairs,
    problem: AssignmentProblem,
    solution: AssignmentSolution,
    *,
    seed: int = 0,
    components: int = 1,
    alternates: int = 0,
    restrictions: Restrictions | None = None,
) -> AssignmentResult:
    """Turn chosen pair indices into roster rows, loads, reasons and alternates."""
    program, view = pairs.program, pairs.view
    coach_of, pair_of = _placement(pairs, solution)
    places = problem.capacity
    loads = np.bincount(coach_of[coach_of >= 0], minlength=len(program.coaches))
    unplaced = _unplaced(pairs, problem, solution, coach_of, pair_of, loads, restrictions)
    rows = [
        _assigned_row(pairs, cand, program.coaches[int(coach_of[k])], int(pair_of[k]))
        if pair_of[k] >= 0
        else unplaced.row(k, cand)
        for k, cand in enumerate(program.candidates)
    ]
    objective, bound = _objective_and_bound(pairs, problem, solution)
    coach_loads = tuple(
        CoachLoad(c.coach_id, int(loads[i]), int(places[i]), c.capacity, c.min_load)
        for i, c in enumerate(program.coaches)
    )
    return AssignmentResult(
        rows=tuple(rows),
        coach_loads=coach_loads,
        status=solution.status,
        objective=objective,
        bound=bound,
        solve_seconds=solution.solve_seconds,
        solver=solution.solver,
        seed=seed,
        components=components,
        eligible_pairs=len(pairs),
        alternates=_alternates(pairs, coach_of, loads, places, alternates),
        stats=dict(solution.stats),
        year2_first=problem.priority is not None,
        year2_candidates=int((view.k_year == 2).sum()),
        year2_assigned=int((view.k_year[pair_of >= 0] == 2).sum()),
        year2_bound=solution.priority_bound if problem.priority is not None else None,
        assigned_bound=solution.assigned_bound,
    )


def _holders(coach_of: np.ndarray) -> dict[int, list[int]]:
    """Coach index -> the candidate indices holding its places, in input order."""
    out: dict[int, list[int]] = {}
    for k, c in enumerate(coach_of.tolist()):
        if c >= 0:
            out.setdefault(c, []).append(k)
    return out


def _alternates(pairs, coach_of, loads, places, top: int) -> tuple[Alternate, ...]:
    """The next-best eligible coaches of each candidate (its own coach left out)."""
    if top <= 0 or not len(pairs):
        return ()
    program = pairs.program
    keep = pairs.coach != coach_of[pairs.candidate]
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((pairs.coach[idx], -pairs.score[idx], pairs.candidate[idx]))]
    out, count, last = [], 0, -1
    for p in order.tolist():
        k = int(pairs.candidate[p])
        count = count + 1 if k == last else 1
        last = k
        if count <= top:
            c = int(pairs.coach[p])
            km = float(pairs.km[p])
            out.append(
                Alternate(
                    program.candidates[k].candidate_id,
                    count,
                    program.coaches[c].coach_id,
                    float(pairs.score[p]),
                    None if math.isnan(km) else km,
                    int(loads[c]),
                    int(places[c]),
                )
            )
    return tuple(out)
