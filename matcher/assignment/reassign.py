"""``coachmatch reassign``: re-match during the year, keeping every pair that still may hold.

Previous pairs (from an earlier roster.csv) whose coach is still in the program, still eligible
and still has a place are pinned (``allow_moves == 0``); with ``allow_moves > 0`` they get a
strong stability bonus instead, so a pair moves only when that assigns more candidates (or,
where ``year2_first``, more year-2 candidates), and the moves are counted. Candidates whose
coach left or became ineligible, and new candidates, take the remaining places optimally.
``changes`` says, per candidate, what happened and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.assignment.optimize import Restrictions, assign, coach_places
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.eligibility import failed_rules
from matcher.rules.pairs import build_pairs
from matcher.rules.reasons import rule_words

STABILITY_BONUS = 1000.0
"""Score units added to a previous pair when moves are allowed: more than any pair's score."""

CHANGE_COLUMNS = ["candidate_id", "previous_coach_id", "coach_id", "change", "why"]


@dataclass(frozen=True)
class Change:
    candidate_id: str
    previous_coach_id: str
    coach_id: str
    change: str  # kept / moved / new / lost_coach / unassigned
    why: str


@dataclass(frozen=True)
class Reassignment:
    result: AssignmentResult
    changes: tuple[Change, ...]
    moved: int
    moves_allowed: int
    note: str = ""
    gone_candidates: tuple[str, ...] = ()


def read_previous(path: Path) -> dict[str, str]:
    """candidate id → coach id ('' when unassigned) from a previous roster.csv; candidates who
    have left the program since are kept (the caller reports them)."""
    from matcher.io.rosters import read_roster

    return read_roster(path, keep_unassigned=True, what="previous roster")


def reassign(
    program: ProgramData, previous: dict[str, str], *, allow_moves: int = 0, **solve
) -> Reassignment:
    pairs = build_pairs(program)
    index = pairs.index()
    coaches = program.coach_index()
    places = coach_places(program)
    lost: dict[int, str] = {}  # candidate → why the previous pair cannot stay
    keep: list[tuple[int, int, float]] = []
    for k, cand in enumerate(program.candidates):
        prev = previous.get(cand.candidate_id, "")
        if not prev:
            continue
        c = coaches.get(prev)
        if c is None:
            lost[k] = f"coach {prev} left the program"
            continue
        p = index.get((k, c))
        if p is None:
            rules = failed_rules(pairs.view, k)[c]
            coach = program.coaches[c]
            lost[k] = (
                "; ".join(
                    f"rule {r.number}: coach {prev} {rule_words(r, coach, cand, pairs.view)}"
                    for r in rules
                )
                or f"coach {prev} is no longer eligible"
            )
            continue
        keep.append((k, c, float(pairs.score[p])))
    # a coach with fewer places than kept pairs keeps its best-scoring ones
    by_coach: dict[int, list[tuple[int, int, float]]] = {}
    for item in keep:
        by_coach.setdefault(item[1], []).append(item)
    pins: list[tuple[int, int]] = []
    for c, items in by_coach.items():
        items.sort(key=lambda t: (-t[2], t[0]))
        for rank, (k, _, _) in enumerate(items):
            if rank < places[c]:
                pins.append((k, c))
            else:
                lost[k] = (f"coach {program.coaches[c].coach_id} now has {int(places[c])} "
                           f"places, fewer than its candidates")  # fmt: skip
    note = ""
    if allow_moves > 0:
        bonus = {pair: STABILITY_BONUS for pair in pins}
        result = assign(program, pairs=pairs, restrictions=Restrictions(keep_bonus=bonus), **solve)
        coach_of = {r.candidate_id: r.coach_id for r in result.rows}
        moved = sum(
            1 for k, c in pins
            if coach_of[program.candidates[k].candidate_id] != program.coaches[c].coach_id
        )  # fmt: skip
        if moved > allow_moves:
            note = (f"assigning the most candidates needs {moved} moves, more than the "
                    f"{allow_moves} allowed: every kept pair was pinned instead")  # fmt: skip
            result = assign(program, pairs=pairs, pins=pins, **solve)
    else:
        result = assign(program, pairs=pairs, pins=pins, **solve)
    pinned = {program.candidates[k].candidate_id: program.coaches[c].coach_id for k, c in pins}
    changes = []
    moved = 0
    for k, (cand, row) in enumerate(zip(program.candidates, result.rows, strict=True)):
        cid = cand.candidate_id
        prev = previous.get(cid, "")
        now = row.coach_id if row.status == "assigned" else ""
        if k in lost:  # lost_coach whether or not another coach took them (coach_id says)
            change = "lost_coach"
            why = lost[k] if now else f"{lost[k]}; no other coach: {row.reason}"
        elif cid in pinned and now == prev:
            change, why = "kept", ""
        elif cid in pinned:
            moved += 1
            change = "moved" if now else "unassigned"
            first = " (year-2 candidates first)" if program.policy.priority.year2_first else ""
            why = f"moved so that more candidates{first} get a coach (--allow-moves)"
            if not now:
                why = f"its place went to another candidate{first} (--allow-moves): {row.reason}"
        elif cid not in previous:
            change, why = ("new", "new candidate") if now else ("unassigned", row.reason)
        else:  # unassigned in the previous roster
            change, why = (("new", "unassigned in the previous roster") if now
                           else ("unassigned", row.reason))  # fmt: skip
        changes.append(Change(cid, prev, now, change, why))
    known = program.candidate_index()
    gone = tuple(sorted(c for c in previous if c not in known))
    return Reassignment(result, tuple(changes), moved, allow_moves, note, gone)


def changes_frame(reassignment: Reassignment):
    import pandas as pd

    return pd.DataFrame.from_records(
        [(c.candidate_id, c.previous_coach_id, c.coach_id, c.change, c.why)
         for c in reassignment.changes],
        columns=CHANGE_COLUMNS,
    )  # fmt: skip


def change_counts(reassignment: Reassignment) -> dict[str, int]:
    """Candidates by change; ``lost_coach`` counts everyone whose previous coach could not
    stay, ``lost_coach_unassigned`` those of them no other coach could take."""
    counts = {name: 0 for name in ("kept", "moved", "new", "lost_coach", "unassigned")}
    counts["lost_coach_unassigned"] = 0
    for c in reassignment.changes:
        counts[c.change] += 1
        counts["lost_coach_unassigned"] += c.change == "lost_coach" and not c.coach_id
    return counts


def change_line(counts: dict[str, int]) -> str:
    """The terminal's one-line account of a reassignment's changes."""
    lost, alone = counts["lost_coach"], counts["lost_coach_unassigned"]
    parts = [f"{counts['kept']} kept", f"{counts['moved']} moved", f"{counts['new']} new",
             f"{lost} lost their coach ({lost - alone} placed with another, {alone} without one)",
             f"{counts['unassigned']} other candidates unassigned"]  # fmt: skip
    return ", ".join(parts)
