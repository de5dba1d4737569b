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


def build_context(result_dir: Path, program_dir: Path | None = None, redact: bool = False) -> dict:
    """Everything the template shows, as plain values."""
    from matcher.rules.reasons import reason_words

    roster, summary, alternates, sessions = read_results(result_dir)
    why_path = result_dir / "why.csv"
    why = defaultdict(list)
    for w in _read_csv(why_path) if why_path.is_file() else []:
        if w.get("outcome"):
            why[w.get("candidate_id", "")].append(w)
    notes: list[str] = []
    program = _load_program(program_dir, summary, notes)
    cand_info = {k.candidate_id: k for k in program.candidates} if program else {}
    coach_info = {c.coach_id: c for c in program.coaches} if program else {}

    def cand_name(cid: str) -> str:
        k = cand_info.get(cid)
        return cid if redact or k is None or not k.name else k.name

    def coach_name(cid: str) -> str:
        c = coach_info.get(cid)
        return cid if redact or c is None or not c.name else c.name

    rows = []
    for r in roster:
        cid, coach = r["candidate_id"], r.get("coach_id", "")
        k = cand_info.get(cid)
        rows.append(
            {
                "candidate_id": cid,
                "name": cand_name(cid),
                "region": k.region if k else "",
                "role": k.role if k else "",
                "year": str(k.program_year) if k else "",
                "coach_id": coach,
                "coach_name": coach_name(coach) if coach else "",
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

    # coach load against capacity: capacity from the program, else the roster's own count
    load = Counter(r["coach_id"] for r in rows if r["status"] == "assigned" and r["coach_id"])
    coach_ids = list(coach_info) if coach_info else sorted(load)
    loads = []
    for cid in coach_ids:
        cap = coach_info[cid].capacity if cid in coach_info else load[cid]
        share = load[cid] / cap if cap else (1.0 if load[cid] else 0.0)
        loads.append(
            {
                "coach_id": cid,
                "name": coach_name(cid),
                "load": load[cid],
                "capacity": cap,
                "share": share,
                "busy": share > BUSY_SHARE,
                "region": coach_info[cid].region if cid in coach_info else "",
                "label": cid if redact or coach_name(cid) == cid else f"{cid} {coach_name(cid)}",
            }
        )
    busy = [c for c in loads if c["busy"]]

    # schedule: planned hours against required
    sched = summary.get("schedule") if isinstance(summary.get("schedule"), dict) else None
    short, late = [], []
    hours = required = None
    if sched is not None:
        hours = sched.get("hours")
        if hours is None and sessions:
            hours = round(sum(int(s.get("minutes") or 0) for s in sessions) / 60, 2)
        for s in sched.get("pair_months_short", []) or []:
            short.append(
                {
                    **s,
                    "candidate_name": cand_name(s.get("candidate_id", "")),
                    "coach_name": coach_name(s.get("coach_id", "")),
                }
            )
        short = _short_with_empty_pairs_first(short, sessions)
        for s in (sched.get("late_start") or {}).get("pairs", []) or []:
            late.append(
                {
                    **s,
                    "candidate_name": cand_name(s.get("candidate_id", "")),
                    "coach_name": coach_name(s.get("coach_id", "")),
                }
            )
        if program is not None:
            required = _required_hours(program, rows)

    # unassigned, with alternates
    alts = defaultdict(list)
    for a in alternates:
        alts[a.get("candidate_id", "")].append(
            {
                "rank": a.get("rank", ""),
                "coach_id": a.get("coach_id", ""),
                "coach_name": coach_name(a.get("coach_id", "")),
                "score": _fmt(_float(a.get("score")), 3),
                "travel_km": _fmt(_float(a.get("travel_km")), 1),
                "load": a.get("coach_load", ""),
                "places": a.get("coach_places", ""),
            }
        )
    unassigned = [
        {**r, "alternates": alts.get(r["candidate_id"], [])}
        for r in rows
        if r["status"] != "assigned"
    ]

    # the map gets ids' places only: where and which region, never a name
    points = [
        {"kind": "candidate", "lat": k.lat, "lon": k.lon, "region": k.region}
        for k in cand_info.values()
    ] + [
        {"kind": "coach", "lat": c.lat, "lon": c.lon, "region": c.region}
        for c in coach_info.values()
    ]
    distances = [_float(r["travel_km"]) for r in rows if r["status"] == "assigned"]

    assigned = summary.get("assigned", sum(r["status"] == "assigned" for r in rows))
    unassigned_n = summary.get("unassigned", len(rows) - assigned)
    headline = {
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
        "late_starts": len(late),
        "deadline_days": ((sched or {}).get("late_start") or {}).get("deadline_days", 30),
        "coaches_busy": len(busy),
        "unassigned_by_reason": [
            (reason_words(code), n)
            for code, n in (summary.get("unassigned_by_reason") or {}).items()
        ],
        "hours": hours,
        "required": required,
        "plan": _plan_headline(summary.get("plan")),
    }
    return {
        "title": f"coachmatch report — {result_dir.resolve().name}",
        "written": _written(result_dir),
        "result_dir": str(result_dir),
        "program": summary.get("program"),
        "redact": redact,
        "headline": headline,
        "summary": summary,
        "has_schedule": sched is not None,
        "rows": rows,
        "terms": SCORE_TERMS,
        "filters": {
            "region": sorted({r["region"] for r in rows if r["region"]}),
            "coach": sorted({(r["coach_id"], r["coach_name"]) for r in rows if r["coach_id"]}),
            "role": sorted({r["role"] for r in rows if r["role"]}),
            "year": sorted({r["year"] for r in rows if r["year"]}),
            "status": sorted({r["status"] for r in rows if r["status"]}),
        },
        "busy": busy,
        "unassigned": unassigned,
        "has_alternates": bool(alternates),
        "short": short,
        "late": late,
        "warnings": list(summary.get("warnings") or []),
        "notes": notes,
        "has_program": program is not None,
        "sessions": len(sessions),
        # charts: inline <svg> markup from matcher.report.charts, or None (the template says why)
        "load_chart": charts.load_chart(loads),
        "load_histogram": len(loads) > charts.MAX_LOAD_BARS,
        "n_coaches": len(loads),
        "coverage_chart": charts.coverage_chart(rows) if program else None,
        "travel_chart": charts.travel_chart([d for d in distances if d is not None]),
        "map_chart": charts.map_chart(points) if program else None,
        "session_heatmap": charts.session_heatmap(
            sessions, program.policy.coaching.months if program else ()
        ),
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
