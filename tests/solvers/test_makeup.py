"""Tests of the make-up pass (``solvers.scheduling.makeup``) and its wiring into the scheduler.

Every calendar is checked by :func:`rule_breaks`, written here from the contract's schedule
rules, independently of the solver's own checker.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvers.scheduling import (
    COACH_TIME_TAKEN,
    LENGTHENED,
    MAKEUP,
    STANDING,
    TOO_FEW_DAYS,
    CoachScheduleProblem,
    MonthSpan,
    PairDemand,
    Session,
    TimeWindow,
    add_makeups,
    solve_coach_schedule,
)
from solvers.scheduling.calendar import build_calendar

MON, TUE, WED, THU, FRI = range(5)


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def school_year(blackout: set[dt.date] = frozenset()) -> tuple[tuple[MonthSpan, ...], tuple]:
    """Sep 2026 - Jun 2027 (ten months) and its weekdays outside ``blackout``."""
    months = tuple(
        MonthSpan.calendar_month(2026 + (m > 12), (m - 1) % 12 + 1) for m in range(9, 19)
    )
    days = []
    day = months[0].first
    while day <= months[-1].last:
        if day.weekday() < 5 and day not in blackout:
            days.append(day)
        day += dt.timedelta(days=1)
    return months, tuple(days)


def make_problem(
    pairs, *, blackout=frozenset(), travel=None, cap=None, lengths=(60, 90, 120), **kw
):
    months, days = school_year(set(blackout))
    n_sites = 1 + max((p.site for p in pairs), default=0)
    if travel is None:
        travel = tuple(tuple(0 if a == b else 30 for b in range(n_sites)) for a in range(n_sites))
    return CoachScheduleProblem(
        days=days,
        months=months,
        session_lengths=lengths,
        pairs=tuple(pairs),
        travel_minutes=travel,
        coach_max_minutes_per_month=cap,
        **kw,
    )


def demand(pid, windows, *, site=0, first=0, month_min=0, month_max=None, total=0):
    return PairDemand(pid, site, tuple(windows), first, month_min, month_max, total)


def window(weekday: int, start: str, end: str) -> TimeWindow:
    return TimeWindow(weekday, hm(start), hm(end))


def weekly_sessions(p, pid, weekday, start, end, *, skip=()) -> list[Session]:
    """The pair's standing session on every coaching date of that weekday."""
    return [
        Session(pid, d, hm(start), hm(end))
        for d in p.days
        if d.weekday() == weekday and d not in skip
    ]


def month_of(p: CoachScheduleProblem, day: dt.date) -> int:
    return next(i for i, m in enumerate(p.months) if m.first <= day <= m.last)


def rule_breaks(p: CoachScheduleProblem, sessions) -> list[str]:
    """Every hard rule of the contract the sessions break (empty = valid)."""
    bad = []
    pairs = {q.pair_id: q for q in p.pairs}
    days = set(p.days)
    per_pair: dict[tuple[int, int], int] = defaultdict(int)
    per_month: dict[int, int] = defaultdict(int)
    by_day = defaultdict(list)
    for s in sessions:
        q = pairs[s.pair_id]
        if s.day not in days:
            bad.append(f"{s}: not a coaching day")
            continue
        if s.end - s.start not in p.session_lengths:
            bad.append(f"{s}: length not allowed")
        inside = any(
            w.weekday == s.day.weekday() and w.start <= s.start and s.end <= w.end
            for w in q.windows
        )
        if not inside:
            bad.append(f"{s}: outside the common windows")
        m = month_of(p, s.day)
        if m < q.first_month:
            bad.append(f"{s}: before the pair's first month")
        per_pair[s.pair_id, m] += s.end - s.start
        per_month[m] += s.end - s.start
        by_day[s.day].append(s)
    for ss in by_day.values():
        ss = sorted(ss, key=lambda s: s.start)
        for i, a in enumerate(ss):
            for b in ss[i + 1 :]:
                if b.start < a.end:
                    bad.append(f"{a} overlaps {b}")
                sa, sb = pairs[a.pair_id].site, pairs[b.pair_id].site
                if sa != sb and b.start - a.end < p.travel_minutes[sa][sb]:
                    bad.append(f"{a} and {b}: no time to travel")
    for (pid, m), minutes in per_pair.items():
        top = pairs[pid].max_minutes_per_month
        if top is not None and minutes > top:
            bad.append(f"pair {pid} month {m}: {minutes} above its maximum")
    cap = p.coach_max_minutes_per_month
    for m, minutes in per_month.items():
        if cap is not None and minutes > cap:
            bad.append(f"month {m}: {minutes} above the coach's cap")
    return bad


def minutes(p, sessions, pid) -> list[int]:
    out = [0] * len(p.months)
    for s in sessions:
        if s.pair_id == pid:
            out[month_of(p, s.day)] += s.end - s.start
    return out


def shortfall_minutes(p, sessions) -> tuple[dict, dict]:
    """Per pair-month and per pair-year, the minutes missing from the minimum."""
    monthly, yearly = {}, {}
    for q in p.pairs:
        got = minutes(p, sessions, q.pair_id)
        months = range(q.first_month, len(p.months))
        for m in months:
            monthly[q.pair_id, m] = max(0, q.min_minutes_per_month - got[m])
        yearly[q.pair_id] = max(0, q.min_minutes_total - sum(got[m] for m in months))
    return monthly, yearly


def run(p, booked):
    assert rule_breaks(p, booked) == []
    out = add_makeups(p, build_calendar(p), booked)
    assert rule_breaks(p, out.sessions) == []
    return out


# --------------------------------------------------------------------------------------------


def test_a_year_of_weekly_hours_one_short_reaches_its_forty_hours() -> None:
    """The issue's case: one 60-minute standing session a week gives 39 h in 39 usable weeks;
    a make-up on another free afternoon brings the pair to its 40 h."""
    _, days = school_year()
    blackout = set()
    for weekday in (TUE, THU):  # exactly 39 usable Tuesdays and 39 Thursdays
        dates = [d for d in days if d.weekday() == weekday]
        blackout |= set(dates[: len(dates) - 39])
    pairs = [demand(1, [window(TUE, "15:00", "16:00"), window(THU, "15:00", "16:00")], total=2400)]
    p = make_problem(pairs, blackout=blackout, lengths=(60,), max_slots_per_pair=1)
    standing = solve_coach_schedule(p, makeup=False)
    assert sum(s.end - s.start for s in standing.sessions) == 39 * 60
    (short,) = standing.shortfalls
    assert short.month is None and short.missing_minutes == 60

    r = solve_coach_schedule(p)
    assert rule_breaks(p, r.sessions) == []
    assert r.shortfalls == ()
    assert sum(s.end - s.start for s in r.sessions) == 2400
    (extra,) = [s for s in r.sessions if s.kind == MAKEUP]
    assert {extra.day.weekday()} | {s.day.weekday() for s in standing.sessions} == {TUE, THU}
    assert r.stats["makeup_sessions"] == 1 and r.stats["makeup_minutes"] == 60
    # the standing sessions are the same as without the pass
    assert [s for s in r.sessions if s.kind == STANDING] == list(standing.sessions)


def test_a_blackout_month_is_made_up_on_another_date() -> None:
    """Monday standing sessions; two Mondays of October are blacked out, so October has two
    sessions of its three-hour minimum. A Wednesday in October takes the missing hour."""
    _, days = school_year()
    october_mondays = [d for d in days if d.weekday() == MON and d.month == 10]
    blackout = set(october_mondays[:2])
    pairs = [
        demand(
            1,
            [window(MON, "15:00", "16:00"), window(WED, "15:00", "16:00")],
            month_min=180,
            month_max=300,
        )
    ]
    p = make_problem(pairs, blackout=blackout, lengths=(60,))
    booked = weekly_sessions(p, 1, MON, "15:00", "16:00")
    assert minutes(p, booked, 1)[1] < 180
    out = run(p, booked)
    made = [s for s in out.sessions if s.kind == MAKEUP]
    assert made and all(s.day.month == 10 and s.day.weekday() == WED for s in made)
    monthly, _ = shortfall_minutes(p, out.sessions)
    assert all(v == 0 for v in monthly.values())
    assert out.added == len(made) == -(-(180 - minutes(p, booked, 1)[1]) // 60)


def test_travel_gap_is_kept_between_a_make_up_and_another_sites_session() -> None:
    """Pair 2 (site 1) meets Tuesdays 14:00-15:00; pair 1 (site 0) needs a make-up on a
    Tuesday afternoon (15:00-17:00 free) and the sites are 40 minutes apart."""
    _, days = school_year()
    november_mondays = [d for d in days if d.weekday() == MON and d.month == 11]
    pairs = [
        demand(
            1,
            [window(MON, "09:00", "10:00"), window(TUE, "15:00", "17:00")],
            site=0,
            month_min=240,
            month_max=None,
        ),
        demand(2, [window(TUE, "14:00", "15:00")], site=1),
    ]
    travel = ((0, 40), (40, 0))
    p = make_problem(pairs, blackout=set(november_mondays[:2]), travel=travel, lengths=(60,))
    booked = weekly_sessions(p, 1, MON, "09:00", "10:00") + weekly_sessions(
        p, 2, TUE, "14:00", "15:00"
    )
    out = run(p, booked)
    made = [s for s in out.sessions if s.kind == MAKEUP]
    assert made and all(s.day.weekday() == TUE and s.start >= hm("15:40") for s in made)
    # starts stay on the window's quarter-hour grid
    assert all((s.start - hm("15:00")) % 15 == 0 for s in made)


def test_coach_cap_holds_and_monthly_minimums_come_first() -> None:
    """Under a 9-hour cap, October has room for one more hour: it goes to the pair short of
    its October minimum, not to the pair short only of its yearly minimum."""
    _, days = school_year()
    october_wednesdays = [d for d in days if d.weekday() == WED and d.month == 10]
    pairs = [
        demand(1, [window(WED, "09:00", "10:00"), window(FRI, "09:00", "10:00")], month_min=240),
        demand(2, [window(THU, "09:00", "10:00"), window(FRI, "11:00", "12:00")], total=6000),
    ]
    p = make_problem(pairs, cap=540, lengths=(60,))
    booked = weekly_sessions(p, 1, WED, "09:00", "10:00", skip=october_wednesdays[:1])
    load = defaultdict(int)
    for s in booked:
        load[month_of(p, s.day)] += 60
    for s in weekly_sessions(p, 2, THU, "09:00", "10:00"):  # as many as the cap allows
        if load[month_of(p, s.day)] + 60 <= 540:
            load[month_of(p, s.day)] += 60
            booked.append(s)
    oct_ = 1
    assert load[oct_] == 480 and minutes(p, booked, 1)[oct_] == 180
    out = run(p, booked)
    assert minutes(p, out.sessions, 1)[oct_] == 240  # the monthly minimum is met first
    assert minutes(p, out.sessions, 2)[oct_] == minutes(p, booked, 2)[oct_]
    for m in range(len(p.months)):
        assert sum(minutes(p, out.sessions, pid)[m] for pid in (1, 2)) <= 540
    # pair 2 takes what the cap leaves in the other months
    left = sum(540 - load[m] for m in range(len(p.months)) if m != oct_)
    assert sum(minutes(p, out.sessions, 2)) - sum(minutes(p, booked, 2)) == left


def test_pair_monthly_maximum_holds() -> None:
    pairs = [
        demand(
            1,
            [window(TUE, "15:00", "16:00"), window(THU, "15:00", "16:00")],
            month_max=300,
            total=3000,
        )
    ]
    p = make_problem(pairs, lengths=(60,))
    booked = weekly_sessions(p, 1, TUE, "15:00", "16:00")
    out = run(p, booked)
    assert out.added > 0
    assert max(minutes(p, out.sessions, 1)) == 300
    _, yearly = shortfall_minutes(p, out.sessions)
    # ten months of at most five hours: 50 h is all the maximum allows, here fully used
    assert yearly[1] == max(
        0,
        3000
        - sum(
            min(
                300,
                60 * sum(1 for d in p.days if d.weekday() in (TUE, THU) and month_of(p, d) == m),
            )
            for m in range(len(p.months))
        ),
    )


def test_a_standing_session_is_lengthened_where_the_window_allows() -> None:
    """Pair 1's window is Tue 15:00-17:00 but pair 2 (same site) holds 16:00-17:00 on most
    Tuesdays; where pair 2 does not meet, pair 1's session grows instead of a second trip."""
    _, days = school_year()
    tuesdays = [d for d in days if d.weekday() == TUE]
    free = set(tuesdays[::4])
    pairs = [
        demand(1, [window(TUE, "15:00", "17:00")], total=45 * 60),
        demand(2, [window(TUE, "16:00", "17:00")]),
    ]
    p = make_problem(pairs, lengths=(60, 90, 120))
    booked = weekly_sessions(p, 1, TUE, "15:00", "16:00") + weekly_sessions(
        p, 2, TUE, "16:00", "17:00", skip=free
    )
    out = run(p, booked)
    longer = [s for s in out.sessions if s.kind == LENGTHENED]
    assert longer and out.lengthened == len(longer)
    assert all(s.day in free and s.start == hm("15:00") for s in longer)
    assert not [s for s in out.sessions if s.kind == MAKEUP]
    _, yearly = shortfall_minutes(p, out.sessions)
    assert yearly[1] == 0


def test_nothing_is_added_where_the_rules_forbid_it() -> None:
    """Pair 1's only other time is right before pair 2's session at a site 30 minutes away;
    and a pair whose windows hold too little keeps its honest cause."""
    pairs = [
        demand(
            1, [window(MON, "09:00", "10:00"), window(TUE, "15:00", "16:00")], site=0, total=3000
        ),
        demand(2, [window(TUE, "16:00", "17:00")], site=1),
    ]
    p = make_problem(pairs, lengths=(60,))
    booked = weekly_sessions(p, 1, MON, "09:00", "10:00") + weekly_sessions(
        p, 2, TUE, "16:00", "17:00"
    )
    out = run(p, booked)
    assert sorted(out.sessions, key=repr) == sorted(booked, key=repr)

    fridays_only = [demand(1, [window(FRI, "12:00", "13:00")], total=2400)]
    fridays = [d for d in school_year()[1] if d.weekday() == FRI]
    p = make_problem(fridays_only, blackout=set(fridays[:-39]), lengths=(60,))
    r = solve_coach_schedule(p)
    assert all(s.kind == STANDING for s in r.sessions)
    (short,) = r.shortfalls
    assert short.cause == TOO_FEW_DAYS and short.scheduled_minutes == short.alone_max_minutes


def test_other_pairs_time_is_the_cause_when_make_ups_cannot_fit() -> None:
    """Two pairs share one Tuesday hour and nothing else: after make-ups, what is left short is
    the other pair's doing (not the standing week's), and the calendar stays valid."""
    hour = [window(TUE, "15:00", "16:00")]
    p = make_problem([demand(1, hour, month_min=180), demand(2, hour, month_min=180)])
    r = solve_coach_schedule(p)
    assert rule_breaks(p, r.sessions) == []
    assert r.shortfalls and {s.cause for s in r.shortfalls} == {COACH_TIME_TAKEN}


def random_coach(seed: int, n_pairs: int) -> CoachScheduleProblem:
    rng = random.Random(seed)
    pairs = []
    for i in range(n_pairs):
        windows = []
        for d in rng.sample(range(5), rng.randint(1, 3)):
            s = rng.choice(range(hm("07:00"), hm("16:00"), 30))
            windows.append(TimeWindow(d, s, min(hm("18:00"), s + rng.choice([60, 90, 120, 180]))))
        pairs.append(
            demand(
                i,
                windows,
                site=rng.randrange(3),
                first=rng.choice([0, 0, 0, 2, 5]),
                month_min=rng.choice([0, 120, 180]),
                month_max=rng.choice([None, 240, 360]),
                total=rng.choice([0, 1500, 2400]),
            )
        )
    travel = tuple(tuple(0 if a == b else rng.randint(10, 60) for b in range(3)) for a in range(3))
    _, days = school_year()
    blackout = set(rng.sample(days, rng.randint(0, 30)))
    return make_problem(
        pairs,
        blackout=blackout,
        travel=travel,
        cap=rng.choice([None, None, 900, 1500]),
        max_slots_per_pair=rng.choice([1, 2]),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_pairs=st.integers(1, 5))
def test_random_coaches_stay_valid_and_never_miss_more(seed: int, n_pairs: int) -> None:
    p = random_coach(seed, n_pairs)
    before = solve_coach_schedule(p, seed=1, makeup=False)
    after = solve_coach_schedule(p, seed=1)
    assert rule_breaks(p, after.sessions) == []
    month_before, year_before = shortfall_minutes(p, before.sessions)
    month_after, year_after = shortfall_minutes(p, after.sessions)
    assert all(month_after[k] <= v for k, v in month_before.items())
    assert all(year_after[k] <= v for k, v in year_before.items())
    # standing sessions are kept, or replaced by a longer session containing them
    after_set = set(after.sessions)
    for s in before.sessions:
        if s not in after_set:
            assert any(
                t.kind == LENGTHENED
                and t.pair_id == s.pair_id
                and t.day == s.day
                and t.start <= s.start
                and s.end <= t.end
                for t in after.sessions
            )
    # the reported shortfalls are exactly the ones the calendar has
    reported = {(f.pair_id, f.month) for f in after.shortfalls}
    missing = {k for k, v in month_after.items() if v > 0}
    missing |= {(pid, None) for pid, v in year_after.items() if v > 0}
    assert reported == missing
    # deterministic
    again = solve_coach_schedule(p, seed=1)
    assert again.sessions == after.sessions
