"""The greedy that places a bulk block's minutes on its dates (solvers.scheduling.bulk_days):
whatever it places keeps every rule of one date, checked here pair by pair of sessions."""

from __future__ import annotations

import itertools
import random

import pytest

from solvers.scheduling.bulk_days import fill_dates

LENGTHS = (60, 90, 120)


def _breaks(day, spans, travel):
    """Rules one date's sessions break: inside a span of their pair, no overlap, the drive
    between any two sessions of different pairs."""
    out = []
    for j, start, length in day:
        if length not in LENGTHS:
            out.append(f"length {length}")
        if not any(a <= start and start + length <= b for a, b in spans[j]):
            out.append(f"pair {j} at {start} outside its spans")
    for (i, s, n), (j, t, _) in itertools.combinations(sorted(day, key=lambda x: x[1]), 2):
        gap = 0 if i == j else travel[i][j]
        if s + n + gap > t:
            out.append(f"pair {i} at {s} and pair {j} at {t}: gap below {gap}")
    return out


def test_one_long_day_gives_each_pair_its_minutes():
    spans = [[(480, 1020)]] * 4
    travel = [[0, 15, 15, 15], [15, 0, 15, 15], [15, 15, 0, 15], [15, 15, 15, 0]]
    days = fill_dates(spans, travel, LENGTHS, [180, 180, 180, 180], [(), (), (), ()])
    given = [0] * 4
    for day in days:
        assert _breaks(day, spans, travel) == []
        for j, _, length in day:
            given[j] += length
    assert given == [180, 180, 180, 180]


def test_sessions_keep_the_drive_to_and_from_fixed_ones():
    # a session of pair 1 is fixed at 12:00-13:00; pair 0, free 10:00-15:00 and 30 minutes
    # away, fits 10:00-11:30 and 13:30-15:00 only
    spans = [[(600, 900)], [(720, 780)]]
    travel = [[0, 30], [30, 0]]
    (day,) = fill_dates(spans, travel, LENGTHS, [240, 0], [((1, 720, 60),)])
    assert day == ((0, 600, 90), (1, 720, 60), (0, 810, 90))


@pytest.mark.parametrize("seed", range(20))
def test_random_days_break_no_rule_and_no_maximum(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 6)
    spans = []
    for _ in range(n):
        start = rng.choice(range(480, 960, 30))
        spans.append([(start, min(1080, start + rng.choice([60, 90, 150, 240, 540])))])
    travel = [[0] * n for _ in range(n)]
    for a, b in itertools.combinations(range(n), 2):
        travel[a][b] = travel[b][a] = rng.choice([0, 10, 25, 40])
    demand = [rng.choice([0, 60, 120, 180, 270]) for _ in range(n)]
    days = fill_dates(spans, travel, LENGTHS, demand, [()] * rng.randint(1, 5))
    given = [0] * n
    for day in days:
        assert _breaks(day, spans, travel) == []
        for j, _, length in day:
            given[j] += length
    # a session never takes a pair past what it owes, save one that no shorter length covers
    assert all(g <= d or g - d < min(LENGTHS) for g, d in zip(given, demand, strict=True))
