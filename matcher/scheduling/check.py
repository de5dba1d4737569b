"""The schedule's hard rules, checked on the final rows of a whole program before they are
written: one checker for every command that writes a calendar (``schedule``, ``plan``) and for
the tests of production code.

WHY a second check after the scheduler's own (:func:`solvers.scheduling.find_violations`):
the scheduler checks each coach's calendar against the *translated* problem (its travel matrix,
its windows), so a mistake in the translation is invisible to it — issue 12's 20 sessions
without travel time between two sites 13 km apart came from such a mistake. This checker reads
only the program (the contract's rules, coordinates, windows, calendar) and the final rows, so
whatever produced the rows — standing slots, make-up sessions, an edited roster — it judges
them as the contract does. Every session is an ordinary session on its date: travel and
overlap are checked between every two sessions of a date, not only consecutive ones.

Hour *minimums* are not hard rules here: an unmet minimum is reported with its reason
(short_hours.csv), not refused. Everything a calendar can always satisfy by leaving a session
out is hard: the calendar, lengths, day hours, windows, start month, overlaps, travel, and the
pair's and the coach's monthly maximums.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from matcher.errors import ScheduleRuleError
from matcher.policy import WEEKDAYS
from matcher.problem import Candidate, Coach, ProgramData
from matcher.windows import Window, clip, fmt_clock
from solvers.geo import haversine_km

TRAVEL_TOLERANCE_MINUTES = 1e-6
"""Float slack on ``km / kmh``: a gap is short only when it misses by more than this."""
HOURS_TOLERANCE_MINUTES = 1e-6

# Rule names, as messages and tests name them.
PAIR = "pair"
MONTH = "program month"
WEEKDAY = "weekday"
BLACKOUT = "blackout"
MEETING = "coach meeting"
LENGTH = "session length"
DAY_HOURS = "day hours"
COACH_WINDOW = "coach availability"
CANDIDATE_WINDOW = "candidate availability"
LOCATION = "location"
START_MONTH = "start month"
COACH_OVERLAP = "coach overlap"
CANDIDATE_OVERLAP = "candidate overlap"
TRAVEL = "travel time"
PAIR_MONTH_MAX = "pair monthly maximum"
COACH_MONTH_MAX = "coach monthly hours"
RULES = (
    PAIR,
    MONTH,
    WEEKDAY,
    BLACKOUT,
    MEETING,
    LENGTH,
    DAY_HOURS,
    COACH_WINDOW,
    CANDIDATE_WINDOW,
    LOCATION,
    START_MONTH,
    COACH_OVERLAP,
    CANDIDATE_OVERLAP,
    TRAVEL,
    PAIR_MONTH_MAX,
    COACH_MONTH_MAX,
)


class ScheduledSession(Protocol):
    """What the checker reads of a session row (``sessions.SessionRow``)."""

    @property
    def candidate_id(self) -> str: ...
    @property
    def coach_id(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def location(self) -> str: ...


@dataclass(frozen=True)
class ScheduleViolation:
    """One broken hard rule: which rule, whose calendar, which date (or month), and what.

    Ids only, no names: messages go to terminals and logs (personal data)."""

    rule: str
    coach_id: str
    date: dt.date | None
    month: str
    detail: str

    def __str__(self) -> str:
        when = self.date.isoformat() if self.date is not None else self.month
        return f"{self.rule}: coach {self.coach_id}, {when}: {self.detail}"


def _label(s: ScheduledSession) -> str:
    return f"candidate {s.candidate_id} {fmt_clock(s.start)}-{fmt_clock(s.end)}"


def _inside(windows: tuple[Window, ...], weekday: int, start: int, end: int) -> bool:
    return any(w.weekday == weekday and w.start <= start and end <= w.end for w in windows)


def _free(person: Coach | Candidate) -> tuple[Window, ...] | None:
    """A person's own windows (touching ones merged); ``None``: free all day."""
    if not person.available:
        return None
    return clip(person.available, range(7), 0, 24 * 60)


def travel_need_minutes(a: Candidate, b: Candidate, kmh: float) -> float:
    """Minutes the contract asks between sessions of ``a`` and ``b`` (0 without coordinates)."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.0
    return float(haversine_km(a.lat, a.lon, b.lat, b.lon)) / kmh * 60


def check_schedule(
    program: ProgramData,
    sessions: Iterable[ScheduledSession],
    assignment: dict[str, str] | None = None,
) -> list[ScheduleViolation]:
    """Every hard schedule rule the sessions break (empty: the calendar may be written).

    ``assignment`` (candidate id -> coach id), when given, also checks that each session
    belongs to an assigned pair.
    """
    rules = _SessionRules.of(program)
    out: list[ScheduleViolation] = []
    by_coach_day: dict[tuple[str, dt.date], list[ScheduledSession]] = defaultdict(list)
    by_cand_day: dict[tuple[str, dt.date], list[ScheduledSession]] = defaultdict(list)
    pair_month: dict[tuple[str, str, str], int] = defaultdict(int)
    coach_month: dict[tuple[str, str], int] = defaultdict(int)

    for s in sessions:
        month = s.date.isoformat()[:7]
        found, known = _session_violations(rules, s, assignment)
        out.extend(
            ScheduleViolation(rule, s.coach_id, s.date, month, f"{_label(s)}: {detail}")
            for rule, detail in found
        )
        if not known:
            continue
        by_coach_day[s.coach_id, s.date].append(s)
        by_cand_day[s.candidate_id, s.date].append(s)
        pair_month[s.candidate_id, s.coach_id, month] += s.end - s.start
        coach_month[s.coach_id, month] += s.end - s.start

    for (coach_id, day), day_sessions in by_coach_day.items():
        out.extend(_coach_day(program, rules.cands, coach_id, day, day_sessions))
    for day_sessions in by_cand_day.values():
        out.extend(_candidate_day(day_sessions))
    out.extend(_hour_caps(program, pair_month, coach_month))
    return out


@dataclass(frozen=True)
class _SessionRules:
    """The program's per-session rules, looked up once: a calendar has thousands of
    sessions, and each would otherwise rebuild the same sets and windows."""

    cands: dict[str, Candidate]
    coaches: dict[str, Coach]
    months: set[str]
    weekdays: set[int]
    blackout: frozenset[dt.date]
    meetings: frozenset[dt.date]
    session_minutes: tuple[int, ...]
    day_start: int
    day_end: int
    coach_free: dict[str, tuple[Window, ...] | None]
    cand_free: dict[str, tuple[Window, ...] | None]

    @classmethod
    def of(cls, program: ProgramData) -> _SessionRules:
        """The rules of ``program``'s policy, with each person's free windows."""
        coaching = program.policy.coaching
        calendar = program.policy.calendar
        cands = {k.candidate_id: k for k in program.candidates}
        coaches = {c.coach_id: c for c in program.coaches}
        return cls(
            cands=cands,
            coaches=coaches,
            months=set(coaching.months),
            weekdays={WEEKDAYS.index(d) for d in coaching.weekdays},
            blackout=calendar.blackout_days(),
            meetings=calendar.meeting_days(),
            session_minutes=coaching.session_minutes,
            day_start=coaching.day_start_minutes,
            day_end=coaching.day_end_minutes,
            coach_free={c: _free(p) for c, p in coaches.items()},
            cand_free={k: _free(p) for k, p in cands.items()},
        )


_Found = list[tuple[str, str]]
"""``(rule, detail)`` of each rule one session breaks, in the order of :data:`RULES`."""


def _session_violations(
    rules: _SessionRules, s: ScheduledSession, assignment: dict[str, str] | None
) -> tuple[_Found, bool]:
    """The rules one session breaks on its own, and whether its candidate and coach exist.

    A session naming an unknown person is reported once and checked no further: every other
    rule reads that person's data, and it takes no part in the overlap or hour sums."""
    cand, coach = rules.cands.get(s.candidate_id), rules.coaches.get(s.coach_id)
    if cand is None or coach is None:
        return [(PAIR, "unknown candidate or coach")], False
    found: _Found = []
    if assignment is not None and assignment.get(s.candidate_id) != s.coach_id:
        found.append((PAIR, "not an assigned pair"))
    found += _date_violations(rules, s)
    found += _time_violations(rules, s)
    found += _candidate_violations(cand, s)
    return found, True


def _date_violations(rules: _SessionRules, s: ScheduledSession) -> _Found:
    """The calendar's rules: program month, allowed weekday, no blackout or meeting day."""
    found: _Found = []
    month = s.date.isoformat()[:7]
    if month not in rules.months:
        found.append((MONTH, f"{month} is not a program month"))
    weekday = s.date.weekday()
    if weekday not in rules.weekdays:
        found.append((WEEKDAY, f"{WEEKDAYS[weekday]} is not an allowed weekday"))
    if s.date in rules.blackout:
        found.append((BLACKOUT, "a blackout day"))
    if s.date in rules.meetings:
        found.append((MEETING, "a coach-meeting day"))
    return found


def _time_violations(rules: _SessionRules, s: ScheduledSession) -> _Found:
    """The clock's rules: an allowed length, inside the coaching day and both people's
    windows."""
    found: _Found = []
    if s.end - s.start not in rules.session_minutes:
        found.append((LENGTH, f"{s.end - s.start} min is not one of {list(rules.session_minutes)}"))
    if s.start < rules.day_start or s.end > rules.day_end:
        found.append(
            (DAY_HOURS, f"outside {fmt_clock(rules.day_start)}-{fmt_clock(rules.day_end)}")
        )
    weekday = s.date.weekday()
    windows = rules.coach_free[s.coach_id]
    if windows is not None and not _inside(windows, weekday, s.start, s.end):
        found.append((COACH_WINDOW, "outside the coach's windows"))
    windows = rules.cand_free[s.candidate_id]
    if windows is not None and not _inside(windows, weekday, s.start, s.end):
        found.append((CANDIDATE_WINDOW, "outside the candidate's windows"))
    return found


def _candidate_violations(cand: Candidate, s: ScheduledSession) -> _Found:
    """The candidate's own rules: at the candidate's site, not before its start month."""
    found: _Found = []
    month = s.date.isoformat()[:7]
    if s.location != cand.site:
        found.append((LOCATION, "not at the candidate's site"))
    if cand.start_month and month < cand.start_month:
        found.append((START_MONTH, f"before the candidate's start month {cand.start_month}"))
    return found


def _candidate_day(day_sessions: list[ScheduledSession]) -> list[ScheduleViolation]:
    """Overlap between every two sessions of one candidate on one date with different
    coaches (one coach's own overlaps are :func:`_coach_day`'s, reported once there)."""
    out = []
    ordered = sorted(day_sessions, key=lambda s: (s.start, s.end))
    for a, b in itertools.combinations(ordered, 2):
        if a.coach_id != b.coach_id and b.start < a.end:
            out.append(
                ScheduleViolation(
                    CANDIDATE_OVERLAP,
                    b.coach_id,
                    b.date,
                    b.date.isoformat()[:7],
                    f"{_label(b)} overlaps its session with coach {a.coach_id}",
                )
            )
    return out


def _coach_day(
    program: ProgramData,
    cands: dict[str, Candidate],
    coach_id: str,
    day: dt.date,
    day_sessions: list[ScheduledSession],
) -> list[ScheduleViolation]:
    """Overlap and travel between *every* two sessions of one coach on one date."""
    kmh = program.policy.coaching.travel_kmh
    out = []
    ordered = sorted(day_sessions, key=lambda s: (s.start, s.end))
    for a, b in itertools.combinations(ordered, 2):
        if b.start < a.end:
            out.append(
                ScheduleViolation(
                    COACH_OVERLAP,
                    coach_id,
                    day,
                    day.isoformat()[:7],
                    f"{_label(b)} overlaps {_label(a)}",
                )
            )
            continue
        need = travel_need_minutes(cands[a.candidate_id], cands[b.candidate_id], kmh)
        if b.start - a.end < need - TRAVEL_TOLERANCE_MINUTES:
            out.append(
                ScheduleViolation(
                    TRAVEL,
                    coach_id,
                    day,
                    day.isoformat()[:7],
                    f"{_label(b)} starts {b.start - a.end} min after {_label(a)} ends, "
                    f"{need:.1f} min of travel needed",
                )
            )
    return out


def _hour_caps(
    program: ProgramData,
    pair_month: dict[tuple[str, str, str], int],
    coach_month: dict[tuple[str, str], int],
) -> list[ScheduleViolation]:
    """The pair's and the coach's monthly maximums."""
    out = []
    pair_max = program.policy.coaching.max_pair_hours_per_month
    if pair_max:
        for (cid, coach_id, month), minutes in sorted(pair_month.items()):
            if minutes > pair_max * 60 + HOURS_TOLERANCE_MINUTES:
                out.append(
                    ScheduleViolation(
                        PAIR_MONTH_MAX,
                        coach_id,
                        None,
                        month,
                        f"candidate {cid}: {minutes / 60:g} h above {pair_max:g} h",
                    )
                )
    caps = {c.coach_id: c.max_hours_per_month for c in program.coaches}
    for (coach_id, month), minutes in sorted(coach_month.items()):
        cap = caps.get(coach_id)
        if cap is not None and minutes > cap * 60 + HOURS_TOLERANCE_MINUTES:
            out.append(
                ScheduleViolation(
                    COACH_MONTH_MAX,
                    coach_id,
                    None,
                    month,
                    f"{minutes / 60:g} h booked above the cap of {cap:g} h",
                )
            )
    return out


def require_valid_schedule(
    program: ProgramData,
    sessions: Iterable[ScheduledSession],
    assignment: dict[str, str] | None = None,
) -> None:
    """Raise :class:`~matcher.errors.ScheduleRuleError` listing every hard rule the sessions
    break; every writer of a calendar calls this first, so none is ever written broken."""
    violations = check_schedule(program, sessions, assignment)
    if violations:
        raise ScheduleRuleError(violations)
