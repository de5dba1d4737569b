"""The date-by-date calendar (``solvers.scheduling.dated``) and its use by the scheduler where
the standing week leaves a pair short. Every calendar is checked with the contract's rules as
written in ``test_makeup.rule_breaks`` (independent of the solver's own checker)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from test_makeup import MON, TUE, demand, make_problem, rule_breaks, shortfall_minutes, window

from matcher.io.loading import load_program
from matcher.scheduling.sessions import coach_problem, coaching_days, month_spans
from solvers.scheduling import DATED, LENGTHENED, MAKEUP, Session, solve_coach_schedule
from solvers.scheduling.dated import dated_calendar, month_of_days, trim


def _assert_valid_and_met(problem, sessions):
    """A calendar was found, breaks no rule and meets every monthly and yearly minimum."""
    assert sessions is not None
    assert rule_breaks(problem, sessions) == []
    monthly, yearly = shortfall_minutes(problem, sessions)
    assert not any(monthly.values()) and not any(yearly.values())


def _crowded_afternoon(sites=(0, 0, 0), travel=None):
    """Three pairs sharing one 150-minute Monday afternoon, 180 minutes a month each."""
    pairs = [
        demand(i, [window(MON, "14:30", "17:00")], site=s, month_min=180, total=1800)
        for i, s in enumerate(sites)
    ]
    return make_problem(pairs, travel=travel)


def _two_sites_after_school():
    """Five pairs at two sites 15 minutes apart, after school on Mondays and Tuesdays, each
    owing 180 minutes a month: standing slots plus make-ups leave one pair short; single
    dates, each planned on its own, meet every minimum (found by a seeded search)."""
    spans = [
        (2, TUE, "15:00", "18:00"),
        (2, MON, "15:00", "17:00"),
        (1, MON, "14:30", "16:30"),
        (2, TUE, "14:30", "17:00"),
        (2, MON, "14:30", "16:30"),
    ]
    pairs = [
        demand(i, [window(day, a, b)], site=site, month_min=180, total=1800)
        for i, (site, day, a, b) in enumerate(spans)
    ]
    travel = tuple(tuple(0 if a == b else 15 for b in range(3)) for a in range(3))
    return make_problem(pairs, travel=travel)


def test_dated_calendar_meets_every_minimum_where_the_standing_week_cannot():
    problem = _two_sites_after_school()
    assert solve_coach_schedule(problem, dated=False).shortfalls
    sessions = dated_calendar(problem)
    _assert_valid_and_met(problem, sessions)
    assert {s.kind for s in sessions} == {DATED}


def test_scheduler_uses_the_dated_calendar_only_when_it_leaves_fewer_pairs_short():
    problem = _two_sites_after_school()
    result = solve_coach_schedule(problem)
    assert result.shortfalls == ()
    assert {s.kind for s in result.sessions} == {DATED}
    assert result.stats["dated_sessions"] == len(result.sessions)
    assert rule_breaks(problem, list(result.sessions)) == []
    easy = _crowded_afternoon()  # the standing week meets it: kept as it is
    assert {s.kind for s in solve_coach_schedule(easy).sessions} <= {
        "standing",
        "make-up",
        "lengthened",
    }


def test_no_dated_calendar_where_travel_makes_it_impossible():
    # the same afternoon at three sites 30 minutes apart: a Monday holds one site's 150
    # minutes or two sites' 60 each; three pairs x 180 minutes do not fit (proven by hand in
    # solvers/scheduling/month_fit's docstring)
    problem = _crowded_afternoon(sites=(0, 1, 2))
    assert dated_calendar(problem) is None
    result = solve_coach_schedule(problem)
    assert result.shortfalls
    assert rule_breaks(problem, list(result.sessions)) == []


def test_dated_calendar_keeps_the_coach_cap_and_the_pair_maximum():
    pairs = [
        demand(i, [window(MON, "14:30", "17:00")], month_min=180, month_max=210, total=1800)
        for i in range(3)
    ]
    problem = make_problem(pairs, cap=570)
    sessions = dated_calendar(problem)  # 540 of 570 minutes a month: dates give more
    assert sessions is not None  # than needed, so sessions are dropped and shortened
    assert rule_breaks(problem, sessions) == []
    monthly, yearly = shortfall_minutes(problem, sessions)
    assert not any(monthly.values()) and not any(yearly.values())


def _long_monday(spans, sites, travel_minutes=15):
    pairs = [
        demand(i, [window(MON, a, b)], site=site, month_min=180, total=1800)
        for i, ((a, b), site) in enumerate(zip(spans, sites, strict=True))
    ]
    n = 1 + max(sites)
    travel = tuple(tuple(0 if a == b else travel_minutes for b in range(n)) for a in range(n))
    return make_problem(pairs, travel=travel)


def test_a_long_day_too_big_to_list_still_gets_a_calendar():
    # five pairs free all Monday at two sites: too many sequences to list, so the month model
    # counts minutes there; its minutes are then placed date by date
    problem = _long_monday([("08:00", "17:00")] * 5, (0, 1, 0, 1, 0))
    sessions = dated_calendar(problem)
    _assert_valid_and_met(problem, sessions)


def test_after_school_pairs_keep_their_afternoon_beside_all_day_pairs():
    # three pairs free all Monday make the day too long to list; the two after-school pairs
    # at their own sites share 14:30-17:00 (60 + 60 with the drive, on every Monday)
    spans = [("08:00", "17:00")] * 3 + [("14:30", "17:00")] * 2
    problem = _long_monday(spans, (0, 0, 0, 1, 2))
    sessions = dated_calendar(problem)
    _assert_valid_and_met(problem, sessions)


def test_a_narrow_pair_gets_its_share_of_a_long_day_once():
    # three pairs free all day and three after-school pairs (two sites of their own), on
    # Mondays and Tuesdays: both days are too long to list. The month model gives each
    # after-school pair a share of each day, and its listed afternoon sessions are part of
    # that share: placing the share again on top of them took the all-day pairs' time, and
    # no calendar came out (found by a seeded search; 22 of 150 such programs failed so)
    spans = [("07:30", "16:30"), ("09:00", "17:00"), ("08:00", "17:00")]
    spans += [("14:30", "17:00"), ("14:00", "16:00"), ("14:30", "17:00")]
    sites = (0, 0, 0, 3, 0, 1)
    pairs = [
        demand(i, [window(MON, a, b), window(TUE, a, b)], site=site, month_min=180, total=1800)
        for i, ((a, b), site) in enumerate(zip(spans, sites, strict=True))
    ]
    travel = tuple(tuple(0 if a == b else 20 for b in range(4)) for a in range(4))
    problem = make_problem(pairs, travel=travel)
    sessions = dated_calendar(problem)
    _assert_valid_and_met(problem, sessions)


def test_two_months_over_the_maximum_share_the_years_slack():
    # a pair owing 180 minutes a month and 2,400 in the year, at most 360 a month, got 390 in
    # the first and third months (five 60s and a 90) and 90 minutes of slack in the year.
    # Dropping a 90 in one month spends all of it and leaves the other month over; shortening
    # each 90 to 60 keeps both months within the maximum and the year at 2,430
    problem = make_problem(
        [demand(0, [window(MON, "08:00", "17:00")], month_min=180, month_max=360, total=2400)]
    )
    month_of = month_of_days(problem)
    mondays = [
        [d for d in problem.days if d.weekday() == MON and month_of[d] == m] for m in range(10)
    ]
    per_month = {0: [60] * 5 + [90], 2: [60] * 5 + [90], 7: [120, 120], 8: [90, 90, 90]}
    per_month |= {9: [120, 90, 90], **{m: [90, 90] for m in (1, 3, 4, 5, 6)}}
    sessions = []
    for m, lengths in per_month.items():
        for k, length in enumerate(lengths):  # two a date where a month has more than dates
            day = mondays[m][k % len(mondays[m])]
            start = 8 * 60 + (k // len(mondays[m])) * 150
            sessions.append(Session(0, day, start, start + length, DATED))
    assert sum(s.minutes for s in sessions) == 2490
    kept = trim(problem, sessions, month_of)
    _assert_valid_and_met(problem, kept)
    for m in (0, 2):
        assert sum(s.minutes for s in kept if month_of[s.day] == m) <= 360


def test_the_coach_cap_takes_its_minutes_from_the_pair_with_slack_to_spare():
    # the coach may book 360 minutes a month. Pair 0 got five 90s in the first month (its
    # maximum is 360) and two 120s in the second, beside pair 1's two 120s (480 for the
    # coach); pair 0 has 150 minutes of slack in its year, pair 1 has 120. Only one choice
    # keeps every limit: pair 0 gives up 90 in the first month, so the coach's second month
    # takes most from pair 1. A greedy that took the second month's 120 from pair 0 (its
    # sessions there come last) spent the slack its first month needed: no calendar
    free = [window(MON, "08:00", "17:00")]
    problem = make_problem(
        [demand(0, free, month_max=360, total=540), demand(1, free, total=120)], cap=360
    )
    month_of = month_of_days(problem)
    mondays = [[d for d in problem.days if d.weekday() == MON and month_of[d] == m] for m in (0, 1)]
    sessions = [
        Session(0, mondays[0][k % len(mondays[0])], 480 + (k // len(mondays[0])) * 150, 0, DATED)
        for k in range(5)
    ]
    sessions = [Session(s.pair_id, s.day, s.start, s.start + 90, DATED) for s in sessions]
    sessions += [Session(1, mondays[1][k], 480, 600, DATED) for k in (0, 1)]
    sessions += [Session(0, mondays[1][k], 480, 600, DATED) for k in (2, 3)]
    assert rule_breaks(problem, sessions)  # over pair 0's maximum and the coach's cap
    kept = trim(problem, sessions, month_of)
    _assert_valid_and_met(problem, kept)  # within every limit again, every minimum kept
    assert sum(s.minutes for s in kept if s.pair_id == 1) == 120  # pair 1 gave up its slack


def test_make_ups_complete_what_a_long_days_greedy_left_short():
    # a real crowded coach of the sample (seven candidates at five sites, two of them free
    # all Monday and Tuesday): the month model's date choice exists, but the greedy that
    # turns a long day's minutes into sessions leaves a pair-month short. Make-ups on the
    # time left free complete it, as they do for the standing week
    folder = Path(__file__).resolve().parents[2] / "scenarios" / "sample-district"
    program = load_program(folder)
    coach = next(c for c in program.coaches if c.coach_id == "C0018")
    ids = ["K00005", "K00027", "K00040", "K00047", "K00086", "K00148", "K00175"]
    candidates = [k for k in program.candidates if k.candidate_id in ids]
    problem = coach_problem(
        program, coach, candidates, coaching_days(program), month_spans(program)
    )
    alone = dated_calendar(problem)
    assert alone is not None and rule_breaks(problem, alone) == []
    assert any(shortfall_minutes(problem, alone)[0].values())  # the greedy's miss
    result = solve_coach_schedule(problem, seed=0)
    _assert_valid_and_met(problem, list(result.sessions))
    kinds = {s.kind for s in result.sessions}
    assert DATED in kinds and kinds <= {DATED, LENGTHENED, MAKEUP}


def _brute_force_least_owed(problem, sessions):
    """The fewest minutes owed (monthly and yearly) over every keep / shorten / drop choice
    of ``sessions`` that keeps every maximum and cap: the test's own enumeration."""
    choices = [[0, *(n for n in problem.session_lengths if n <= s.minutes)] for s in sessions]
    best = None
    for lengths in itertools.product(*choices):
        kept = [
            Session(s.pair_id, s.day, s.start, s.start + n, s.kind)
            for s, n in zip(sessions, lengths, strict=True)
            if n
        ]
        if rule_breaks(problem, kept):
            continue
        monthly, yearly = shortfall_minutes(problem, kept)
        owed = sum(monthly.values()) + sum(yearly.values())
        best = owed if best is None else min(best, owed)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_trim_owes_no_more_than_any_choice_of_sessions(seed):
    # random small calendars over a pair's maximum and the coach's cap in two months: the
    # trim keeps every limit and owes the least that any keep / shorten / drop choice owes
    rng = random.Random(seed)
    free = [window(MON, "08:00", "17:00")]
    pairs = [
        demand(
            i,
            free,
            month_min=rng.choice((0, 60, 120)),
            month_max=rng.choice((120, 180)),
            total=rng.choice((0, 120, 240)),
        )
        for i in range(2)
    ]
    problem = make_problem(pairs, cap=rng.choice((180, 240, 300)))
    month_of = month_of_days(problem)
    mondays = [[d for d in problem.days if d.weekday() == MON and month_of[d] == m] for m in (0, 1)]
    sessions = []
    for k in range(6):
        m, length = rng.randrange(2), rng.choice(problem.session_lengths)
        day = mondays[m][k % len(mondays[m])]
        start = 8 * 60 + (k // len(mondays[m])) * 150
        sessions.append(Session(rng.randrange(2), day, start, start + length, DATED))
    kept = trim(problem, sessions, month_of)
    assert rule_breaks(problem, kept) == []
    monthly, yearly = shortfall_minutes(problem, kept)
    assert sum(monthly.values()) + sum(yearly.values()) == _brute_force_least_owed(
        problem, sessions
    )
