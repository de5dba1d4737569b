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
from typing import Any

from matcher.assignment.optimize import Restrictions, assign, coach_places
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.eligibility import failed_rules
from matcher.rules.pairs import EligiblePairs, build_pairs

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
    """Keep what may hold, re-solve the rest, then say per candidate what happened."""
    pairs = build_pairs(program)
    keep, lost = _previous_pairs(program, previous, pairs)
    pins = _pins_within_places(program, keep, lost)
    result, note = _solve_around(program, pairs, pins, allow_moves, solve)
    changes, moved = _changes(program, previous, result, pins, lost)
    known = program.candidate_index()
    gone = tuple(sorted(c for c in previous if c not in known))
    return Reassignment(result, tuple(changes), moved, allow_moves, note, gone)


def _previous_pairs(
    program: ProgramData, previous: dict[str, str], pairs: EligiblePairs
) -> tuple[list[tuple[int, int, float]], dict[int, str]]:
    """Previous pairs that are still eligible (candidate, coach, score), and why the others
    cannot stay (candidate → reason).

    Checked first, because only a pair whose coach is still in the program and still passes
    every rule may be kept; the reason is what the coordinator reads in ``changes``.
    """
    index = pairs.index()
    coaches = program.coach_index()
    lost: dict[int, str] = {}
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
            lost[k] = _why_ineligible(program, pairs, k, c, prev)
            continue
        keep.append((k, c, float(pairs.score[p])))
    return keep, lost


def _why_ineligible(program: ProgramData, pairs: EligiblePairs, k: int, c: int, prev: str) -> str:
    """The rules a previous pair now fails, in the rules' own words."""
    cand, coach = program.candidates[k], program.coaches[c]
    rules = failed_rules(pairs.view, k)[c]
    return (
        "; ".join(
            f"rule {r.number}: coach {prev} {r.words(coach, cand, pairs.view)}" for r in rules
        )
        or f"coach {prev} is no longer eligible"
    )


def _pins_within_places(
    program: ProgramData, keep: list[tuple[int, int, float]], lost: dict[int, str]
) -> list[tuple[int, int]]:
    """The kept pairs each coach still has places for; the rest are added to ``lost``.

    A coach whose places were cut below its previous candidates keeps its best-scoring pairs
    (ties by candidate order), so the choice does not depend on the roster's row order.
    """
    places = coach_places(program)
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
                lost[k] = (
                    f"coach {program.coaches[c].coach_id} now has {int(places[c])} "
                    f"places, fewer than its candidates"
                )
    return pins


def _solve_around(
    program: ProgramData,
    pairs: EligiblePairs,
    pins: list[tuple[int, int]],
    allow_moves: int,
    solve: dict[str, Any],
) -> tuple[AssignmentResult, str]:
    """The assignment with kept pairs pinned, or (``allow_moves > 0``) favoured by a bonus.

    With moves allowed the bonus lets a pair move only where that places more candidates; if
    that needs more moves than allowed, every kept pair is pinned instead and the note says so.
    """
    if allow_moves <= 0:
        return assign(program, pairs=pairs, pins=pins, **solve), ""
    bonus = {pair: STABILITY_BONUS for pair in pins}
    result = assign(program, pairs=pairs, restrictions=Restrictions(keep_bonus=bonus), **solve)
    coach_of = {r.candidate_id: r.coach_id for r in result.rows}
    moved = sum(
        1
        for k, c in pins
        if coach_of[program.candidates[k].candidate_id] != program.coaches[c].coach_id
    )
    if moved <= allow_moves:
        return result, ""
    note = (
        f"assigning the most candidates needs {moved} moves, more than the "
        f"{allow_moves} allowed: every kept pair was pinned instead"
    )
    return assign(program, pairs=pairs, pins=pins, **solve), note


def _changes(
    program: ProgramData,
    previous: dict[str, str],
    result: AssignmentResult,
    pins: list[tuple[int, int]],
    lost: dict[int, str],
) -> tuple[list[Change], int]:
    """What happened to each candidate and why, and how many kept pairs moved.

    Compared with the previous roster rather than read off the solve, so the coordinator
    sees the outcome (kept, moved, new, lost their coach, unassigned), not the mechanics.
    """
    pinned = {program.candidates[k].candidate_id: program.coaches[c].coach_id for k, c in pins}
    year2 = " (year-2 candidates first)" if program.policy.priority.year2_first else ""
    changes = []
    moved = 0
    for k, (cand, row) in enumerate(zip(program.candidates, result.rows, strict=True)):
        cid = cand.candidate_id
        prev = previous.get(cid, "")
        now = row.coach_id if row.status == "assigned" else ""
        if k in lost:
            change, why = _lost_change(lost[k], now, row.reason)
        elif cid in pinned:
            change, why = _pinned_change(prev, now, row.reason, year2)
            moved += change != "kept"
        else:
            change, why = _unpinned_change(cid in previous, now, row.reason)
        changes.append(Change(cid, prev, now, change, why))
    return changes, moved


def _lost_change(lost: str, now: str, reason: str) -> tuple[str, str]:
    """lost_coach whether or not another coach took them (coach_id says which)."""
    return "lost_coach", (lost if now else f"{lost}; no other coach: {reason}")


def _pinned_change(prev: str, now: str, reason: str, year2: str) -> tuple[str, str]:
    """A kept pair: still together, or moved (to another coach or none) by --allow-moves."""
    if now == prev:
        return "kept", ""
    if not now:
        return "unassigned", f"its place went to another candidate{year2} (--allow-moves): {reason}"
    return "moved", f"moved so that more candidates{year2} get a coach (--allow-moves)"


def _unpinned_change(was_listed: bool, now: str, reason: str) -> tuple[str, str]:
    """A candidate without a kept pair: new to the program, or unassigned in the last roster."""
    if not was_listed:
        return ("new", "new candidate") if now else ("unassigned", reason)
    return ("new", "unassigned in the previous roster") if now else ("unassigned", reason)


def changes_frame(reassignment: Reassignment):
    import pandas as pd

    return pd.DataFrame.from_records(
        [
            (c.candidate_id, c.previous_coach_id, c.coach_id, c.change, c.why)
            for c in reassignment.changes
        ],
        columns=CHANGE_COLUMNS,
    )


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
    parts = [
        f"{counts['kept']} kept",
        f"{counts['moved']} moved",
        f"{counts['new']} new",
        f"{lost} lost their coach ({lost - alone} placed with another, {alone} without one)",
        f"{counts['unassigned']} other candidates unassigned",
    ]
    return ", ".join(parts)


def reassign_summary(program: ProgramData, done: Reassignment, previous_dir: Path) -> dict:
    """summary.json of a re-match: the new roster's figures, then what changed and why."""
    from matcher.io.writers import summary_dict

    summary = summary_dict(program, done.result)
    summary["reassign"] = {
        "previous": str(previous_dir.resolve()),
        "changes": change_counts(done),
        "moves_allowed": done.moves_allowed,
        "moved": done.moved,
        "candidates_gone": list(done.gone_candidates),
        "note": done.note,
    }
    return summary


def write_reassignment(
    out_dir: Path, program: ProgramData, done: Reassignment, summary: dict, *, xlsx: bool = False
) -> None:
    """The re-match's result folder: the roster files (as ``assign`` writes them) and
    changes.csv, all at once."""
    from matcher.io.result_folder import staged_roster

    with staged_roster(out_dir, program, done.result, summary, xlsx=xlsx) as stage:
        changes_frame(done).to_csv(stage / "changes.csv", index=False)
