"""Check a roster.csv against the contract, independently of the tool that wrote it."""

from __future__ import annotations

import csv
from pathlib import Path

from .optimum_milp import optimum_lexicographic, year2_first
from .program import IndependentProgram, parse_bool
from .rules import pair_score, why_ineligible

ROSTER_COLUMNS = (
    "candidate_id",
    "coach_id",
    "status",
    "reason",
    "score",
    "travel_km",
    "continuity",
)
SCORE_TOL = 0.01  # "score: to at least 2 decimals"
KM_TOL = 0.1  # "travel_km: at least 1 decimal"
HOURS_EPS = 1e-9  # float slack when summing monthly needs


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header (stripped) and rows (cells stripped) of a tool-written CSV file."""
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        grid = list(reader)
    if not grid:
        return [], []
    header = [h.strip() for h in grid[0]]
    rows = []
    for raw in grid[1:]:
        if not any(cell.strip() for cell in raw):
            continue
        cells = [cell.strip() for cell in raw] + [""] * (len(header) - len(raw))
        rows.append({h: cells[i] for i, h in enumerate(header)})
    return header, rows


def roster_assignment(roster_csv: Path) -> dict[str, str]:
    """``candidate_id -> coach_id`` of the roster's assigned rows (no validation)."""
    _, rows = read_csv_rows(roster_csv)
    return {
        row.get("candidate_id", ""): row.get("coach_id", "")
        for row in rows
        if row.get("status", "") == "assigned" and row.get("coach_id", "")
    }


def coach_load_violations(program: IndependentProgram, assignment: dict[str, str]) -> list[str]:
    """Capacity and monthly-hours violations of an assignment ``candidate -> coach``.

    Hours: in every program month each candidate coached that month (from its
    start_month on) counts at the monthly need; the sum per coach must stay within the
    coach's max_hours_per_month where given.
    """
    problems: list[str] = []
    need = program.monthly_need()
    by_coach: dict[str, list[str]] = {}
    for candidate_id, coach_id in assignment.items():
        if coach_id in program.coaches and candidate_id in program.candidates:
            by_coach.setdefault(coach_id, []).append(candidate_id)
    for coach_id, cands in by_coach.items():
        coach = program.coaches[coach_id]
        if len(cands) > coach.capacity:
            problems.append(
                f"coach {coach_id}: {len(cands)} candidates exceed capacity {coach.capacity}"
            )
        if coach.max_hours_per_month is None:
            continue
        for month in program.months:
            active = [k for k in cands if month in program.active_months(k)]
            hours = need * len(active)
            if hours > coach.max_hours_per_month + HOURS_EPS:
                problems.append(
                    f"coach {coach_id}: {month} needs {hours:g} h for {len(active)} candidates,"
                    f" over max_hours_per_month {coach.max_hours_per_month:g}"
                )
    return problems


def check_roster(program: IndependentProgram, roster_csv: Path) -> list[str]:
    """All contract violations of a roster.csv; an empty list means it is valid."""
    header, rows = read_csv_rows(roster_csv)
    missing_cols = [col for col in ROSTER_COLUMNS if col not in header]
    if missing_cols:
        return [f"roster.csv: missing columns {missing_cols}"]
    problems: list[str] = []

    # One row per input candidate, in input order.
    expected = list(program.candidates)
    got = [row["candidate_id"] for row in rows]
    seen: set[str] = set()
    for cid in got:
        if cid in seen:
            problems.append(f"candidate {cid}: more than one roster row")
        seen.add(cid)
        if cid not in program.candidates:
            problems.append(f"candidate {cid!r}: roster row for a candidate not in the input")
    for cid in expected:
        if cid not in seen:
            problems.append(f"candidate {cid}: no roster row")
    if got != expected and not problems:
        first = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
        problems.append(
            f"roster rows not in input order: row {first + 1} is {got[first]}, "
            f"expected {expected[first]}"
        )

    assignment: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        cid, coach_id, status = row["candidate_id"], row["coach_id"], row["status"]
        where = f"roster line {line} (candidate {cid})"
        if status not in ("assigned", "unassigned"):
            problems.append(f"{where}: status {status!r} is not assigned/unassigned")
            continue
        if status == "unassigned":
            if coach_id:
                problems.append(f"{where}: unassigned but coach_id is {coach_id!r}")
            if not row["reason"]:
                problems.append(f"{where}: unassigned without a reason")
            if row["continuity"] and _bool_or_none(row["continuity"]) is not False:
                problems.append(f"{where}: unassigned but continuity is {row['continuity']!r}")
            continue
        # assigned
        if not coach_id:
            problems.append(f"{where}: assigned but coach_id is empty")
            continue
        if row["reason"]:
            problems.append(f"{where}: assigned but reason is {row['reason']!r}")
        if coach_id not in program.coaches:
            problems.append(f"{where}: coach {coach_id!r} is not in coaches")
            continue
        if cid not in program.candidates:
            continue
        if cid not in assignment:
            assignment[cid] = coach_id
        for broken in why_ineligible(program, coach_id, cid):
            problems.append(f"{where}: pair with coach {coach_id} not eligible: {broken}")
        problems.extend(_value_checks(program, where, coach_id, cid, row))

    problems.extend(coach_load_violations(program, assignment))
    return problems


def _bool_or_none(text: str) -> bool | None:
    try:
        return parse_bool(text)
    except ValueError:
        return None


def _value_checks(
    program: IndependentProgram, where: str, coach_id: str, cid: str, row: dict[str, str]
) -> list[str]:
    """score, travel_km and continuity of one assigned row."""
    problems: list[str] = []
    want_score = pair_score(program, coach_id, cid)
    try:
        score = float(row["score"])
    except ValueError:
        problems.append(f"{where}: score {row['score']!r} is not a number")
    else:
        if abs(score - want_score) > SCORE_TOL + 1e-9:
            problems.append(f"{where}: score {score} but the pair score is {want_score:.4f}")

    km = program.distance_km(coach_id, cid)
    if km is None:
        if row["travel_km"]:
            problems.append(f"{where}: travel_km {row['travel_km']!r} but lat/lon missing")
    else:
        try:
            got_km = float(row["travel_km"])
        except ValueError:
            problems.append(f"{where}: travel_km {row['travel_km']!r}, expected {km:.2f}")
        else:
            if abs(got_km - km) > KM_TOL + 1e-9:
                problems.append(f"{where}: travel_km {got_km} but haversine is {km:.2f}")

    want_cont = coach_id == program.candidates[cid].current_coach_id
    got_cont = _bool_or_none(row["continuity"])
    if got_cont is None or got_cont != want_cont or not row["continuity"]:
        problems.append(
            f"{where}: continuity {row['continuity']!r}, expected {str(want_cont).lower()}"
        )
    return problems


def check_roster_optimal(
    program: IndependentProgram, roster_csv: Path, *, score_tol: float = 1e-3
) -> list[str]:
    """Where a valid roster falls short of the contract's lexicographic optimum; [] = optimal.

    Level by level, as the contract orders them: where ``year2_first`` (the default), the
    year-2 candidates assigned; then the candidates assigned; then the total pair score (to
    ``score_tol``, the roster's scores being rounded). A level above the optimum means the
    roster breaks a rule (check_roster says which) or the optimum is wrong. ``same_site`` is
    not part of this optimum: do not use this check where it is set.
    """
    assignment = roster_assignment(roster_csv)
    best_year2, best_n, best_score, _ = optimum_lexicographic(program)
    year2 = sum(1 for cid in assignment if program.candidates[cid].program_year == 2)
    score = sum(pair_score(program, coach, cid) for cid, coach in assignment.items())
    levels = [("candidates assigned", len(assignment), best_n)]
    if year2_first(program):
        levels.insert(0, ("year-2 candidates assigned", year2, best_year2))
    for name, got, best in levels:
        if got != best:
            return [f"{name}: {got}, the optimum has {best}"]
    if abs(score - best_score) > score_tol:
        return [f"total pair score {score:.4f}, the optimum has {best_score:.4f}"]
    return []
