"""One iCalendar (RFC 5545) file per coach, with the icalendar library.

Each session is one event at the candidate's site. Events carry the candidate's name and id,
the site, and nothing else personal. Times are local to the program (America/Los_Angeles by
default), with the time zone definition included so calendar programs place them right.
A session off the standing week says so: its summary starts "Make-up coaching" (or "Coaching
(lengthened)"), its CATEGORIES carry "Make-up" or "Lengthened" (standing ones "Standing"), and
its description explains, so coach and candidate see it is not their usual appointment.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from matcher.problem import ProgramData
from matcher.scheduling.sessions import ScheduleResult
from solvers.scheduling import DATED, LENGTHENED, MAKEUP

PRODID = "-//coachmatch//coaching calendar//EN"
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed: the same input gives the same files
TITLES = {MAKEUP: "Make-up coaching", LENGTHENED: "Coaching (lengthened)", DATED: "Coaching"}
CATEGORIES = {MAKEUP: "Make-up", LENGTHENED: "Lengthened", DATED: "Dated"}
DESCRIPTIONS = {
    MAKEUP: "A one-off make-up session, in addition to the standing appointment, so the "
    "required coaching hours are met.",
    LENGTHENED: "The standing appointment, longer on this date only, so the required "
    "coaching hours are met.",
    DATED: "A session set date by date: this coach's week is too crowded for standing "
    "weekly appointments to meet everyone's required hours, so each date is planned on its own.",
}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "coach"


def write_calendars(
    program: ProgramData,
    schedule: ScheduleResult,
    folder: Path,
    *,
    timezone: str = "America/Los_Angeles",
    redact: bool = False,
) -> list[Path]:
    """``folder/<coach_id>.ics`` for every coach with sessions; returns the files written."""
    zone = ZoneInfo(timezone)
    cands = {k.candidate_id: k for k in program.candidates}
    coaches = {c.coach_id: c for c in program.coaches}
    by_coach: dict[str, list] = {}
    for s in schedule.sessions:
        by_coach.setdefault(s.coach_id, []).append(s)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for coach_id, sessions in sorted(by_coach.items()):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        coach = coaches[coach_id]
        title = coach_id if redact or not coach.name else f"{coach.name} ({coach_id})"
        cal.add("x-wr-calname", f"Coaching sessions: {title}")
        for s in sessions:
            cand = cands[s.candidate_id]
            who = s.candidate_id if redact or not cand.name else f"{cand.name} ({s.candidate_id})"
            event = icalendar.Event()
            event.add("uid", f"{s.candidate_id}-{s.date.isoformat()}-{s.start:04d}@coachmatch")
            event.add("dtstamp", STAMP)
            event.add("summary", f"{TITLES.get(s.kind, 'Coaching')}: {who}")
            event.add("categories", [CATEGORIES.get(s.kind, "Standing")])
            if s.kind in DESCRIPTIONS:
                event.add("description", DESCRIPTIONS[s.kind])
            day = dt.datetime.combine(s.date, dt.time(), tzinfo=zone)
            event.add("dtstart", day + dt.timedelta(minutes=s.start))
            event.add("dtend", day + dt.timedelta(minutes=s.end))
            if s.location:
                event.add("location", s.location)
            cal.add_component(event)
        cal.add_missing_timezones()
        path = folder / f"{_safe(coach_id)}.ics"
        path.write_bytes(cal.to_ical())
        written.append(path)
    return written
