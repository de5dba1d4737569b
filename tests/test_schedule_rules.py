"""The production schedule checker (``matcher.scheduling.check``) and issue 12's travel bug.

Issue 12: sessions at two sites 13 km apart, back to back on one coach's alternate Fridays,
0 minutes between them. The scheduler was right about the problem it was given; the problem
was wrong: sites were keyed by (district, site) name with the first candidate's coordinates,
so a site whose first candidate had no coordinates, or two candidates sharing a site name at
different coordinates, got 0 travel minutes. These tests run that shape end to end and judge
the output with the independent checker (``tests/independent``) and the production checker;
the production checker is then tested rule by rule, and the CLI's refusal to write.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_program
from independent import check_schedule as independent_check
from independent import load_program as independent_load

from matcher.cli import EXIT_SCHEDULE_RULES, main
from matcher.io.loading import load_program
from matcher.problem import Candidate
from matcher.scheduling import check as rules
from matcher.scheduling.check import check_schedule
from matcher.scheduling.sessions import (
    SessionRow,
    coach_problem,
    coaching_days,
    month_spans,
    session_places,
)

runner = CliRunner()
KM_PER_DEGREE = 6371.0 * math.pi / 180
LAT_13KM = 37.0 + 13 / KM_PER_DEGREE
LAT_100KM = 37.0 + 100 / KM_PER_DEGREE  # 120 min at 50 km/h
SITE_A = {"site": "Site A", "lat": "37.0", "lon": "-122.0"}
SITE_B = {"site": "Site B", "lat": repr(LAT_13KM), "lon": "-122.0"}
ISSUE12_TOML = "[coaching]\nsession_minutes = [90, 120]\n"
ISSUE12_COACH = {"available": "Fri 13:45-17:45", "capacity": "4"}

SHAPES = {
    # the site's first candidate of the coach has no coordinates (names differ, as reported)
    "first_of_site_without_coordinates": [
        {"candidate_id": "Kc", "site": "Site B", "available": "Mon 08:00-10:00"},
        {"candidate_id": "Ka", **SITE_A, "available": "Fri 13:45-15:45"},
        {"candidate_id": "Kb", **SITE_B, "available": "Fri 15:45-17:45"},
    ],
    # one site name, two places 13 km apart
    "shared_site_name": [
        {"candidate_id": "Ka", **SITE_A, "available": "Fri 13:45-15:45"},
        {"candidate_id": "Kb", **SITE_B, "site": "Site A", "available": "Fri 15:45-17:45"},
    ],
    "two_named_sites": [
        {"candidate_id": "Ka", **SITE_A, "available": "Fri 13:45-15:45"},
        {"candidate_id": "Kb", **SITE_B, "available": "Fri 15:45-17:45"},
    ],
}


def _roster(path: Path, cands: list[dict[str, str]], coach: str = "C1") -> Path:
    lines = ["candidate_id,coach_id,status"]
    lines += [f"{k['candidate_id']},{coach},assigned" for k in cands]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_issue12_shape_keeps_travel_time_end_to_end(tmp_path, shape):
    cands = SHAPES[shape]
    folder = write_program(tmp_path / "program", [ISSUE12_COACH], cands, toml=ISSUE12_TOML)
    roster, out = _roster(tmp_path / "roster.csv", cands), tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "schedule",
            str(folder),
            "--roster",
            str(roster),
            "--out",
            str(out),
            "--quiet",
            "--no-xlsx",
        ],
    )
    assert result.exit_code == 0, result.output
    program = load_program(folder)
    problem = coach_problem(
        program,
        program.coaches[0],
        list(program.candidates),
        coaching_days(program),
        month_spans(program),
    )
    ids = [k.candidate_id for k in program.candidates]
    site_a, site_b = (problem.pairs[ids.index(k)].site for k in ("Ka", "Kb"))
    assert problem.travel_minutes[site_a][site_b] == 16  # 15.6 min, rounded up
    found = independent_check(
        independent_load(folder), roster, out / "schedule.csv", exempt={(k, "*") for k in ids}
    )
    assert found == []
    text = (out / "schedule.csv").read_text()
    fridays = {line.split(",")[2] for line in text.splitlines()[1:] if ",Kb," not in line}
    assert fridays, "no sessions"


def test_a_candidate_without_coordinates_takes_its_sites_place():
    """Kc (no lat/lon) works at Site B, which Kb places: the scheduler keeps travel between
    Kc and Site A too, though the contract could not check it."""

    def cand(cid, site, lat=None, lon=None):
        return Candidate(
            candidate_id=cid,
            region="North",
            role="principal",
            program_year=1,
            site=site,
            lat=lat,
            lon=lon,
        )

    places = session_places(
        [
            cand("Kc", "Site B"),
            cand("Ka", "Site A", 37.0, -122.0),
            cand("Kb", "Site B", LAT_13KM, -122.0),
            cand("Kd", "Site C"),
            cand("Ke", ""),
        ]
    )
    assert places[0] == places[2] == (LAT_13KM, -122.0)
    assert places[3] == ("", "Site C") and places[4] == ("", "#Ke")


# ----------------------------------------------------------------------------- the checker


def _hm(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def _row(cid: str, day: str, start: str, end: str, coach: str = "C1", site: str = "") -> SessionRow:
    return SessionRow(cid, coach, dt.date.fromisoformat(day), _hm(start), _hm(end), site)


def test_the_checker_finds_issue12_calendar_and_names_rule_coach_and_date(tmp_path):
    cands = SHAPES["two_named_sites"]
    program = load_program(write_program(tmp_path / "p", [ISSUE12_COACH], cands, toml=ISSUE12_TOML))
    fridays = [dt.date(2026, 8, 7) + dt.timedelta(days=14 * i) for i in range(10)]
    closed = program.policy.calendar.closed_days()
    fridays = [d for d in fridays if d not in closed]
    rows = [
        row
        for d in fridays
        for row in (
            _row("Ka", d.isoformat(), "13:45", "15:45", site="Site A"),
            _row("Kb", d.isoformat(), "15:45", "17:45", site="Site B"),
        )
    ]
    found = check_schedule(program, rows, {"Ka": "C1", "Kb": "C1"})
    assert [v.rule for v in found] == [rules.TRAVEL] * len(fridays)
    assert [v.date for v in found] == fridays and {v.coach_id for v in found} == {"C1"}
    assert str(found[0]).startswith("travel time: coach C1, 2026-08-07: candidate Kb 15:45-17:45")
    assert "15.6 min of travel needed" in str(found[0])


RULES_TOML = (
    '[coaching]\nmonths = ["2026-09", "2026-10"]\nmax_pair_hours_per_month = 4\n'
    'day_start = "08:00"\nday_end = "17:00"\n'
    '[calendar]\nblackout = ["2026-09-07"]\ncoach_meetings = ["2026-09-09"]\n'
)
RULES_COACHES = [
    {
        "coach_id": "C1",
        "available": "Mon 08:00-17:00;Tue 08:00-17:00;Wed 08:00-17:00;"
        "Thu 08:00-12:00;Fri 08:00-17:00",
        "max_hours_per_month": "6",
    },
    {"coach_id": "C2"},
]
RULES_CANDIDATES = [
    {"candidate_id": "K1", "site": "North High", "lat": "37.0", "lon": "-122.0"},
    {
        "candidate_id": "K2",
        "site": "South High",
        "lat": repr(LAT_100KM),
        "lon": "-122.0",
        "available": "Mon 08:00-17:00;Tue 08:00-17:00;Thu 08:00-17:00",
        "start_month": "2026-10",
    },
    {"candidate_id": "K3", "site": "East High"},
]
RULES_ASSIGNMENT = {"K1": "C1", "K2": "C1", "K3": "C2"}
VALID_ROWS = [
    ("K1", "2026-09-01", "09:00", "10:00", "C1", "North High"),
    ("K1", "2026-09-15", "09:00", "11:00", "C1", "North High"),
    ("K2", "2026-10-06", "09:00", "10:00", "C1", "South High"),
    ("K1", "2026-10-06", "12:00", "13:30", "C1", "North High"),
    ("K3", "2026-09-01", "09:00", "10:00", "C2", "East High"),
]
BREAKS = {  # rule -> rows added to the valid ones
    rules.PAIR: [("K3", "2026-09-02", "09:00", "10:00", "C1", "East High")],
    rules.MONTH: [("K1", "2026-11-03", "09:00", "10:00", "C1", "North High")],
    rules.WEEKDAY: [("K3", "2026-09-05", "09:00", "10:00", "C2", "East High")],
    rules.BLACKOUT: [("K1", "2026-09-07", "09:00", "10:00", "C1", "North High")],
    rules.MEETING: [("K1", "2026-09-09", "09:00", "10:00", "C1", "North High")],
    rules.LENGTH: [("K1", "2026-09-02", "09:00", "09:45", "C1", "North High")],
    rules.DAY_HOURS: [("K3", "2026-09-02", "07:00", "08:00", "C2", "East High")],
    rules.COACH_WINDOW: [("K1", "2026-09-03", "12:00", "13:00", "C1", "North High")],
    rules.CANDIDATE_WINDOW: [("K2", "2026-10-07", "09:00", "10:00", "C1", "South High")],
    rules.LOCATION: [("K1", "2026-09-02", "09:00", "10:00", "C1", "Lincoln High")],
    rules.START_MONTH: [("K2", "2026-09-14", "09:00", "10:00", "C1", "South High")],
    rules.COACH_OVERLAP: [("K1", "2026-09-01", "09:30", "10:30", "C1", "North High")],
    # a candidate has one coach, so this only arises without the pair check (see below)
    rules.CANDIDATE_OVERLAP: [
        ("K3", "2026-09-16", "09:00", "10:00", "C2", "East High"),
        ("K3", "2026-09-16", "09:30", "10:30", "C1", "East High"),
    ],
    rules.TRAVEL: [("K2", "2026-10-06", "14:30", "15:30", "C1", "South High")],
    rules.PAIR_MONTH_MAX: [
        ("K1", "2026-09-22", "09:00", "11:00", "C1", "North High"),
        ("K1", "2026-09-23", "09:00", "10:00", "C1", "North High"),
    ],
    rules.COACH_MONTH_MAX: [
        ("K2", "2026-10-13", "09:00", "11:00", "C1", "South High"),
        ("K1", "2026-10-20", "09:00", "11:00", "C1", "North High"),
    ],
}


@pytest.fixture(scope="module")
def rules_program(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules") / "program"
    return load_program(write_program(folder, RULES_COACHES, RULES_CANDIDATES, toml=RULES_TOML))


def test_the_valid_calendar_passes(rules_program):
    rows = [_row(*r[:4], coach=r[4], site=r[5]) for r in VALID_ROWS]
    assert check_schedule(rules_program, rows, RULES_ASSIGNMENT) == []


def test_every_rule_is_checked():
    assert set(BREAKS) == set(rules.RULES)


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_broken_rule_is_found_alone(rules_program, rule):
    rows = [_row(*r[:4], coach=r[4], site=r[5]) for r in (*VALID_ROWS, *BREAKS[rule])]
    assignment = None if rule == rules.CANDIDATE_OVERLAP else RULES_ASSIGNMENT
    found = check_schedule(rules_program, rows, assignment)
    assert found and {v.rule for v in found} == {rule}, [str(v) for v in found]


def test_travel_between_every_two_sessions_not_only_consecutive(rules_program):
    """K3 (no coordinates) in between must not hide the hop from K1 to K2."""
    rows = [
        _row("K1", "2026-10-06", "09:00", "10:00", site="North High"),
        _row("K3", "2026-10-06", "10:00", "11:00", site="East High"),
        _row("K2", "2026-10-06", "11:00", "12:00", site="South High"),
    ]
    found = check_schedule(rules_program, rows, {**RULES_ASSIGNMENT, "K3": "C1"})
    assert [v.rule for v in found] == [rules.TRAVEL]


# ----------------------------------------------------------------------------- the CLI refuses


def test_schedule_refuses_to_write_a_calendar_that_breaks_a_rule(tmp_path, monkeypatch):
    import matcher.scheduling.sessions as scheduling

    cands = SHAPES["two_named_sites"]
    folder = write_program(tmp_path / "program", [ISSUE12_COACH], cands, toml=ISSUE12_TOML)
    roster, out = _roster(tmp_path / "roster.csv", cands), tmp_path / "out"
    real = scheduling.schedule

    def broken(*args, **kwargs):
        result = real(*args, **kwargs)
        bad = _row("Kb", "2026-08-07", "13:45", "15:45", site="Site B")
        return type(result)(
            (*result.sessions, bad), result.shortfalls, result.coaches, result.seconds, result.stats
        )

    monkeypatch.setattr(scheduling, "schedule", broken)
    result = runner.invoke(
        main, ["schedule", str(folder), "--roster", str(roster), "--out", str(out), "--quiet"]
    )
    assert result.exit_code == EXIT_SCHEDULE_RULES, result.output
    assert not out.exists()
    assert "coach overlap: coach C1, 2026-08-07" in result.output
    assert "Traceback" not in result.output


def test_plan_refuses_to_write_a_calendar_that_breaks_a_rule(tmp_path, monkeypatch):
    import matcher.scheduling.check as checker

    folder = write_program(tmp_path / "program", [{}], [{}])
    fake = rules.ScheduleViolation(rules.TRAVEL, "C1", dt.date(2026, 9, 1), "2026-09", "x")
    monkeypatch.setattr(checker, "check_schedule", lambda *a, **k: [fake])
    out = tmp_path / "out"
    result = runner.invoke(main, ["plan", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == EXIT_SCHEDULE_RULES, result.output
    assert not out.exists()
    assert "travel time: coach C1, 2026-09-01: x" in result.output


def test_a_coach_and_a_candidate_may_share_an_id(tmp_path):
    """Ids are unique per file only: each side's windows are its own."""
    coach = {"coach_id": "X1", "available": "Tue 09:00-12:00"}
    cand = {"candidate_id": "X1", "available": "Tue 10:00-17:00"}
    program = load_program(write_program(tmp_path / "p", [coach], [cand]))
    ok = _row("X1", "2026-09-01", "10:00", "11:00", coach="X1", site="Lincoln High")
    assert check_schedule(program, [ok], {"X1": "X1"}) == []
    late = _row("X1", "2026-09-01", "12:00", "13:00", coach="X1", site="Lincoln High")
    assert [v.rule for v in check_schedule(program, [late])] == [rules.COACH_WINDOW]
