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


ROOM_NOT_PROVEN = "has room, but the solver stopped before proving the roster optimal"
ROOM_FOR_UNASSIGNED = "has room, but taking this candidate would cost the roster more elsewhere"
ROOM_FOR_ASSIGNED = (
    "has room, but the move would cost the roster more elsewhere (its coach's minimum "
    "load, the same-site bonus or load balance), or the pair is pinned"
)


@dataclass(frozen=True)
class WhyTable:
    """:func:`explain` as parallel arrays: why.csv is written from these directly (43,000
    rows at state size: one Python object per row would cost more than the rest).

    Per asked-for candidate ``j`` (``wanted[j]``): its own pair's terms (``own``, with
    ``"_score"``; meaningless where it has no coach), its listed options in rows
    ``first[j] : first[j] + shown[j]`` and ``total[j]`` options in all. Per listed option:
    ``coach``, ``score``, ``outcome`` and ``reason``, best-scoring first within a candidate.
    """

    wanted: np.ndarray
    own: dict[str, np.ndarray]
    first: np.ndarray
    shown: np.ndarray
    total: np.ndarray
    coach: np.ndarray
    score: np.ndarray
    outcome: np.ndarray  # object: full / rule / calendar / cap / room
    reason: np.ndarray  # object: the sentence


def why_table(
    program: ProgramData,
    facts: RosterFacts,
    candidates: list[int] | None = None,
    *,
    limit: int | None = None,
    view: ProgramView | None = None,
) -> WhyTable:
    """Why each candidate (indices; all by default) has its coach, or none; at most ``limit``
    other coaches each (all by default), best-scoring first. Vectorised: the reasons are
    worked out per coach (a full coach's sentence once, whoever asks) and per batch of
    options, not one option at a time."""
    view = view or build_view(program)
    ci, ki = region_role_blocks(view)
    if candidates is None:
        wanted = np.arange(len(program.candidates), dtype=np.int64)
    else:
        wanted = np.array(candidates, dtype=np.int64)
        keep = np.isin(ki, wanted)
        ci, ki = ci[keep], ki[keep]
    ci, ki = ci.astype(np.int64), ki.astype(np.int64)
    own = _terms(view, facts.coach_of[wanted], wanted)
    own_score = np.full(len(program.candidates), -math.inf)
    own_score[wanted] = np.where(facts.coach_of[wanted] >= 0, own["_score"], -math.inf)
    score = _terms(view, ci, ki)["_score"]
    unassigned = facts.coach_of[ki] < 0
    better = unassigned | ((ci != facts.coach_of[ki]) & (score > own_score[ki] + 1e-9))
    ci, ki, score = ci[better], ki[better], score[better]
    order = np.lexsort((ci, -score, ki))
    ci, ki, score = ci[order], ki[order], score[order]
    starts = np.searchsorted(ki, wanted)
    total = np.searchsorted(ki, wanted, side="right") - starts
    shown = total if limit is None else np.minimum(total, limit)
    first = np.cumsum(shown) - shown
    listed = np.repeat(starts - first, shown) + np.arange(int(shown.sum()))
    ci, ki, score = ci[listed], ki[listed], score[listed]
    outcome, reason = _reasons(program, view, facts, ci, ki, failure_bits(view, ci, ki))
    return WhyTable(wanted, own, first, shown, total, ci, score, outcome, reason)


def explain(
    program: ProgramData,
    facts: RosterFacts,
    candidates: list[int] | None = None,
    *,
    limit: int | None = None,
    view: ProgramView | None = None,
) -> list[CandidateWhy]:
    """:func:`why_table` as one :class:`CandidateWhy` per candidate (``coachmatch explain``)."""
    table = why_table(program, facts, candidates, limit=limit, view=view)
    coach_ids = [c.coach_id for c in program.coaches]
    scores = _rounded(table.score)
    out = []
    for j, k in enumerate(table.wanted.tolist()):
        rows = range(table.first[j], table.first[j] + table.shown[j])
        options = tuple(
            CoachOption(
                coach_ids[c],
                scores[p],
                table.outcome[p],
                table.reason[p],
                _holder_ids(program, facts, c) if table.outcome[p] == "full" else (),
            )
            for p, c in zip(rows, table.coach[rows].tolist(), strict=True)
        )
        more = int(table.total[j] - table.shown[j])
        out.append(_candidate(program, facts, k, table.own, j, options, more))
    return out


def _rounded(values: np.ndarray) -> list[float]:
    """Scores as why.csv shows them: Python's correctly rounded ``round(x, 6)`` (numpy's
    round can differ in the last digit)."""
    return [round(x, 6) for x in values.tolist()]


def _terms(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> dict[str, np.ndarray]:
    safe = np.maximum(ci, 0)
    terms = {t: np.asarray(v, dtype=float) for t, v in score_terms(view, safe, ki).items()}
    terms["_score"] = np.sum([terms[t] for t in SCORE_TERMS], axis=0) if len(ci) else np.zeros(0)
    return terms


def _candidate(program, facts, k, own_terms, j, options, more) -> CandidateWhy:
    cand = program.candidates[k]
    c = int(facts.coach_of[k])
    if c < 0:
        return CandidateWhy(cand.candidate_id, "unassigned", "", None, {}, options, more)
    terms = {t: round(float(own_terms[t][j]), 6) for t in SCORE_TERMS}
    return CandidateWhy(
        cand.candidate_id,
        "assigned",
        program.coaches[c].coach_id,
        round(float(own_terms["_score"][j]), 6),
        terms,
        options,
        more,
    )


def _reasons(
    program: ProgramData,
    view: ProgramView,
    facts: RosterFacts,
    ci: np.ndarray,
    ki: np.ndarray,
    bits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each option's outcome and reason. The first that applies wins: a failed rule, calendars
    that cannot fit, a full coach, a program cap, else room; each later one overwrites."""
    outcome = np.full(len(ci), "room", dtype=object)
    if facts.proven:
        room = np.where(facts.coach_of[ki] < 0, ROOM_FOR_UNASSIGNED, ROOM_FOR_ASSIGNED)
        reason = room.astype(object)
    else:
        reason = np.full(len(ci), ROOM_NOT_PROVEN, dtype=object)
    open_ = bits == 0
    capped = _cap_reasons(program, view, facts, ci, ki)
    at_cap = open_ & (capped != "")
    outcome[at_cap], reason[at_cap] = "cap", capped[at_cap]
    load = np.bincount(facts.coach_of[facts.coach_of >= 0], minlength=len(program.coaches))
    full = np.flatnonzero(open_ & (load[ci] >= facts.places[ci]))
    outcome[full] = "full"
    reason[full] = _full_reasons(program, view, facts, ci[full], ki[full])
    if facts.no_fit:
        for p in np.flatnonzero(open_).tolist():
            why = facts.no_fit.get((int(ki[p]), int(ci[p])))
            if why is not None:
                outcome[p], reason[p] = "calendar", f"calendar does not fit: {why}"
    ruled = np.flatnonzero(~open_)
    outcome[ruled] = "rule"
    failed = {b: rules_of(b) for b in np.unique(bits[ruled]).tolist()}  # few ways to fail
    reason[ruled] = [
        _rule_reason(program, view, c, k, failed[b])
        for c, k, b in zip(
            ci[ruled].tolist(), ki[ruled].tolist(), bits[ruled].tolist(), strict=True
        )
    ]
    return outcome, reason


def _rule_reason(program: ProgramData, view: ProgramView, c: int, k: int, rules) -> str:
    coach, cand = program.coaches[c], program.candidates[k]
    words = "; ".join(f"rule {r.number} ({r.name}): {r.words(coach, cand, view)}" for r in rules)
    return f"ruled out by {words}"


def _holder_ids(program: ProgramData, facts: RosterFacts, c: int) -> tuple[str, ...]:
    return tuple(program.candidates[h].candidate_id for h in facts.holders.get(c, []))


def _full_reasons(program, view, facts, ci: np.ndarray, ki: np.ndarray) -> list[str]:
    """Who holds a full coach's places, written once per coach; first-year candidates are
    told when year-2 candidates, who come first, hold some of them."""
    said: dict[int, tuple[str, str]] = {}
    for c in np.unique(ci).tolist():
        coach, held = program.coaches[c], facts.holders.get(c, [])
        ids = _holder_ids(program, facts, c)
        shown = ", ".join(ids[:HOLDERS_LISTED]) + (
            f" and {len(ids) - HOLDERS_LISTED} more" if len(ids) > HOLDERS_LISTED else ""
        )
        places = int(facts.places[c])
        hours = " (lowered by monthly hours)" if places < coach.capacity else ""
        year2 = int(np.count_nonzero(view.k_year[held] == 2)) if held else 0
        first = f"; {year2} of them year-2 candidates, who come first" if year2 else ""
        said[c] = (f"full: {len(held)} of {places} places{hours}, held by {shown}", first)
    told = facts.year2_first & (view.k_year[ki] == 1)
    return [
        said[c][0] + (said[c][1] if t else "")
        for c, t in zip(ci.tolist(), told.tolist(), strict=True)
    ]


def _cap_reasons(program, view, facts, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """The program cap (``[assignment]``) each coach has reached for each candidate ("" for
    none): first-year candidates per coach, then candidates from one district."""
    policy = program.policy.assignment
    out = np.full(len(ci), "", dtype=object)
    held = np.flatnonzero(facts.coach_of >= 0)
    coach_of_held = facts.coach_of[held]
    district = view.k_district
    if policy.max_same_district_per_coach and len(ci):
        width = int(max(district.max(initial=0), 0)) + 1
        known = district[held] >= 0
        keys, counts = np.unique(
            coach_of_held[known] * width + district[held][known], return_counts=True
        )
        asked = ci * width + np.maximum(district[ki], 0)
        same = np.zeros(len(ci), dtype=np.int64)
        if len(keys):
            pos = np.minimum(np.searchsorted(keys, asked), len(keys) - 1)
            same = np.where(keys[pos] == asked, counts[pos], 0)
        hit = (district[ki] >= 0) & (same >= policy.max_same_district_per_coach)
        out[hit] = (
            f"at the program's cap of {policy.max_same_district_per_coach} candidates from "
            "one district"
        )
    if policy.max_year1_per_coach:
        first_year = np.bincount(
            coach_of_held[view.k_year[held] == 1], minlength=len(program.coaches)
        )
        hit = (view.k_year[ki] == 1) & (first_year[ci] >= policy.max_year1_per_coach)
        out[hit] = f"at the program's cap of {policy.max_year1_per_coach} first-year candidates"
    return out


def why_of_result(
    program: ProgramData,
    result,
    no_fit: dict | None = None,
    view: ProgramView | None = None,
):
    """why.csv of an :class:`~matcher.results.AssignmentResult` (``WHY_LISTED`` coaches each);
    ``view``: the program's, where the caller has it already (it takes ~0.35 s to build at
    state size)."""
    roster = {r.candidate_id: r.coach_id for r in result.rows if r.coach_id}
    facts = roster_facts(
        program, roster, proven=result.status == SolveStatus.OPTIMAL, no_fit=no_fit
    )
    table = why_table(program, facts, limit=WHY_LISTED, view=view)
    return why_frame(program, facts, table)


def why_frame(program: ProgramData, facts: RosterFacts, table: WhyTable):
    """why.csv / the Why sheet: one row per (candidate, other coach); a candidate without
    any other coach to name gets one row with empty other-coach cells, and one whose list was
    cut at the limit a last row "and N more". Built column by column from the table."""
    import pandas as pd

    n = len(table.wanted)
    more = table.total - table.shown
    # rows per candidate: its options (or one empty row), then "more" where the list was cut
    head_rows = np.maximum(table.shown, 1) + (more > 0)
    who = np.repeat(np.arange(n), head_rows)
    at = np.arange(len(who)) - np.repeat(np.cumsum(head_rows) - head_rows, head_rows)
    is_option = at < table.shown[who]
    is_more = (at == head_rows[who] - 1) & (more[who] > 0)
    option = np.where(is_option, table.first[who] + at, -1)

    ids = np.array([k.candidate_id for k in program.candidates], dtype=object)
    coach_ids = np.array([c.coach_id for c in program.coaches], dtype=object)
    own_coach = facts.coach_of[table.wanted]
    assigned = own_coach >= 0
    own_score = np.full(n, "", dtype=object)
    own_score[assigned] = _rounded(table.own["_score"][assigned])

    def per_option(values, empty: str = "") -> np.ndarray:
        column = np.full(len(who), empty, dtype=object)
        column[is_option] = np.asarray(values, dtype=object)[option[is_option]]
        return column

    rank = per_option(np.arange(len(table.coach)) - np.repeat(table.first, table.shown) + 1)
    outcome, why_not = per_option(table.outcome), per_option(table.reason)
    outcome[is_more] = "more"
    why_not[is_more] = [f"and {m} more (coachmatch explain)" for m in more[who[is_more]].tolist()]
    columns = {
        "candidate_id": ids[table.wanted][who],
        "status": np.where(assigned, "assigned", "unassigned").astype(object)[who],
        "coach_id": np.where(assigned, coach_ids[np.maximum(own_coach, 0)], "")[who],
        "score": own_score[who],
        "rank": rank,
        "other_coach_id": per_option(coach_ids[table.coach]),
        "other_score": per_option(_rounded(table.score)),
        "outcome": outcome,
        "why_not": why_not,
    }
    return pd.DataFrame(columns, columns=WHY_COLUMNS)


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
