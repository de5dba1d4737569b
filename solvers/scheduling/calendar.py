"""Calendar arithmetic shared by the model, the date expansion and the diagnosis.

Nothing here optimises: it counts dates per (weekday, month, week parity), normalises windows,
and bounds what one pair could get alone, sessions packed back to back (for shortfall causes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from .problem import MINUTES_PER_DAY, CoachScheduleProblem, TimeWindow

WEEKLY, EVEN, ODD = 0, 1, 2
"""Slot modes: every week, or only weeks of parity 0 / parity 1."""
MODES = (WEEKLY, EVEN, ODD)


@dataclass(frozen=True)
class Calendar:
    """Dates of the problem, indexed for the model.

    ``dates[d][m][mode]`` lists the coaching dates of weekday ``d`` in month ``m`` that a slot
    of that mode may use; ``nominal_dates[d][m]`` counts every date of weekday ``d`` in the
    month's span (blackouts ignored).
    """

    n_months: int
    day_month: tuple[int, ...]
    week_origin: dt.date
    dates: tuple[tuple[tuple[tuple[dt.date, ...], ...], ...], ...]
    nominal_dates: tuple[tuple[int, ...], ...]
    weekdays: tuple[int, ...]  # weekdays with at least one coaching day

    def count(self, weekday: int, month: int, mode: int) -> int:
        """How many dates a slot of that weekday and mode may use in that month."""
        return len(self.dates[weekday][month][mode])


def build_calendar(problem: CoachScheduleProblem) -> Calendar:
    """Index the coaching days by weekday, month and week parity."""
    months = problem.months
    n_months = len(months)
    day_month: list[int] = []
    m = 0
    for day in problem.days:
        while m < n_months and day > months[m].last:
            m += 1
        if m >= n_months or day < months[m].first:
            raise ValueError(f"coaching day {day} lies in no program month")
        day_month.append(m)
    first = problem.days[0] if problem.days else (months[0].first if months else dt.date.today())
    origin = first - dt.timedelta(days=first.weekday())
    buckets: list[list[list[list[dt.date]]]] = [
        [[[] for _ in MODES] for _ in range(n_months)] for _ in range(7)
    ]
    for day, month in zip(problem.days, day_month, strict=True):
        d = day.weekday()
        par = ((day - origin).days // 7) % 2
        buckets[d][month][WEEKLY].append(day)
        buckets[d][month][EVEN if par == 0 else ODD].append(day)
    nominal = [[0] * n_months for _ in range(7)]
    for mi, span in enumerate(months):
        day = span.first
        while day <= span.last:
            nominal[day.weekday()][mi] += 1
            day += dt.timedelta(days=1)
    return Calendar(
        n_months=n_months,
        day_month=tuple(day_month),
        week_origin=origin,
        dates=tuple(tuple(tuple(tuple(mode) for mode in month) for month in wd) for wd in buckets),
        nominal_dates=tuple(tuple(row) for row in nominal),
        weekdays=tuple(sorted({d.weekday() for d in problem.days})),
    )


def normalise_windows(
    windows: tuple[TimeWindow, ...], shortest: int, weekdays: tuple[int, ...]
) -> tuple[TimeWindow, ...]:
    """Clip to the day, merge overlapping or touching windows per weekday, and keep those on a
    coaching weekday that hold at least the shortest session. Sorted by (weekday, start)."""
    allowed = set(weekdays)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for w in windows:
        s, e = max(0, w.start), min(MINUTES_PER_DAY, w.end)
        if e > s and w.weekday in allowed:
            by_day.setdefault(w.weekday, []).append((s, e))
    out: list[TimeWindow] = []
    for d in sorted(by_day):
        merged: list[list[int]] = []
        for s, e in sorted(by_day[d]):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out.extend(TimeWindow(d, s, e) for s, e in merged if e - s >= shortest)
    return tuple(out)


@cache
def pack(width: int, lengths: tuple[int, ...]) -> int:
    """Most minutes of back-to-back sessions (lengths reusable) that fit in ``width`` minutes."""
    if width <= 0:
        return 0
    best = [0] * (width + 1)
    for w in range(1, width + 1):
        b = best[w - 1]
        for ln in lengths:
            if ln <= w and best[w - ln] + ln > b:
                b = best[w - ln] + ln
        best[w] = b
    return best[width]


def alone_month_capacity(
    windows: tuple[TimeWindow, ...],
    lengths: tuple[int, ...],
    per_weekday_dates: dict[int, int],
    month_cap: int | None,
) -> int:
    """Upper bound on a pair's minutes in a month with no other pair: each date of a weekday
    packs every window of that weekday full; then the monthly cap applies."""
    day_minutes: dict[int, int] = {}
    for w in windows:
        day_minutes[w.weekday] = day_minutes.get(w.weekday, 0) + pack(w.end - w.start, lengths)
    total = sum(mins * per_weekday_dates.get(d, 0) for d, mins in day_minutes.items())
    return total if month_cap is None else min(total, month_cap)
