"""Writers for the contract's result files: roster.csv, summary.json, and roster.xlsx.

roster.csv keeps the contract's columns first and in order (outside checkers read them), then
adds columns that help a person: the reason's code and the score's terms.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd

from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.rules.pairs import SCORE_TERMS
from solvers.scheduling import DATED, LENGTHENED, MAKEUP

ROSTER_COLUMNS = [
    "candidate_id",
    "coach_id",
    "status",
    "reason",
    "score",
    "travel_km",
    "continuity",
]


def roster_frame(result: AssignmentResult) -> pd.DataFrame:
    """The roster as a table: the contract's columns, then reason codes and score terms."""
    records = []
    for row in result.rows:
        record = {
            "candidate_id": row.candidate_id,
            "coach_id": row.coach_id,
            "status": row.status,
            "reason": row.reason,
            "score": "" if row.score is None else f"{row.score:.4f}",
            "travel_km": "" if row.travel_km is None else f"{row.travel_km:.2f}",
            "continuity": "true" if row.continuity else "false",
            "reason_code": row.reason_code,
        }
        for term in SCORE_TERMS:
            value = row.terms.get(term)
            record[f"score_{term}"] = "" if value is None else f"{value:.4f}"
        records.append(record)
    columns = [*ROSTER_COLUMNS, "reason_code", *(f"score_{t}" for t in SCORE_TERMS)]
    return pd.DataFrame.from_records(records, columns=columns)


def write_roster_csv(result: AssignmentResult, path: Path) -> pd.DataFrame:
    """roster.csv; returns the table written, for roster.xlsx to reuse."""
    roster = roster_frame(result)
    roster.to_csv(path, index=False)
    return roster


def alternates_frame(result: AssignmentResult) -> pd.DataFrame:
    columns = [
        "candidate_id",
        "rank",
        "coach_id",
        "score",
        "travel_km",
        "coach_load",
        "coach_places",
    ]
    return pd.DataFrame.from_records(
        [
            (
                a.candidate_id,
                a.rank,
                a.coach_id,
                round(a.score, 4),
                None if a.travel_km is None else round(a.travel_km, 2),
                a.coach_load,
                a.coach_places,
            )
            for a in result.alternates
        ],
        columns=columns,
    )


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else round(value, 6)


def summary_dict(program: ProgramData, result: AssignmentResult) -> dict:
    """summary.json: the contract's keys first, then what a coordinator needs to judge the run."""
    loads = [c for c in result.coach_loads if c.places > 0]
    used = sum(c.load for c in loads)
    places = sum(c.places for c in loads)
    wanted = {k.candidate_id for k in program.candidates if k.current_coach_id}
    kept = sum(1 for r in result.rows if r.candidate_id in wanted and r.continuity)
    cost = {c.coach_id: c.cost_per_candidate for c in program.coaches}
    total_cost = sum(cost.get(r.coach_id) or 0.0 for r in result.rows if r.status == "assigned")
    return {
        "status": result.status,
        "objective": _finite(result.objective),
        "bound": _finite(result.bound),
        "gap": _finite(result.gap),
        "assigned": result.assigned,
        "unassigned": result.unassigned,
        "solve_seconds": round(result.solve_seconds, 3),
        "program": str(program.source.resolve()) if program.source else None,
        "year2_first": result.year2_first,
        "year2_candidates": result.year2_candidates,
        "year2_assigned": result.year2_assigned,
        "year2_bound": result.year2_bound,
        "assigned_bound": result.assigned_bound,
        "solver": result.solver,
        "seed": result.seed,
        "candidates": len(program.candidates),
        "coaches": len(program.coaches),
        "eligible_pairs": result.eligible_pairs,
        "components": result.components,
        "unassigned_by_reason": dict(
            sorted(Counter(r.reason_code for r in result.rows if r.status == "unassigned").items())
        ),
        "continuity": {"kept": kept, "of": len(wanted)},
        "utilization": {
            "places_used": used,
            "places": places,
            "share": round(used / places, 4) if places else None,
            "coaches_full": sum(1 for c in loads if c.load >= c.places),
            "coaches_unused": sum(1 for c in loads if c.load == 0),
            "min_load_unmet": [
                c.coach_id for c in result.coach_loads if c.load < min(c.min_load, c.places)
            ],
        },
        "total_cost": round(total_cost, 2),
        "warnings": list(program.warnings),
        "stats": result.stats,
    }


def write_summary(summary: dict, path: Path) -> None:
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")


BY_COACH_THRESHOLD = 60
"""Coaches with candidates up to which roster.xlsx has a sheet per coach; above it, one
"By coach" sheet (1,800 sheets statewide are unusable, and slow to write)."""

BY_COACH_COLUMNS = (
    "coach_id",
    "coach_name",
    "candidate_id",
    "candidate_name",
    "site",
    "role",
    "score",
    "travel_km",
)

_NUMERIC_COLUMNS = ("score", "travel_km")


def score_terms_text(terms: dict[str, float]) -> str:
    """A pair's score, term by term, as a person reads it: the terms that count, largest
    first, e.g. ``continuity +10.00, language +1.00, cpsel +0.67, travel -0.74``.

    roster.xlsx shows this one column where roster.csv has a number column per term (for
    sorting and analysis): seven columns of mostly zeros made every row of the Roster sheet
    and of each coach's sheet too wide to read or print, and were a quarter of a statewide
    workbook's cells."""
    shown = sorted(((t, v) for t, v in terms.items() if round(v, 2)), key=lambda tv: -abs(tv[1]))
    return ", ".join(f"{term} {value:+.2f}" for term, value in shown)


def write_roster_xlsx(
    program: ProgramData,
    result: AssignmentResult,
    summary: dict,
    path: Path,
    redact: bool = False,
    why: pd.DataFrame | None = None,
    roster: pd.DataFrame | None = None,
) -> None:
    """roster.xlsx: a summary sheet, the whole roster, why each candidate has its coach (``why``,
    see :func:`matcher.assignment.why.why_frame`), coach loads, then the candidates by coach
    (:func:`write_coach_sheets`). Text cells are written as text, never as formulas
    (xlsxwriter, through :mod:`matcher.io.xlsx_writer`). ``roster``: :func:`roster_frame` of
    ``result`` where the caller made it already (for roster.csv); it is not changed.

    With ``redact`` every candidate and coach name is replaced by its id (cells and sheet titles).
    """
    from matcher.io.workbook import sheet_title
    from matcher.io.xlsx_writer import TableWorkbook

    roster = roster_frame(result) if roster is None else roster.copy()
    for column in _NUMERIC_COLUMNS:  # numbers in the workbook, not text that looks like one
        roster[column] = pd.to_numeric(roster[column], errors="coerce")
    term_columns = [f"score_{term}" for term in SCORE_TERMS]
    at = roster.columns.get_loc(term_columns[0])
    roster = roster.drop(columns=term_columns)
    roster.insert(at, "score_terms", [score_terms_text(row.terms) for row in result.rows])
    cands = {k.candidate_id: k for k in program.candidates}
    roster.insert(
        1, "candidate_name", [c if redact else cands[c].name for c in roster["candidate_id"]]
    )
    roster.insert(2, "region", [cands[c].region for c in roster["candidate_id"]])
    roster.insert(3, "role", [cands[c].role for c in roster["candidate_id"]])
    roster.insert(4, "site", [cands[c].site for c in roster["candidate_id"]])
    overview = pd.DataFrame(
        [(k, v) for k, v in summary.items() if not isinstance(v, dict | list)],
        columns=["figure", "value"],
    )
    names = {c.coach_id: c.coach_id if redact else c.name for c in program.coaches}
    loads = pd.DataFrame(
        [(c.coach_id, names[c.coach_id], c.load, c.places, c.capacity) for c in result.coach_loads],
        columns=["coach_id", "coach_name", "load", "places", "capacity"],
    )
    taken: set[str] = set()
    with TableWorkbook(path) as book:
        book.add_table(sheet_title("Summary", taken), overview, filterable=False)
        book.add_table(sheet_title("Roster", taken), roster)
        if why is not None:
            book.add_table(sheet_title("Why", taken), _why_sheet(why, result))
        book.add_table(sheet_title("Coaches", taken), loads)
        write_coach_sheets(book, roster, names, taken, redact=redact)


WHY_SHEET_ALL_ROWS = 5_000
"""Above this many why.csv rows the workbook's Why sheet keeps the unassigned candidates only
(every candidate stays in why.csv and ``coachmatch explain``): at state size the full table is
~43,000 rows that no one reads in a spreadsheet, and writing them doubled the workbook's time."""


def _why_sheet(why: pd.DataFrame, result: AssignmentResult) -> pd.DataFrame:
    """The Why sheet: every row for a small program; for a large one, the unassigned
    candidates' rows (why no coach), under a first row that says where the rest are."""
    if len(why) <= WHY_SHEET_ALL_ROWS:
        return why
    unassigned = {r.candidate_id for r in result.rows if r.status == "unassigned"}
    kept = why[why["candidate_id"].isin(unassigned)]
    note = {column: "" for column in why.columns}
    note[why.columns[0]] = (
        f"Unassigned candidates only ({len(kept)} of {len(why)} rows): why.csv and "
        "'coachmatch explain' give every candidate."
    )
    return pd.concat([pd.DataFrame([note]), kept], ignore_index=True)


def write_coach_sheets(
    book, roster: pd.DataFrame, names: dict[str, str], taken: set[str], *, redact: bool
) -> None:
    """The assigned candidates by coach: a sheet per coach for a small program (a coordinator
    prints one per coach), one "By coach" sheet above :data:`BY_COACH_THRESHOLD` coaches:
    sorted and banded by coach, filterable, header frozen.

    The "By coach" sheet repeats only what a coach's list needs (:data:`BY_COACH_COLUMNS`):
    at state size it holds ~10,000 rows and every repeated column costs ~0.04 s of writing;
    the region, the continuity flag and the score's terms are on the Roster sheet."""
    from matcher.io.workbook import sheet_title

    assigned = roster[roster["status"] == "assigned"]
    groups = assigned.groupby("coach_id", sort=True)
    if groups.ngroups <= BY_COACH_THRESHOLD:
        for coach_id, part in groups:
            title = coach_id if redact else f"{coach_id} {names.get(coach_id, '')}".strip()
            book.add_table(sheet_title(title, taken), part)
        return
    table = assigned.assign(coach_name=assigned["coach_id"].map(names))[list(BY_COACH_COLUMNS)]
    table = table.sort_values("coach_id", kind="stable")
    band = (table["coach_id"] != table["coach_id"].shift()).cumsum() % 2 == 0
    book.add_table(sheet_title("By coach", taken), table, band=band.tolist())


def schedule_frame(schedule) -> pd.DataFrame:
    """schedule.csv: the contract's columns, one row per session, by coach, date and time;
    then ``kind`` (an addition): ``standing``, ``make-up`` or ``lengthened``."""
    from matcher.windows import fmt_clock

    return pd.DataFrame.from_records(
        [
            (
                s.candidate_id,
                s.coach_id,
                s.date.isoformat(),
                fmt_clock(s.start),
                fmt_clock(s.end),
                s.minutes,
                s.location,
                s.kind,
            )
            for s in schedule.sessions
        ],
        columns=["candidate_id", "coach_id", "date", "start", "end", "minutes", "location", "kind"],
    )


def shortfall_frame(schedule) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            (
                f.candidate_id,
                f.coach_id,
                f.month,
                round(f.scheduled_hours, 2),
                round(f.required_hours, 2),
                f.cause,
                f.reason,
            )
            for f in schedule.shortfalls
        ],
        columns=[
            "candidate_id",
            "coach_id",
            "month",
            "scheduled_hours",
            "required_hours",
            "cause",
            "reason",
        ],
    )


def schedule_summary(schedule, deadline_days: int = 30) -> dict:
    """What summary.json says of the calendar: totals, short pair-months, first sessions past
    the start deadline (``deadline_days``), per-coach times."""
    from matcher.scheduling.late_start import late_start_summary

    by_pair = schedule.hours_by_pair_month()
    return {
        "sessions": len(schedule.sessions),
        "hours": round(sum(s.minutes for s in schedule.sessions) / 60, 2),
        "makeup_sessions": sum(s.kind == MAKEUP for s in schedule.sessions),
        "lengthened_sessions": sum(s.kind == LENGTHENED for s in schedule.sessions),
        "dated_sessions": sum(s.kind == DATED for s in schedule.sessions),
        "pair_months_short": [
            {
                "candidate_id": f.candidate_id,
                "coach_id": f.coach_id,
                "month": f.month,
                "scheduled_hours": round(f.scheduled_hours, 2),
                "required_hours": round(f.required_hours, 2),
                "cause": f.cause,
                "reason": f.reason,
            }
            for f in schedule.shortfalls
        ],
        "hours_by_pair_month": {
            k: {m: round(h, 2) for m, h in sorted(v.items())} for k, v in sorted(by_pair.items())
        },
        "coach_solve_seconds": {c.coach_id: round(c.solve_seconds, 4) for c in schedule.coaches},
        "coach_status": {c.coach_id: c.status for c in schedule.coaches},
        "seconds": round(schedule.seconds, 3),
        "late_start": late_start_summary(schedule.late_starts, deadline_days),
        **schedule.stats,
    }


def _redact_book(book, program: ProgramData) -> None:
    """Replace every candidate and coach name in a workbook (cells, sheet titles) by its id."""
    ids = {k.name: k.candidate_id for k in program.candidates if k.name}
    ids.update({c.name: c.coach_id for c in program.coaches if c.name})
    coach_ids = {c.coach_id for c in program.coaches}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in ids:
                    cell.value = ids[cell.value]
        head = sheet.title.split(" ", 1)[0]
        if head in coach_ids and sheet.title != head and head not in book.sheetnames:
            sheet.title = head


def add_schedule_sheet(
    xlsx_in: Path | None,
    schedule,
    xlsx_out: Path,
    *,
    program: ProgramData | None = None,
    redact: bool = False,
) -> None:
    """Copy roster.xlsx (if any) with a Schedule sheet (and Short hours, if any) added.

    With ``redact`` (and ``program``) names left in the copied workbook become ids.
    """
    from openpyxl import Workbook, load_workbook

    from matcher.io.workbook import keep_text_as_text

    book = load_workbook(xlsx_in) if xlsx_in and xlsx_in.exists() else Workbook()
    if xlsx_in is None or not xlsx_in.exists():
        book.remove(book.active)
    if redact and program is not None:
        _redact_book(book, program)
    added: list[str] = []
    for title, frame in (
        ("Schedule", schedule_frame(schedule)),
        ("Short hours", shortfall_frame(schedule)),
    ):
        if title in book.sheetnames:
            book.remove(book[title])
        if title == "Short hours" and frame.empty:
            continue
        sheet = book.create_sheet(title)
        added.append(title)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    # the sheets added here, and all of them where redaction rewrote cells
    keep_text_as_text(book.worksheets if redact else [book[t] for t in added])
    book.save(xlsx_out)
