"""Weekly availability windows such as ``Mon 08:00-12:00;Wed 13:00-16:30``.

Times are kept as minutes since midnight and weekdays as 0 (Mon) to 6 (Sun), so that overlap is
plain integer arithmetic, exact at any minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.policy import WEEKDAYS

_WINDOW = re.compile(
    r"^(?P<day>[A-Za-z]{3})\s+(?P<h1>\d{1,2}):(?P<m1>[0-5]\d)\s*-\s*(?P<h2>\d{1,2}):(?P<m2>[0-5]\d)$"
)
_DAY_INDEX = {name.lower(): i for i, name in enumerate(WEEKDAYS)}
WINDOW_FORMAT = "weekly windows like 'Mon 08:00-12:00;Wed 13:00-16:30' (end after start)"


@dataclass(frozen=True, order=True)
class Window:
    """A weekly free window: ``weekday`` 0=Mon..6=Sun; ``start``, ``end`` in minutes of the day."""

    weekday: int
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {fmt_clock(self.start)}-{fmt_clock(self.end)}"


def fmt_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_window(text: str) -> Window | None:
    """One window, or ``None`` when the text is not a valid window."""
    match = _WINDOW.match(text.strip())
    if not match:
        return None
    day = _DAY_INDEX.get(match["day"].lower())
    start = int(match["h1"]) * 60 + int(match["m1"])
    end = int(match["h2"]) * 60 + int(match["m2"])
    if day is None or end <= start or end > 24 * 60:
        return None
    return Window(day, start, end)


def parse_windows(cell: str) -> tuple[Window, ...] | None:
    """All windows of a cell (``;``-separated); ``None`` if any part is malformed."""
    windows = []
    for part in cell.split(";"):
        if not part.strip():
            continue
        window = parse_window(part)
        if window is None:
            return None
        windows.append(window)
    return tuple(sorted(windows))


def clip(
    windows: Iterable[Window], weekdays: Iterable[int], day_start: int, day_end: int
) -> tuple[Window, ...]:
    """Windows cut to the program's weekdays and day hours, merged where they touch.

    A side with no windows at all is free all day: callers pass ``free_all_day`` for it.
    """
    allowed = set(weekdays)
    cut = sorted(
        Window(w.weekday, max(w.start, day_start), min(w.end, day_end))
        for w in windows
        if w.weekday in allowed and min(w.end, day_end) > max(w.start, day_start)
    )
    merged: list[Window] = []
    for w in cut:
        if merged and merged[-1].weekday == w.weekday and w.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Window(last.weekday, last.start, max(last.end, w.end))
        else:
            merged.append(w)
    return tuple(merged)


def free_all_day(weekdays: Iterable[int], day_start: int, day_end: int) -> tuple[Window, ...]:
    return tuple(Window(d, day_start, day_end) for d in sorted(set(weekdays)))


def intersect(a: tuple[Window, ...], b: tuple[Window, ...]) -> tuple[Window, ...]:
    """Where both sides are free: pairwise overlaps of merged, sorted window lists."""
    out = []
    for wa in a:
        for wb in b:
            if wa.weekday == wb.weekday:
                start, end = max(wa.start, wb.start), min(wa.end, wb.end)
                if end > start:
                    out.append(Window(wa.weekday, start, end))
    return tuple(sorted(out))


def longest(windows: Iterable[Window]) -> int:
    """Length in minutes of the longest window, 0 if none."""
    return max((w.minutes for w in windows), default=0)
