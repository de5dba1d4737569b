"""Turn a bulk block's minutes into sessions on its dates, greedily.

Why: the month model lists every sequence of sessions a date can hold only for short blocks;
a long free day with many pairs is *bulk* there, counted in minutes (what fits back to back,
shared as the pairs like). That keeps the model a relaxation, enough to prove that a coach's
pairs cannot meet, but its answer for a bulk block is a number of minutes per pair, not a
calendar. On such a day there is room to spare, so a simple earliest-finish greedy usually
places those minutes as real sessions around the sessions already fixed on each date (the
listed sequences of the block's narrow pairs): one session after another, each inside its
pair's segments, at its earliest start that leaves the drive to and from every other session
of that date. Whatever the greedy cannot place is left out; the caller's calendar is
checked against every rule and every minimum before it is used, so a miss costs a calendar,
never a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

DaySessions = tuple[tuple[int, int, int], ...]
"""One date's sessions: ``(pair position in the block, start, minutes)``, by start."""


def fill_dates(
    spans: Seq[Seq[tuple[int, int]]],
    travel: Seq[Seq[int]],
    lengths: Seq[int],
    demand: Seq[int],
    fixed: Seq[DaySessions],
) -> list[DaySessions]:
    """Sessions for the block's dates (one entry of ``fixed`` per date: sessions already
    there), giving each pair ``j`` up to ``demand[j]`` minutes more over them.

    ``spans[j]``: pair ``j``'s free segments in the block (minutes of the day);
    ``travel[a][b]``: minutes needed between a session of ``a`` and one of ``b``. Per date,
    the next session is the one that would end earliest, preferring pairs not yet seen that
    date (one session a day per pair where the time allows) and then the pair owing most.
    Its length is the longest allowed within what the pair still owes (so a maximum is not
    passed), else the shortest that fits. Returns each date's sessions, fixed ones included."""
    remaining = list(demand)
    ordered = sorted(set(lengths))
    out: list[DaySessions] = []
    for already in fixed:
        day = list(already)
        while any(r > 0 for r in remaining):
            best = None
            for j, owed in enumerate(remaining):
                if owed <= 0:
                    continue
                placed = _place(spans[j], travel, day, j, ordered, owed)
                if placed is None:
                    continue
                at, length = placed
                seen = any(s[0] == j for s in day)
                key = (seen, at + length, -owed, j)
                if best is None or key < best[0]:
                    best = (key, j, at, length)
            if best is None:
                break
            _, j, at, length = best
            day.append((j, at, length))
            remaining[j] -= length
        out.append(tuple(sorted(day, key=lambda s: (s[1], s[0]))))
    return out


def _place(
    spans: Seq[tuple[int, int]],
    travel: Seq[Seq[int]],
    day: list[tuple[int, int, int]],
    j: int,
    lengths: list[int],
    owed: int,
) -> tuple[int, int] | None:
    """Earliest start and length for one more session of pair ``j`` among the date's sessions
    (clear of each, with the drive between), or ``None`` when none fits."""
    within = sorted((ln for ln in lengths if ln <= owed), reverse=True)
    for length in within or [ln for ln in lengths if ln > owed]:
        for a, b in spans:
            starts = sorted({a} | {s + n + _gap(travel, i, j) for i, s, n in day})
            for at in starts:
                if a <= at and at + length <= b and _clear(travel, day, j, at, length):
                    return at, length
    return None


def _gap(travel: Seq[Seq[int]], a: int, b: int) -> int:
    return 0 if a == b else travel[a][b]


def _clear(
    travel: Seq[Seq[int]], day: list[tuple[int, int, int]], j: int, at: int, length: int
) -> bool:
    """Whether a session of ``j`` at ``at`` leaves the drive to and from each session."""
    return all(
        s + n + _gap(travel, i, j) <= at or at + length + _gap(travel, j, i) <= s for i, s, n in day
    )
