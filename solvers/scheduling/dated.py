"""A calendar date by date, for a coach whose standing week leaves a pair short.

Why: the standing week gives each pair a weekly slot, and make-ups add one-off sessions around
it; on a crowded coach with narrow windows (before and after school, several sites) that can
still leave a pair short although a calendar exists. The month model of :mod:`.month_fit`
chooses, per month and per block of the week, what each usable date holds (a sequence of
sessions with the travel between sites); when it finds a choice that meets every minimum,
that choice *is* a calendar. The scheduler keeps it only when it leaves fewer pairs short than
the standing week did and breaks no rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .calendar import build_calendar, normalise_windows
from .month_fit import FitGroup, dated_sessions
from .problem import DATED, CoachScheduleProblem, PairDemand, Session


def fit_group_of(
    problem: CoachScheduleProblem, month_of: dict[dt.date, int] | None = None
) -> FitGroup | None:
    """The coach's pairs as the month model's group, or ``None`` where pairs differ in their
    monthly minimum or maximum (the group holds one of each)."""
    pairs = problem.pairs
    if not pairs or len({(p.min_minutes_per_month, p.max_minutes_per_month) for p in pairs}) > 1:
        return None
    dates = np.zeros((7, len(problem.months)), dtype=np.int64)
    for day, m in (month_of or month_of_days(problem)).items():
        dates[day.weekday(), m] += 1
    weekdays = tuple(int(d) for d in np.flatnonzero(dates.sum(axis=1) > 0))
    shortest = min(problem.session_lengths)
    travel = problem.travel_minutes
    return FitGroup(
        segments=tuple(normalise_windows(p.windows, shortest, weekdays) for p in pairs),
        travel=tuple(tuple(travel[a.site][b.site] for b in pairs) for a in pairs),
        dates=dates,
        session_lengths=tuple(problem.session_lengths),
        first_month=tuple(p.first_month for p in pairs),
        min_month=pairs[0].min_minutes_per_month,
        max_month=pairs[0].max_minutes_per_month or 0,
        min_total=tuple(p.min_minutes_total for p in pairs),
        coach_cap=-1
        if problem.coach_max_minutes_per_month is None
        else problem.coach_max_minutes_per_month,
    )


def month_of_days(problem: CoachScheduleProblem) -> dict[dt.date, int]:
    """Each coaching day's program month (the calendar's own index, computed once per call)."""
    return dict(zip(problem.days, build_calendar(problem).day_month, strict=True))


def dated_calendar(
    problem: CoachScheduleProblem, *, work_limit: float = 2.0
) -> list[Session] | None:
    """Sessions meeting every pair's minimums, placed date by date, or ``None`` when the month
    model finds none (or cannot list a block's sessions). Sessions beyond what the minimums
    need are dropped, longest first, so the calendar stays lean."""
    month_of = month_of_days(problem)
    group = fit_group_of(problem, month_of)
    if group is None:
        return None
    found = dated_sessions(group, work_limit=work_limit)
    if found is None:
        return None
    days: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for day, m in sorted(month_of.items()):
        days[(m, day.weekday())].append(day)
    sessions = []
    for m, weekday, k, i, start, length in found:
        day = days[(m, weekday)][k]
        sessions.append(Session(problem.pairs[i].pair_id, day, start, start + length, DATED))
    return trim(problem, sessions, month_of)


def trim(
    problem: CoachScheduleProblem, sessions: list[Session], month_of: dict[dt.date, int]
) -> list[Session] | None:
    """The sessions within every pair's monthly maximum and the coach's cap, with those the
    minimums do not need dropped, or ``None`` where a limit cannot be kept without missing a
    minimum. The dates may give a pair more in a month than the month model counted.

    Over a limit, the steps that spend least of the year's slack come first (another month
    may be over too and need it): drop sessions no longer than the excess, then shorten;
    only then drop whatever the minimums do not need."""
    sessions = _lean(problem, sessions, month_of, within_excess=True)
    sessions = _shorten(problem, sessions, month_of)
    sessions = _lean(problem, sessions, month_of)
    return sessions if _within_limits(problem, sessions, month_of) else None


@dataclass
class _Totals:
    """Minutes booked per (pair, month), per pair over the year and per month for the coach,
    kept up to date as sessions are dropped or shortened."""

    month_of: dict[dt.date, int]
    pair_month: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    year: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    coach_month: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, month_of: dict[dt.date, int], sessions: list[Session]) -> _Totals:
        totals = cls(month_of)
        for s in sessions:
            totals.add(s, s.minutes)
        return totals

    def add(self, s: Session, minutes: int) -> None:
        m = self.month_of[s.day]
        self.pair_month[(s.pair_id, m)] += minutes
        self.year[s.pair_id] += minutes
        self.coach_month[m] += minutes

    def can_lose(self, pair: PairDemand, s: Session, minutes: int) -> bool:
        """Whether the pair still meets its monthly and yearly minimums ``minutes`` fewer."""
        month = self.pair_month[(s.pair_id, self.month_of[s.day])]
        return (
            month - minutes >= pair.min_minutes_per_month
            and self.year[s.pair_id] - minutes >= pair.min_minutes_total
        )


def _lean(
    problem: CoachScheduleProblem,
    sessions: list[Session],
    month_of: dict[dt.date, int],
    *,
    within_excess: bool = False,
) -> list[Session]:
    """Drop sessions the minimums do not need (longest first, then latest): dropping one never
    breaks a rule, since the travel times between sites obey the triangle inequality.

    Sessions in a month over the pair's maximum or the coach's cap go first: the month model
    met the year with every month within its limits, so the year's slack must not be spent
    on months that are not over. With ``within_excess`` only those go, and only where a
    session is no longer than the excess (a longer one would spend slack another over month
    needs: shortening it, :func:`_shorten`, may spend less)."""
    pairs = {p.pair_id: p for p in problem.pairs}
    totals = _Totals.of(month_of, sessions)
    order = sorted(sessions, key=lambda s: (-s.minutes, -s.day.toordinal(), -s.start, s.pair_id))
    dropped: set[int] = set()
    for only_over in (True,) if within_excess else (True, False):
        for n, s in enumerate(order):
            if n in dropped:
                continue
            over = _over(problem, pairs[s.pair_id], totals, s)
            if (only_over and over <= 0) or (within_excess and s.minutes > over):
                continue
            if totals.can_lose(pairs[s.pair_id], s, s.minutes):
                totals.add(s, -s.minutes)
                dropped.add(n)
    kept = [s for n, s in enumerate(order) if n not in dropped]
    return sorted(kept, key=lambda s: (s.day, s.start, s.pair_id))


def _shorten(
    problem: CoachScheduleProblem, sessions: list[Session], month_of: dict[dt.date, int]
) -> list[Session]:
    """Where a pair's month is over its maximum or the coach's month over its cap, shorten
    sessions (to an allowed length, same start) while the pair's minimums still hold: a
    date's pattern may give a pair more than the month model counted."""
    pairs = {p.pair_id: p for p in problem.pairs}
    totals = _Totals.of(month_of, sessions)
    out = []
    for s in sorted(sessions, key=lambda s: (-s.minutes, s.day, s.start, s.pair_id)):
        if _over(problem, pairs[s.pair_id], totals, s) > 0:
            for length in sorted(problem.session_lengths):
                cut = s.minutes - length
                if cut <= 0:
                    break
                if totals.can_lose(pairs[s.pair_id], s, cut):
                    totals.add(s, -cut)
                    s = Session(s.pair_id, s.day, s.start, s.start + length, s.kind)
                    break
        out.append(s)
    return sorted(out, key=lambda s: (s.day, s.start, s.pair_id))


def _over(problem: CoachScheduleProblem, pair: PairDemand, totals: _Totals, s: Session) -> int:
    """Minutes by which the session's pair-month or coach-month passes its limit (<= 0: none)."""
    m = totals.month_of[s.day]
    pair_month, coach_month = totals.pair_month[(s.pair_id, m)], totals.coach_month[m]
    cap = problem.coach_max_minutes_per_month
    return max(
        pair_month - (pair.max_minutes_per_month or pair_month),
        coach_month - (cap if cap is not None else coach_month),
    )


def _within_limits(
    problem: CoachScheduleProblem, sessions: list[Session], month_of: dict[dt.date, int]
) -> bool:
    """Each pair's monthly maximum and the coach's monthly cap hold."""
    pairs = {p.pair_id: p for p in problem.pairs}
    totals = _Totals.of(month_of, sessions)
    return all(_over(problem, pairs[s.pair_id], totals, s) <= 0 for s in sessions)
