"""Why this coach: the better-scoring coaches a candidate did not get, each with the reason.

For an assigned candidate: its pair score term by term, and every coach serving its region and
role whose pair would score higher, with why the candidate does not have that coach — *full*
(and who holds the places), *ruled out by rule N* (the rule table's own words), *calendar does
not fit* (where calendars were checked), *at a program cap*, or, with room left, what in the
objective keeps the roster as it is. For an unassigned candidate: every coach serving its
region and role, and why not.

Built on the rule table (:func:`matcher.rules.eligibility.failure_bits`,
:meth:`matcher.rules.eligibility.Rule.words`) and the score terms of :mod:`matcher.rules.pairs`:
nothing here restates a rule. Coaches outside the candidate's region and role are left out
(rules 3 and 4 rule them out for everyone of that region and role; the roster's reason says so
where that matters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher.problem import ProgramData
from matcher.rules.eligibility import failure_bits, region_role_blocks, rules_of
from matcher.rules.pairs import SCORE_TERMS, score_terms
from matcher.rules.view import ProgramView, build_view
from solvers.assignment_data import SolveStatus

HOLDERS_LISTED = 8  # candidate ids named as holders of a full coach's places
WHY_LISTED = 10  # other coaches per candidate in why.csv and the Why sheet (explain: all)
WHY_COLUMNS = [
    "candidate_id",
    "status",
    "coach_id",
    "score",
    "rank",
    "other_coach_id",
    "other_score",
    "outcome",
    "why_not",
]


@dataclass(frozen=True)
class CoachOption:
    """A coach the candidate did not get, and why."""

    coach_id: str
    score: float
    outcome: str  # full / rule / calendar / cap / room
    reason: str
    holders: tuple[str, ...] = ()  # full: the candidates holding its places


@dataclass(frozen=True)
class CandidateWhy:
    candidate_id: str
    status: str  # assigned / unassigned
    coach_id: str
    score: float | None
    terms: dict[str, float] = field(default_factory=dict)
    options: tuple[CoachOption, ...] = ()  # best-scoring first
    more: int = 0  # options left out by ``limit``


@dataclass(frozen=True)
class RosterFacts:
    """What the reasons need to know of a roster, as arrays over the program's coaches."""

    coach_of: np.ndarray  # candidate index -> coach index, -1 unassigned
    places: np.ndarray  # coach index -> places (capacity, lowered by monthly hours)
    holders: dict[int, list[int]]
    year2_first: bool
    proven: bool
    no_fit: dict[tuple[int, int], str]  # (candidate, coach) -> why the calendars do not fit


def roster_facts(
    program: ProgramData,
    coach_by_candidate: dict[str, str],
    *,
    proven: bool = True,
    no_fit: dict[tuple[int, int], str] | None = None,
    places: np.ndarray | None = None,
) -> RosterFacts:
    from matcher.assignment.optimize import coach_places

    coaches = program.coach_index()
    coach_of = np.array(
        [coaches.get(coach_by_candidate.get(k.candidate_id, ""), -1) for k in program.candidates],
        dtype=np.int64,
    )
    holders: dict[int, list[int]] = {}
    for k, c in enumerate(coach_of.tolist()):
        if c >= 0:
            holders.setdefault(c, []).append(k)
    return RosterFacts(
        coach_of,
        coach_places(program) if places is None else places,
        holders,
        program.policy.priority.year2_first,
        proven,
        no_fit or {},
    )


def explain(
    program: ProgramData,
    facts: RosterFacts,
    candidates: list[int] | None = None,
    *,
    limit: int | None = None,
    view: ProgramView | None = None,
) -> list[CandidateWhy]:
    """Why each candidate (indices; all by default) has its coach, or none; at most ``limit``
    other coaches each (all by default), best-scoring first."""
    view = view or build_view(program)
    ci, ki = region_role_blocks(view)
    wanted = np.arange(len(program.candidates)) if candidates is None else np.array(candidates)
    keep = np.isin(ki, wanted)
    ci, ki = ci[keep].astype(np.int64), ki[keep].astype(np.int64)
    own_terms = _terms(view, facts.coach_of[wanted], wanted)
    own_score = np.full(len(program.candidates), -math.inf)
    own_score[wanted] = np.where(facts.coach_of[wanted] >= 0, own_terms["_score"], -math.inf)
    terms = _terms(view, ci, ki)
    unassigned = facts.coach_of[ki] < 0
    better = unassigned | ((ci != facts.coach_of[ki]) & (terms["_score"] > own_score[ki] + 1e-9))
    ci, ki, score = ci[better], ki[better], terms["_score"][better]
    order = np.lexsort((ci, -score, ki))
    ci, ki, score = ci[order], ki[order], score[order]
    bits = failure_bits(view, ci, ki)
    starts = np.searchsorted(ki, wanted)
    ends = np.searchsorted(ki, wanted, side="right")
    out = []
    for j, k in enumerate(wanted.tolist()):
        rows = range(starts[j], ends[j] if limit is None else min(ends[j], starts[j] + limit))
        options = tuple(
            _option(program, view, facts, k, int(ci[p]), float(score[p]), int(bits[p]))
            for p in rows
        )
        out.append(_candidate(program, facts, k, own_terms, j, options, ends[j] - starts[j]))
    return out


def _terms(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> dict[str, np.ndarray]:
    safe = np.maximum(ci, 0)
    terms = {t: np.asarray(v, dtype=float) for t, v in score_terms(view, safe, ki).items()}
    terms["_score"] = np.sum([terms[t] for t in SCORE_TERMS], axis=0) if len(ci) else np.zeros(0)
    return terms


def _candidate(program, facts, k, own_terms, j, options, total) -> CandidateWhy:
    cand = program.candidates[k]
    c = int(facts.coach_of[k])
    if c < 0:
        return CandidateWhy(
            cand.candidate_id, "unassigned", "", None, {}, options, total - len(options)
        )
    terms = {t: round(float(own_terms[t][j]), 6) for t in SCORE_TERMS}
    return CandidateWhy(
        cand.candidate_id,
        "assigned",
        program.coaches[c].coach_id,
        round(float(own_terms["_score"][j]), 6),
        terms,
        options,
        total - len(options),
    )


def _option(program, view, facts: RosterFacts, k: int, c: int, score: float, bits: int):
    coach, cand = program.coaches[c], program.candidates[k]
    score = round(score, 6)
    if bits:
        words = "; ".join(
            f"rule {r.number} ({r.name}): {r.words(coach, cand, view)}" for r in rules_of(bits)
        )
        return CoachOption(coach.coach_id, score, "rule", f"ruled out by {words}")
    if (k, c) in facts.no_fit:
        return CoachOption(
            coach.coach_id, score, "calendar", f"calendar does not fit: {facts.no_fit[(k, c)]}"
        )
    held = facts.holders.get(c, [])
    places = int(facts.places[c])
    if len(held) >= places:
        return _full(program, view, facts, k, c, score, held, places)
    cap = _at_cap(program, view, facts, k, c)
    if cap:
        return CoachOption(coach.coach_id, score, "cap", cap)
    if not facts.proven:
        why = "has room, but the solver stopped before proving the roster optimal"
    elif facts.coach_of[k] < 0:
        why = "has room, but taking this candidate would cost the roster more elsewhere"
    else:
        why = (
            "has room, but the move would cost the roster more elsewhere (its coach's minimum "
            "load, the same-site bonus or load balance), or the pair is pinned"
        )
    return CoachOption(coach.coach_id, score, "room", why)


def _full(program, view, facts, k, c, score, held, places) -> CoachOption:
    coach = program.coaches[c]
    ids = [program.candidates[h].candidate_id for h in held]
    shown = ", ".join(ids[:HOLDERS_LISTED]) + (
        f" and {len(ids) - HOLDERS_LISTED} more" if len(ids) > HOLDERS_LISTED else ""
    )
    hours = " (lowered by monthly hours)" if places < coach.capacity else ""
    why = f"full: {len(held)} of {places} places{hours}, held by {shown}"
    year2 = [h for h in held if view.k_year[h] == 2]
    if facts.year2_first and view.k_year[k] == 1 and year2:
        why += f"; {len(year2)} of them year-2 candidates, who come first"
    return CoachOption(coach.coach_id, score, "full", why, tuple(ids))


def _at_cap(program, view, facts, k, c) -> str:
    """The program cap (``[assignment]``) that this coach has reached for this candidate."""
    policy = program.policy.assignment
    held = facts.holders.get(c, [])
    if policy.max_year1_per_coach and view.k_year[k] == 1:
        n = sum(1 for h in held if view.k_year[h] == 1)
        if n >= policy.max_year1_per_coach:
            return f"at the program's cap of {policy.max_year1_per_coach} first-year candidates"
    district = view.k_district[k]
    if policy.max_same_district_per_coach and district >= 0:
        n = sum(1 for h in held if view.k_district[h] == district)
        if n >= policy.max_same_district_per_coach:
            return (
                f"at the program's cap of {policy.max_same_district_per_coach} candidates from "
                "one district"
            )
    return ""


def why_of_result(program: ProgramData, result, no_fit: dict | None = None):
    """why.csv of an :class:`~matcher.results.AssignmentResult` (``WHY_LISTED`` coaches each)."""
    roster = {r.candidate_id: r.coach_id for r in result.rows if r.coach_id}
    facts = roster_facts(
        program, roster, proven=result.status == SolveStatus.OPTIMAL, no_fit=no_fit
    )
    return why_frame(explain(program, facts, limit=WHY_LISTED))


def why_frame(explained: list[CandidateWhy]):
    """why.csv / the Why sheet: one row per (candidate, other coach); a candidate without
    any other coach to name gets one row with empty other-coach cells."""
    import pandas as pd

    rows = []
    for w in explained:
        head = (w.candidate_id, w.status, w.coach_id, "" if w.score is None else w.score)
        if not w.options:
            rows.append((*head, "", "", "", "", ""))
        for rank, o in enumerate(w.options, start=1):
            rows.append((*head, rank, o.coach_id, o.score, o.outcome, o.reason))
        if w.more:
            rows.append((*head, "", "", "", "more", f"and {w.more} more (coachmatch explain)"))
    return pd.DataFrame.from_records(rows, columns=WHY_COLUMNS)


def explain_result(program: ProgramData, result_dir: Path, candidate_id: str) -> CandidateWhy:
    """Why one candidate of a result folder has its coach (``coachmatch explain``).

    Raises :class:`~matcher.errors.InputError` for a result folder made from another program,
    an unreadable roster or an unknown candidate id. Where the folder holds a schedule, the
    eligible coaches the candidate did not get are checked for calendars that cannot fit.
    """
    from matcher.errors import InputError, InputProblem
    from matcher.io.rosters import read_program_roster

    summary_path = result_dir / "summary.json"
    summary = _read_summary(summary_path)
    made_from = summary.get("program")
    if made_from and program.source and Path(made_from).resolve() != program.source.resolve():
        raise InputError(
            InputProblem(
                str(summary_path),
                f"this result folder was made from another program ({made_from})",
                column="program",
                value=str(program.source),
            )
        )
    index = program.candidate_index()
    if candidate_id not in index:
        raise InputError(
            InputProblem(
                "candidates",
                "no such candidate in the program",
                column="candidate_id",
                value=candidate_id,
            )
        )
    roster = read_program_roster(result_dir / "roster.csv", program)
    k = index[candidate_id]
    proven = summary.get("status", SolveStatus.OPTIMAL) == SolveStatus.OPTIMAL
    facts = roster_facts(program, roster, proven=proven)
    (first,) = explain(program, facts, [k])
    if not (result_dir / "schedule.csv").is_file():
        return first
    from matcher.scheduling.sessions import pairs_that_cannot_fit_alone

    coaches = program.coach_index()
    open_pairs = [(k, coaches[o.coach_id]) for o in first.options if o.outcome != "rule"]
    no_fit = pairs_that_cannot_fit_alone(program, open_pairs)
    if not no_fit:
        return first
    facts = roster_facts(program, roster, proven=proven, no_fit=no_fit)
    return explain(program, facts, [k])[0]


def _read_summary(path: Path) -> dict:
    import json

    from matcher.errors import InputError, InputProblem

    if not path.is_file():
        return {}
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InputError(InputProblem(str(path), "is not valid JSON")) from None
    return summary if isinstance(summary, dict) else {}
