"""``coachmatch report``: one self-contained HTML page from a result folder.

The page is rendered from ``templates/report.html.j2`` with Jinja2 (autoescape on). Everything is
inline — styles, a small vanilla script that sorts and filters the roster, and the charts, drawn
with matplotlib as SVG by :mod:`matcher.report.charts` — so the file opens offline and prints
cleanly.
Names come from the program folder; with ``redact`` every name is replaced by its id (the
charts show ids only). The same result folder gives a byte-identical page.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import json
import math
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import jinja2

import matcher.report.charts as charts

SCORE_TERMS = (
    "level",
    "language",
    "cpsel",
    "travel",
    "continuity",
    "preference",
    "same_district",
)
BUSY_SHARE = charts.BUSY_SHARE  # coaches above this share of their capacity: (nearly) full


class ReportError(Exception):
    """A result folder the report cannot be built from (a clear message, exit 2)."""


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from exc


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def read_results(result_dir: Path) -> tuple[list[dict], dict, list[dict], list[dict]]:
    """roster rows, summary, alternates rows, schedule rows (the last two may be empty)."""
    if not result_dir.is_dir():
        raise ReportError(f"result folder {result_dir} does not exist")
    roster_path = result_dir / "roster.csv"
    if not roster_path.is_file():
        raise ReportError(f"{roster_path} is missing: run `coachmatch assign` first")
    roster = _read_csv(roster_path)
    missing = [c for c in ("candidate_id", "coach_id", "status") if roster and c not in roster[0]]
    if missing:
        raise ReportError(f"{roster_path} lacks the column(s) {', '.join(missing)}")
    summary_path = result_dir / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"{summary_path} is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"cannot read {summary_path}: {exc}") from exc
    if not isinstance(summary, dict):
        raise ReportError(f"{summary_path} is not a JSON object")
    alternates_path = result_dir / "alternates.csv"
    alternates = _read_csv(alternates_path) if alternates_path.is_file() else []
    schedule_path = result_dir / "schedule.csv"
    sessions = _read_csv(schedule_path) if schedule_path.is_file() else []
    return roster, summary, alternates, sessions


def _load_program(program_dir: Path | None, summary: dict, notes: list[str]):
    """The program named on the command line (must load) or in summary.json (may be gone)."""
    from matcher.errors import InputError
    from matcher.io.loading import load_program

    explicit = program_dir is not None
    if program_dir is None:
        if not summary.get("program"):
            notes.append("No program folder known: names, regions and roles are not shown.")
            return None
        program_dir = Path(summary["program"])
    try:
        return load_program(program_dir)
    except InputError as exc:
        if explicit:
            raise ReportError(exc.render()) from exc
        notes.append(f"The program folder {program_dir} cannot be read: names are not shown.")
        return None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


# --- the report -----------------------------------------------------------------------------------


def _short_with_empty_pairs_first(short: list[dict], sessions: list[dict]) -> list[dict]:
    """Short pair-months with the pair's hours over the year and the cause in plain words;
    pairs with no session at all first (they need a new coach or new windows, not a tweak)."""
    from matcher.scheduling.sessions import CAUSE_WORDS

    def pair(row: dict) -> tuple[str, str]:
        return row.get("candidate_id", ""), row.get("coach_id", "")

    minutes: Counter = Counter()
    for s in sessions:
        minutes[pair(s)] += int(s.get("minutes") or 0)
    rows = [
        {
            **s,
            "pair_hours": round(minutes[pair(s)] / 60, 2),
            "cause_words": CAUSE_WORDS.get(s.get("cause", ""), s.get("cause", "")),
        }
        for s in short
    ]
    return sorted(rows, key=lambda s: s["pair_hours"] > 0)  # stable: months stay in order


def _read_why(result_dir: Path) -> dict[str, list[dict]]:
    """why.csv's rows with an outcome, by candidate: the roster rows' "why not" lists."""
    why_path = result_dir / "why.csv"
    why: dict[str, list[dict]] = defaultdict(list)
    for w in _read_csv(why_path) if why_path.is_file() else []:
        if w.get("outcome"):
            why[w.get("candidate_id", "")].append(w)
    return why


@dataclasses.dataclass(frozen=True)
class _Names:
    """Ids to display names: the program's names, or the id itself when redacted or unknown."""

    cand_info: dict
    coach_info: dict
    redact: bool

    def candidate(self, cid: str) -> str:
        """The candidate's name, or its id (redacted, no program, or no name)."""
        k = self.cand_info.get(cid)
        return cid if self.redact or k is None or not k.name else k.name

    def coach(self, cid: str) -> str:
        """The coach's name, or its id (redacted, no program, or no name)."""
        c = self.coach_info.get(cid)
        return cid if self.redact or c is None or not c.name else c.name


def _roster_rows(roster: list[dict], why: dict[str, list[dict]], names: _Names) -> list[dict]:
    """One display row per roster row, enriched from the program and why.csv: the table, the
    filters and the charts all read these."""
    from matcher.rules.reasons import reason_words

    rows = []
    for r in roster:
        cid, coach = r["candidate_id"], r.get("coach_id", "")
        k = names.cand_info.get(cid)
        rows.append(
            {
                "candidate_id": cid,
                "name": names.candidate(cid),
                "region": k.region if k else "",
                "role": k.role if k else "",
                "year": str(k.program_year) if k else "",
                "coach_id": coach,
                "coach_name": names.coach(coach) if coach else "",
                "status": r.get("status", ""),
                "reason": r.get("reason", ""),
                "reason_code": r.get("reason_code", ""),
                "reason_words": reason_words(r.get("reason_code", "")),
                "score": _fmt(_float(r.get("score")), 3),
                "travel_km": _fmt(_float(r.get("travel_km")), 1),
                "continuity": r.get("continuity", "") == "true",
                "terms": [_fmt(_float(r.get(f"score_{t}")), 2) for t in SCORE_TERMS],
                "why": [
                    {
                        "coach_id": w.get("other_coach_id", ""),
                        "score": _fmt(_float(w.get("other_score")), 2),
                        "outcome": w.get("outcome", ""),
                        "reason": w.get("why_not", ""),
                    }
                    for w in why.get(cid, [])
                ],
            }
        )
    return rows


def _coach_loads(rows: list[dict], names: _Names) -> list[dict]:
    """Each coach's load against capacity (the program's, else the roster's own count), for
    the load chart and the busy list."""
    coach_info, redact = names.coach_info, names.redact
    load = Counter(r["coach_id"] for r in rows if r["status"] == "assigned" and r["coach_id"])
    coach_ids = list(coach_info) if coach_info else sorted(load)
    loads = []
    for cid in coach_ids:
        cap = coach_info[cid].capacity if cid in coach_info else load[cid]
        share = load[cid] / cap if cap else (1.0 if load[cid] else 0.0)
        loads.append(
            {
                "coach_id": cid,
                "name": names.coach(cid),
                "load": load[cid],
                "capacity": cap,
                "share": share,
                "busy": share > BUSY_SHARE,
                "region": coach_info[cid].region if cid in coach_info else "",
                "label": cid if redact or names.coach(cid) == cid else f"{cid} {names.coach(cid)}",
            }
        )
    return loads


def _with_names(items: list[dict], names: _Names) -> list[dict]:
    """Schedule entries (short months, late starts) with the pair's display names added."""
    return [
        {
            **s,
            "candidate_name": names.candidate(s.get("candidate_id", "")),
            "coach_name": names.coach(s.get("coach_id", "")),
        }
        for s in items
    ]


@dataclasses.dataclass(frozen=True)
class _ScheduleParts:
    """The schedule's part of the page: None/empty when the result has no schedule block."""

    sched: dict | None
    short: list[dict]
    late: list[dict]
    hours: float | None
    required: float | None


def _schedule_parts(
    summary: dict, sessions: list[dict], program, rows: list[dict], names: _Names
) -> _ScheduleParts:
    """Planned hours against required, short pair-months (empty pairs first) and late
    starts, read from summary.json's ``schedule`` block and schedule.csv."""
    sched = summary.get("schedule") if isinstance(summary.get("schedule"), dict) else None
    if sched is None:
        return _ScheduleParts(None, [], [], None, None)
    hours = sched.get("hours")
    if hours is None and sessions:
        hours = round(sum(int(s.get("minutes") or 0) for s in sessions) / 60, 2)
    short = _with_names(sched.get("pair_months_short", []) or [], names)
    short = _short_with_empty_pairs_first(short, sessions)
    late = _with_names((sched.get("late_start") or {}).get("pairs", []) or [], names)
    required = _required_hours(program, rows) if program is not None else None
    return _ScheduleParts(sched, short, late, hours, required)


def _unassigned(rows: list[dict], alternates: list[dict], names: _Names) -> list[dict]:
    """Rows not assigned, each with its alternates (from alternates.csv) to act on."""
    alts = defaultdict(list)
    for a in alternates:
        alts[a.get("candidate_id", "")].append(
            {
                "rank": a.get("rank", ""),
                "coach_id": a.get("coach_id", ""),
                "coach_name": names.coach(a.get("coach_id", "")),
                "score": _fmt(_float(a.get("score")), 3),
                "travel_km": _fmt(_float(a.get("travel_km")), 1),
                "load": a.get("coach_load", ""),
                "places": a.get("coach_places", ""),
            }
        )
    return [
        {**r, "alternates": alts.get(r["candidate_id"], [])}
        for r in rows
        if r["status"] != "assigned"
    ]


def _map_points(names: _Names) -> list[dict]:
    """The map gets ids' places only: where and which region, never a name."""
    return [
        {"kind": "candidate", "lat": k.lat, "lon": k.lon, "region": k.region}
        for k in names.cand_info.values()
    ] + [
        {"kind": "coach", "lat": c.lat, "lon": c.lon, "region": c.region}
        for c in names.coach_info.values()
    ]


def _headline(summary: dict, rows: list[dict], parts: _ScheduleParts, busy: int) -> dict:
    """The figures at the top of the page: summary.json's counts where it has them, else the
    roster's own, plus the schedule's shortfalls and the plan block."""
    from matcher.rules.reasons import reason_words

    short = parts.short
    assigned = summary.get("assigned", sum(r["status"] == "assigned" for r in rows))
    unassigned_n = summary.get("unassigned", len(rows) - assigned)
    return {
        "assigned": assigned,
        "candidates": assigned + unassigned_n,
        "status": summary.get("status", "unknown"),
        "gap": summary.get("gap"),
        "unassigned": unassigned_n,
        "pair_months_short": len(short),
        "pairs_short": len({(s["candidate_id"], s["coach_id"]) for s in short}),
        "pairs_without_hours": len(
            {(s["candidate_id"], s["coach_id"]) for s in short if s["pair_hours"] == 0}
        ),
        "late_starts": len(parts.late),
        "deadline_days": ((parts.sched or {}).get("late_start") or {}).get("deadline_days", 30),
        "coaches_busy": busy,
        "unassigned_by_reason": [
            (reason_words(code), n)
            for code, n in (summary.get("unassigned_by_reason") or {}).items()
        ],
        "hours": parts.hours,
        "required": parts.required,
        "plan": _plan_headline(summary.get("plan")),
    }


def _filters(rows: list[dict]) -> dict:
    """The roster table's filter choices: the values that actually occur, sorted."""
    return {
        "region": sorted({r["region"] for r in rows if r["region"]}),
        "coach": sorted({(r["coach_id"], r["coach_name"]) for r in rows if r["coach_id"]}),
        "role": sorted({r["role"] for r in rows if r["role"]}),
        "year": sorted({r["year"] for r in rows if r["year"]}),
        "status": sorted({r["status"] for r in rows if r["status"]}),
    }


def _charts(rows: list[dict], loads: list[dict], sessions: list[dict], program, names) -> dict:
    """The charts: inline <svg> markup from matcher.report.charts, or None (the template says
    why); the program-only ones need coordinates and regions."""
    distances = [_float(r["travel_km"]) for r in rows if r["status"] == "assigned"]
    return {
        "load_chart": charts.load_chart(loads),
        "load_histogram": len(loads) > charts.MAX_LOAD_BARS,
        "n_coaches": len(loads),
        "coverage_chart": charts.coverage_chart(rows) if program else None,
        "travel_chart": charts.travel_chart([d for d in distances if d is not None]),
        "map_chart": charts.map_chart(_map_points(names)) if program else None,
        "session_heatmap": charts.session_heatmap(
            sessions, program.policy.coaching.months if program else ()
        ),
    }


def build_context(result_dir: Path, program_dir: Path | None = None, redact: bool = False) -> dict:
    """Everything the template shows, as plain values."""
    roster, summary, alternates, sessions = read_results(result_dir)
    why = _read_why(result_dir)
    notes: list[str] = []
    program = _load_program(program_dir, summary, notes)
    names = _Names(
        {k.candidate_id: k for k in program.candidates} if program else {},
        {c.coach_id: c for c in program.coaches} if program else {},
        redact,
    )
    rows = _roster_rows(roster, why, names)
    loads = _coach_loads(rows, names)
    busy = [c for c in loads if c["busy"]]
    parts = _schedule_parts(summary, sessions, program, rows, names)
    unassigned = _unassigned(rows, alternates, names)
    return {
        "title": f"coachmatch report — {result_dir.resolve().name}",
        "written": _written(result_dir),
        "result_dir": str(result_dir),
        "program": summary.get("program"),
        "redact": redact,
        "headline": _headline(summary, rows, parts, len(busy)),
        "summary": summary,
        "has_schedule": parts.sched is not None,
        "rows": rows,
        "terms": SCORE_TERMS,
        "filters": _filters(rows),
        "busy": busy,
        "unassigned": unassigned,
        "has_alternates": bool(alternates),
        "short": parts.short,
        "late": parts.late,
        "warnings": list(summary.get("warnings") or []),
        "notes": notes,
        "has_program": program is not None,
        "sessions": len(sessions),
        **_charts(rows, loads, sessions, program, names),
    }


def _written(result_dir: Path) -> str:
    """When the results were last written (not the clock now, so one folder gives one page)."""
    files = ("roster.csv", "summary.json", "alternates.csv", "schedule.csv")
    stamps = [(result_dir / f).stat().st_mtime for f in files if (result_dir / f).is_file()]
    return dt.datetime.fromtimestamp(max(stamps)).strftime("%Y-%m-%d %H:%M") if stamps else ""


def _required_hours(program, rows: list[dict]) -> float:
    """The minimum coaching hours of every assigned pair over the year (the contract's rule,
    :meth:`matcher.problem.ProgramData.required_hours`)."""
    cands = {k.candidate_id: k for k in program.candidates}
    total = sum(
        program.required_hours(cands[r["candidate_id"]])
        for r in rows
        if r["status"] == "assigned" and r["candidate_id"] in cands
    )
    return round(total, 2)


def _plan_headline(plan: object) -> dict | None:
    """A plan's proven bound beside what it schedules, when summary.json has one."""
    if not isinstance(plan, dict) or plan.get("bound") is None:
        return None
    return {
        "bound": plan["bound"],
        "scheduled": plan.get("scheduled"),
        "candidates": plan.get("candidates"),
        "gap": plan.get("gap"),
        "proven": bool(plan.get("bound_proven")),
        "continuity": plan.get("continuity") or {},
        "rounds": len(plan.get("rounds") or []),
        "paper_assigned": plan.get("paper_assigned"),
    }


def render(context: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matcher.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**context)


def write_atomic(text: str, path: Path) -> None:
    """Write to a temporary file beside ``path``, then replace ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; a report is not
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def make_report(
    result_dir: Path,
    program_dir: Path | None = None,
    out: Path | None = None,
    redact: bool = False,
) -> Path:
    """Build the report of ``result_dir`` and write it (default ``result_dir/report.html``)."""
    html = render(build_context(result_dir, program_dir, redact))
    target = out if out is not None else result_dir / "report.html"
    try:
        write_atomic(html, target)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}") from exc
    return target


WHATIF_CHARTS = (
    ("comparison.png", "Assigned and unassigned candidates per scenario"),
    ("coverage_by_region.png", "Share of each region's candidates assigned"),
    ("utilization_by_region.png", "Share of coach places used, by the coaches' home region"),
)
_HIGHER_IS_BETTER = {
    "assigned": True,
    "unassigned": False,
    "continuity_kept": True,
    "total_cost": False,
    "travel_km_mean": False,
    "objective": True,
}


def _share_as_percent(column: str, text: str) -> str:
    """comparison.csv keeps shares as fractions; the page shows them as percentages."""
    from matcher.forecast.whatif import SHARE_COLUMNS

    value = _float(text) if column in SHARE_COLUMNS else None
    return text if value is None else f"{value:.1%}"


def make_whatif_report(result_dir: Path) -> Path:
    """``report.html`` of a ``whatif`` result folder: the scenarios side by side, baseline
    first, changes against it coloured, and the charts embedded (no network needed)."""
    import base64
    import datetime as dt

    rows = _read_csv(result_dir / "comparison.csv")
    if not rows:
        raise ReportError(f"{result_dir / 'comparison.csv'}: missing or empty")
    columns = list(rows[0])
    base = rows[0]
    table = []
    for row in rows:
        cells = []
        for col in columns:
            text, tone = _share_as_percent(col, row[col]), ""
            if row is not base and col in _HIGHER_IS_BETTER:
                now, was = _float(row[col]), _float(base[col])
                if now is not None and was is not None and now != was:
                    tone = "better" if (now > was) == _HIGHER_IS_BETTER[col] else "worse"
            cells.append({"text": text, "tone": tone})
        table.append(cells)
    charts = [
        {"title": title, "data": base64.b64encode((result_dir / name).read_bytes()).decode()}
        for name, title in WHATIF_CHARTS
        if (result_dir / name).is_file()
    ]
    html = (
        jinja2.Environment(
            loader=jinja2.PackageLoader("matcher.report", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        .get_template("whatif.html.j2")
        .render(
            folder=str(result_dir),
            generated=dt.date.today().isoformat(),
            columns=columns,
            rows=table,
            regions=_read_csv(result_dir / "comparison_by_region.csv"),
            charts=charts,
        )
    )
    target = result_dir / "report.html"
    try:
        write_atomic(html, target)
    except OSError as exc:
        raise ReportError(f"cannot write {target}: {exc}") from exc
    return target
