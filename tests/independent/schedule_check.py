"""Check a schedule.csv against the contract's schedule rules, independently of the tool.

Each violation is one readable line naming the candidate, the date and the rule, e.g.
``candidate K1, 2026-11-26 09:00-10:00 (coach C1): blackout: ...``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .program import IndependentProgram, Window, fmt_hhmm, haversine_km, parse_hhmm
from .roster_check import read_csv_rows, roster_assignment

SCHEDULE_COLUMNS = ("candidate_id", "coach_id", "date", "start", "end", "minutes", "location")
HOURS_EPS = 1e-6  # float slack when adding up hours
TRAVEL_EPS_MIN = 1e-6  # travel time is checked to the minute, exactly

YEAR = "year"
"""Exemption month token: the candidate's yearly minimum is declared unmeetable."""
ALL = "*"
"""Exemption month token: every minimum (monthly and yearly) of the candidate is exempt."""


@dataclass
class Session:
    """One parsed schedule row."""

    line: int
    candidate_id: str
    coach_id: str
    date: dt.date
    start: int  # minutes after midnight
    end: int
    location: str

    @property
    def month(self) -> str:
        """``YYYY-MM`` of the session date."""
        return self.date.isoformat()[:7]

    @property
    def hours(self) -> float:
        """Session length in hours."""
        return (self.end - self.start) / 60

    def label(self) -> str:
        """How messages name the session: candidate, date, time, coach."""
        return (
            f"candidate {self.candidate_id}, {self.date.isoformat()} "
            f"{fmt_hhmm(self.start)}-{fmt_hhmm(self.end)} (coach {self.coach_id})"
        )


def _inside_windows(windows: list[Window], weekday: int, start: int, end: int) -> bool:
    """A side with no windows is free all day; otherwise one window must hold the session."""
    if not windows:
        return True
    return any(wd == weekday and ws <= start and end <= we for wd, ws, we in windows)


def _parse_rows(
    rows: list[dict[str, str]], program: IndependentProgram, problems: list[str]
) -> list[Session]:
    """Parse rows, reporting rows that cannot be read at all (those are left out)."""
    sessions: list[Session] = []
    for line, row in enumerate(rows, start=2):
        cid, coach_id = row["candidate_id"], row["coach_id"]
        where = f"schedule line {line} (candidate {cid}, {row['date']})"
        try:
            date = dt.date.fromisoformat(row["date"])
            start, end = parse_hhmm(row["start"]), parse_hhmm(row["end"])
        except ValueError as err:
            problems.append(f"{where}: format: unreadable date/start/end: {err}")
            continue
        if cid not in program.candidates:
            problems.append(f"{where}: unknown candidate_id")
            continue
        if coach_id not in program.coaches:
            problems.append(f"{where}: unknown coach_id {coach_id!r}")
            continue
        session = Session(line, cid, coach_id, date, start, end, row["location"])
        try:
            minutes = int(float(row["minutes"]))
        except ValueError:
            problems.append(f"{session.label()}: format: minutes {row['minutes']!r}")
        else:
            if minutes != end - start:
                problems.append(
                    f"{session.label()}: format: minutes {minutes} is not end - start "
                    f"= {end - start}"
                )
        if end <= start:
            problems.append(f"{session.label()}: format: session ends before it starts")
            continue
        sessions.append(session)
    return sessions


def _session_rules(
    program: IndependentProgram, s: Session, assignment: dict[str, str]
) -> list[str]:
    """Rules a session breaks on its own (calendar, length, windows, site, start month)."""
    problems: list[str] = []
    label = s.label()
    coach = program.coaches[s.coach_id]
    cand = program.candidates[s.candidate_id]
    if assignment.get(s.candidate_id) != s.coach_id:
        problems.append(f"{label}: pair: not an assigned pair of the roster")
    if s.month not in program.months:
        problems.append(f"{label}: program months: {s.month} is not a program month")
    weekday = s.date.weekday()
    if weekday not in program.weekdays:
        problems.append(f"{label}: weekday: {s.date.strftime('%a')} is not an allowed weekday")
    if s.date in program.blackout_days:
        problems.append(f"{label}: blackout: {s.date.isoformat()} is a blackout day")
    if s.date in program.meeting_days:
        problems.append(f"{label}: coach meeting: {s.date.isoformat()} is a coach-meeting day")
    if s.end - s.start not in program.session_minutes:
        problems.append(
            f"{label}: session length: {s.end - s.start} min is not one of "
            f"{program.session_minutes}"
        )
    if s.start < program.day_start or s.end > program.day_end:
        problems.append(
            f"{label}: day hours: outside {fmt_hhmm(program.day_start)}-{fmt_hhmm(program.day_end)}"
        )
    if not _inside_windows(coach.available, weekday, s.start, s.end):
        problems.append(f"{label}: coach availability: outside the coach's windows")
    if not _inside_windows(cand.available, weekday, s.start, s.end):
        problems.append(f"{label}: candidate availability: outside the candidate's windows")
    if s.location != cand.site:
        problems.append(f"{label}: location: {s.location!r} is not the site {cand.site!r}")
    if cand.start_month is not None and s.month < cand.start_month:
        problems.append(f"{label}: start month: before the candidate's start {cand.start_month}")
    return problems


def _overlaps(sessions: list[Session], who: str, *, skip_same_coach: bool = False) -> list[str]:
    """Every pair of sessions of one person on one day that overlap (touching is fine).

    ``skip_same_coach``: for a candidate's day, a clash of two sessions with one coach is
    already reported as that coach's overlap, so it is not reported twice.
    """
    problems: list[str] = []
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            if skip_same_coach and a.coach_id == b.coach_id:
                continue
            if a.start < b.end and b.start < a.end:
                other = f"coach {a.coach_id}" if skip_same_coach else f"candidate {a.candidate_id}"
                problems.append(
                    f"{b.label()}: overlap: {who} already has "
                    f"{fmt_hhmm(a.start)}-{fmt_hhmm(a.end)} with {other}"
                )
    return problems


def _travel(program: IndependentProgram, day_sessions: list[Session]) -> list[str]:
    """Every two sessions of one coach on one day leave km / travel_kmh between them.

    The distance is the two candidates' own lat/lon (the contract measures between the two
    candidates' sites), so two candidates who share a site *name* at different coordinates
    still need the travel time, and identical coordinates need none. Every two sessions are
    checked, not only consecutive ones: a session in between whose candidate has no
    coordinates must not hide the hop around it.
    """
    problems: list[str] = []
    kmh = float(program.config["coaching"]["travel_kmh"])
    ordered = sorted(day_sessions, key=lambda s: (s.start, s.end))
    for a, b in itertools.combinations(ordered, 2):
        if b.start < a.end:
            continue  # an overlap, reported as such
        ka, kb = program.candidates[a.candidate_id], program.candidates[b.candidate_id]
        if ka.lat is None or ka.lon is None or kb.lat is None or kb.lon is None:
            continue
        km = haversine_km(ka.lat, ka.lon, kb.lat, kb.lon)
        need = km / kmh * 60 if kmh > 0 else 0.0
        gap = b.start - a.end
        if gap < need - TRAVEL_EPS_MIN:
            problems.append(
                f"{b.label()}: travel time: {gap} min after the session with candidate "
                f"{a.candidate_id} ends, but {km:.1f} km at {kmh:g} km/h needs {need:.1f} min"
            )
    return problems


def check_schedule(
    program: IndependentProgram,
    roster_csv: Path,
    schedule_csv: Path,
    exempt: Iterable[tuple[str, str]] | None = None,
) -> list[str]:
    """All contract violations of a schedule.csv for the roster's assigned pairs.

    ``exempt`` holds ``(candidate_id, month)`` pairs the tool declared unmeetable: the
    monthly minimum of that month is not checked. ``month`` may also be ``"year"`` (the
    yearly minimum is not checked) or ``"*"`` (no minimum of that candidate is checked).
    Upper limits (pair and coach hours) and every per-session rule are always checked:
    a schedule can always meet those by leaving sessions out.
    """
    exempt_set = set(exempt or ())
    header, rows = read_csv_rows(schedule_csv)
    missing_cols = [col for col in SCHEDULE_COLUMNS if col not in header]
    if missing_cols:
        return [f"schedule.csv: missing columns {missing_cols}"]
    problems: list[str] = []
    assignment = {
        cid: coach
        for cid, coach in roster_assignment(roster_csv).items()
        if cid in program.candidates and coach in program.coaches
    }
    sessions = _parse_rows(rows, program, problems)

    for s in sessions:
        problems.extend(_session_rules(program, s, assignment))

    by_coach_day: dict[tuple[str, dt.date], list[Session]] = {}
    by_cand_day: dict[tuple[str, dt.date], list[Session]] = {}
    for s in sessions:
        by_coach_day.setdefault((s.coach_id, s.date), []).append(s)
        by_cand_day.setdefault((s.candidate_id, s.date), []).append(s)
    for (coach_id, _), day in by_coach_day.items():
        problems.extend(_overlaps(day, f"coach {coach_id}"))
        problems.extend(_travel(program, day))
    for (cid, _), day in by_cand_day.items():
        problems.extend(_overlaps(day, f"candidate {cid}", skip_same_coach=True))

    problems.extend(_hour_rules(program, sessions, assignment, exempt_set))
    return problems


def _hour_rules(
    program: IndependentProgram,
    sessions: list[Session],
    assignment: dict[str, str],
    exempt: set[tuple[str, str]],
) -> list[str]:
    """Pair minimum/maximum per month, pair yearly minimum, coach monthly maximum."""
    problems: list[str] = []
    coaching = program.config["coaching"]
    min_month = float(coaching["min_hours_per_month"])
    max_pair = float(coaching["max_pair_hours_per_month"])
    min_year = float(coaching["min_hours_per_year"])
    months = program.months

    pair_hours: dict[tuple[str, str], float] = {}  # (candidate, month) -> hours with its coach
    coach_hours: dict[tuple[str, str], float] = {}  # (coach, month) -> hours
    for s in sessions:
        if s.month not in months:
            continue  # reported already; out-of-program hours count for nothing
        key = (s.coach_id, s.month)
        coach_hours[key] = coach_hours.get(key, 0.0) + s.hours
        if assignment.get(s.candidate_id) == s.coach_id:
            pkey = (s.candidate_id, s.month)
            pair_hours[pkey] = pair_hours.get(pkey, 0.0) + s.hours

    for cid, coach_id in assignment.items():
        active = program.active_months(cid)
        for month in months:
            hours = pair_hours.get((cid, month), 0.0)
            where = f"candidate {cid}, {month} (coach {coach_id})"
            if max_pair != 0 and hours > max_pair + HOURS_EPS:
                problems.append(
                    f"{where}: pair hours: {hours:g} h over max_pair_hours_per_month {max_pair:g}"
                )
            if (
                month in active
                and (cid, month) not in exempt
                and (cid, ALL) not in exempt
                and hours < min_month - HOURS_EPS
            ):
                problems.append(
                    f"{where}: monthly minimum: {hours:g} h under min_hours_per_month {min_month:g}"
                )
        if months and (cid, YEAR) not in exempt and (cid, ALL) not in exempt:
            need = min_year * len(active) / len(months)
            total = sum(pair_hours.get((cid, m), 0.0) for m in months)
            if total < need - HOURS_EPS:
                problems.append(
                    f"candidate {cid}, program year (coach {coach_id}): yearly minimum: "
                    f"{total:g} h under {need:g} h ({len(active)} of {len(months)} months)"
                )

    for (coach_id, month), hours in coach_hours.items():
        limit = program.coaches[coach_id].max_hours_per_month
        if limit is not None and hours > limit + HOURS_EPS:
            problems.append(
                f"coach {coach_id}, {month}: coach hours: {hours:g} h over "
                f"max_hours_per_month {limit:g}"
            )
    return problems
