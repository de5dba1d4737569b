"""Coaching begins within 30 days of the candidate's start (CTC standard): who does not, and why.

The scheduler already prefers an early first session (``ScheduleWeights.late_start_day`` past
``start_deadline_days``); this module reports every pair whose first session still falls later
than that after its start — the first day of its ``start_month``, or of the first program month
— and says why, from the calendar facts alone:

- ``no_session``: the pair got no session at all (the short-hours reason says why);
- ``no_common_window``: coach and candidate share no weekly window long enough for a session;
- ``blackout_days``: every date on the pair's common weekdays up to the deadline is a blackout
  or coach-meeting day (or outside the program months), so the first possible date is later;
- ``coach_time_taken``: the pair could have met by the deadline, but the coach's standing week
  put its slot on a later date (the coach's other candidates hold the earlier times).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.policy import WEEKDAYS
from matcher.problem import Candidate, Coach, ProgramData
from matcher.windows import Window, fmt_clock

LATE_START_COLUMNS = [
    "candidate_id",
    "coach_id",
    "start",
    "first_session",
    "days_late",
    "cause",
    "reason",
]


@dataclass(frozen=True)
class LateStart:
    """A pair whose coaching begins more than ``deadline_days`` after its start."""

    candidate_id: str
    coach_id: str
    start: dt.date
    first_session: dt.date | None  # None: no session at all
    days_late: int | None  # days past the deadline; None without a session
    cause: str
    reason: str


def pair_start(program: ProgramData, cand: Candidate) -> dt.date | None:
    """The first day of the candidate's first coached month; None when it starts after the
    program year (then it needs no coaching this year)."""
    months = program.policy.coaching.months
    first = program.first_month_index(cand)
    if first >= len(months):
        return None
    return dt.date.fromisoformat(months[first] + "-01")


def _weekdays(windows: Iterable[Window]) -> str:
    return ", ".join(WEEKDAYS[d] for d in sorted({w.weekday for w in windows}))


def _explain(
    program: ProgramData,
    coach: Coach,
    cand: Candidate,
    start: dt.date,
    first: dt.date,
    deadline: dt.date,
    days: tuple[dt.date, ...],
    first_slot: tuple[int, int],
) -> tuple[str, str]:
    """(cause, sentence) for a pair whose first session ``first`` is after ``deadline``."""
    from matcher.scheduling.sessions import common_windows

    shortest = min(program.policy.coaching.session_minutes)
    windows = [w for w in common_windows(coach, cand, program) if w.end - w.start >= shortest]
    if not windows:
        return "no_common_window", "coach and candidate have no common window for a session"
    weekdays = {w.weekday for w in windows}
    possible = next((d for d in days if d >= start and d.weekday() in weekdays), None)
    if possible is None or possible > deadline:
        closed = program.policy.calendar.closed_days()
        blocked = sorted(d for d in closed if start <= d <= deadline and d.weekday() in weekdays)
        until = f"until {possible.isoformat()}" if possible else "in the program year"
        shown = ", ".join(d.isoformat() for d in blocked[:3]) + (" …" if len(blocked) > 3 else "")
        because = f": {len(blocked)} blackout or meeting days ({shown})" if blocked else ""
        return "blackout_days", (
            f"no coaching day on the pair's common weekdays ({_weekdays(windows)}) {until}{because}"
        )
    weekday, minute = first_slot
    return "coach_time_taken", (
        f"the pair could meet from {possible.isoformat()} ({_weekdays(windows)}), but the "
        f"coach's week holds its standing slot on {WEEKDAYS[weekday]} {fmt_clock(minute)}, "
        f"first used {first.isoformat()}: the earlier times are taken by the coach's other "
        "candidates (or give the pair too few hours)"
    )


def late_starts(
    program: ProgramData,
    assignment: dict[str, str],
    sessions: Iterable,
    short_reasons: dict[str, str],
    days: tuple[dt.date, ...],
) -> tuple[LateStart, ...]:
    """Every assigned pair whose first session is later than the deadline after its start.

    ``sessions``: the schedule's :class:`~matcher.scheduling.sessions.SessionRow` rows;
    ``short_reasons``: candidate id -> a short-hours reason, for pairs without any session;
    ``days``: the program's coaching days (allowed weekdays, no blackout or meeting days).
    """
    limit = program.policy.schedule.start_deadline_days
    first: dict[str, tuple[dt.date, int, int]] = {}
    for s in sessions:
        seen = first.get(s.candidate_id)
        if seen is None or (s.date, s.start) < seen[:2]:
            first[s.candidate_id] = (s.date, s.start, s.date.weekday())
    coaches = {c.coach_id: c for c in program.coaches}
    out = []
    for cand in program.candidates:
        coach_id = assignment.get(cand.candidate_id)
        start = pair_start(program, cand)
        if not coach_id or coach_id not in coaches or start is None:
            continue
        deadline = start + dt.timedelta(days=limit)
        got = first.get(cand.candidate_id)
        if got is None:
            why = short_reasons.get(cand.candidate_id, "no session could be scheduled")
            out.append(
                LateStart(
                    cand.candidate_id,
                    coach_id,
                    start,
                    None,
                    None,
                    "no_session",
                    f"no session scheduled: {why}",
                )
            )
            continue
        day, minute, weekday = got
        if day <= deadline:
            continue
        cause, reason = _explain(
            program, coaches[coach_id], cand, start, day, deadline, days, (weekday, minute)
        )
        out.append(
            LateStart(cand.candidate_id, coach_id, start, day, (day - deadline).days, cause, reason)
        )
    return tuple(out)


def late_start_frame(rows: Iterable[LateStart]):
    """late_start.csv as a table (dates ISO, empty where there is no session)."""
    import pandas as pd

    return pd.DataFrame.from_records(
        [
            (
                r.candidate_id,
                r.coach_id,
                r.start.isoformat(),
                "" if r.first_session is None else r.first_session.isoformat(),
                "" if r.days_late is None else r.days_late,
                r.cause,
                r.reason,
            )
            for r in rows
        ],
        columns=LATE_START_COLUMNS,
    )


def late_start_summary(rows: tuple[LateStart, ...], deadline_days: int) -> dict:
    """What summary.json says of late first sessions."""
    return {
        "deadline_days": deadline_days,
        "count": len(rows),
        "pairs": [
            {
                "candidate_id": r.candidate_id,
                "coach_id": r.coach_id,
                "start": r.start.isoformat(),
                "first_session": None if r.first_session is None else r.first_session.isoformat(),
                "days_late": r.days_late,
                "cause": r.cause,
                "reason": r.reason,
            }
            for r in rows
        ],
    }
