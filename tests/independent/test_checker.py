"""Tests of the independent checker itself: it must catch each kind of violation.

Every test builds a small program folder in ``tmp_path`` so the expected answer can be
worked out by hand (or, for the optimum, by brute force over all assignments).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from . import (
    check_roster,
    check_roster_optimal,
    check_schedule,
    eligible,
    eligible_pairs,
    load_program,
    optimum,
    optimum_assignment,
    optimum_year2,
    pair_score,
    why_ineligible,
)
from .build import (
    candidate_row,
    coach_row,
    random_program,
    roster_rows,
    session,
    write_program,
    write_roster,
    write_schedule,
)
from .program import IndependentProgram, haversine_km, parse_bool, parse_windows

KM_01_DEG_LAT = 6371.0 * math.radians(0.1)  # coach_row() to candidate_row(): 11.12 km


# --------------------------------------------------------------------------- parsing


def test_parsing_helpers() -> None:
    """Booleans, windows and haversine follow the contract's spelling and radius."""
    for text in ("true", "TRUE", "Yes", "1"):
        assert parse_bool(text) is True
    for text in ("false", "No", "0", ""):
        assert parse_bool(text) is False
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert parse_windows("Mon 08:00-12:00;Wed 13:00-16:30") == [(0, 480, 720), (2, 780, 990)]
    assert parse_windows("Mon 08:00-09:00; Mon 09:00-10:00") == [(0, 480, 600)]
    assert haversine_km(37.0, -122.0, 37.1, -122.0) == pytest.approx(KM_01_DEG_LAT)


def test_defaults_without_program_toml(tmp_path: Path) -> None:
    """No program.toml: every key takes the contract's default."""
    program = load_program(write_program(tmp_path, [coach_row()], [candidate_row()]))
    assert len(program.months) == 10
    assert program.monthly_need() == 4.0  # max(3.0, 40 / 10)
    assert program.config["eligibility"]["max_travel_km"] == 80
    assert program.session_minutes == [60, 90, 120]


def test_partial_toml_keeps_other_defaults(tmp_path: Path) -> None:
    """A key set in program.toml overrides only that key."""
    toml = "[weights]\nlevel = 5.0\n[coaching]\nmin_hours_per_month = 4.5\n"
    program = load_program(write_program(tmp_path, [coach_row()], [candidate_row()], toml=toml))
    assert program.config["weights"]["level"] == 5.0
    assert program.config["weights"]["language"] == 1.0
    assert program.monthly_need() == 4.5


def test_xlsx_tables_read_like_csv(tmp_path: Path) -> None:
    """The same tables as .xlsx give the same eligible pairs and scores as .csv."""
    coaches = [coach_row(), coach_row(coach_id="C2", region="South", capacity=1)]
    cands = [candidate_row(), candidate_row(candidate_id="K2", program_year=1, lat="", lon="")]
    csv_prog = load_program(write_program(tmp_path / "csv", coaches, cands))
    xdir = tmp_path / "xlsx"
    xdir.mkdir()
    for name, rows in (("coaches", coaches), ("candidates", cands)):
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        header = list(rows[0])
        sheet.append(header)
        for row in rows:
            sheet.append([None if row[h] == "" else row[h] for h in header])
        book.save(xdir / f"{name}.xlsx")
    assert eligible_pairs(load_program(xdir)) == eligible_pairs(csv_prog)


# --------------------------------------------------------------------------- eligibility

# (case id, coach cells, candidate cells, org edges, program.toml, rule broken or None)
RULE_CASES: list[
    tuple[str, dict[str, Any], dict[str, Any], list[tuple[str, str]], str, int | None]
] = [
    ("base", {}, {}, [], "", None),
    ("1 expired", {"certification": "expired"}, {}, [], "", 1),
    ("1 none", {"certification": "none"}, {}, [], "", 1),
    ("1 in_progress year 2", {"certification": "in_progress"}, {}, [], "", 1),
    ("1 in_progress year 1", {"certification": "in_progress"}, {"program_year": 1}, [], "", None),
    (
        "1 in_progress not allowed",
        {"certification": "in_progress"},
        {"program_year": 1},
        [],
        "[eligibility]\nallow_in_progress_certification = false\n",
        1,
    ),
    ("2 no cnet", {"cnet_current": "no"}, {}, [], "", 2),
    ("2 empty cnet", {"cnet_current": ""}, {}, [], "", 2),
    (
        "2 cnet not required",
        {"cnet_current": "0"},
        {},
        [],
        "[eligibility]\nrequire_cnet = false\n",
        None,
    ),
    ("3 other region", {}, {"region": "South"}, [], "", 3),
    ("3 region served", {"regions_served": "East;South"}, {"region": "South"}, [], "", None),
    ("4 role", {}, {"role": "coordinator"}, [], "", 4),
    (
        "4 role need not match",
        {},
        {"role": "coordinator"},
        [],
        "[eligibility]\nrole_must_match = false\n",
        None,
    ),
    ("5 direct supervisor", {"person_id": "P_S1"}, {}, [], "", 5),
    (
        "5 direct supervisor, direct mode",
        {"person_id": "P_S1"},
        {},
        [],
        '[eligibility]\nsupervisor_conflict = "direct"\n',
        5,
    ),
    ("5 chain via org", {"person_id": "P_TOP"}, {}, [("P_S1", "P_MID"), ("P_MID", "P_TOP")], "", 5),
    (
        "5 chain ignored in direct mode",
        {"person_id": "P_TOP"},
        {},
        [("P_S1", "P_MID"), ("P_MID", "P_TOP")],
        '[eligibility]\nsupervisor_conflict = "direct"\n',
        None,
    ),
    (
        "5 org line of the candidate itself",
        {"person_id": "P_ORG"},
        {"supervisor_id": ""},
        [("P_K1", "P_ORG")],
        '[eligibility]\nsupervisor_conflict = "direct"\n',
        5,
    ),
    ("5 sideways is fine", {"person_id": "P_PEER"}, {}, [("P_PEER", "P_S1")], "", None),
    ("6 excluded", {}, {"exclude_coach_ids": "C9;C1"}, [], "", 6),
    ("7 too far", {}, {"lat": 38.0}, [], "", 7),
    ("7 no limit", {}, {"lat": 38.0}, [], "[eligibility]\nmax_travel_km = 0\n", None),
    ("7 no coordinates", {"lat": "", "lon": ""}, {"lat": 45.0}, [], "", None),
    ("8 too few years", {"admin_years": 2}, {}, [], "[eligibility]\nmin_admin_years = 3\n", 8),
    (
        "8 years not given",
        {"admin_years": ""},
        {},
        [],
        "[eligibility]\nmin_admin_years = 3\n",
        None,
    ),
    (
        "9 overlap too short",
        {"available": "Mon 08:00-09:00"},
        {"available": "Mon 08:30-10:00"},
        [],
        "",
        9,
    ),
    (
        "9 different days",
        {"available": "Mon 08:00-12:00"},
        {"available": "Tue 08:00-12:00"},
        [],
        "",
        9,
    ),
    (
        "9 weekend only",
        {"available": "Sat 08:00-12:00"},
        {"available": "Sat 08:00-12:00"},
        [],
        "",
        9,
    ),
    (
        "9 clipped by day_start",
        {"available": "Mon 06:00-07:30"},
        {"available": "Mon 06:00-08:00"},
        [],
        "",
        9,
    ),
    (
        "9 enough after clipping",
        {"available": "Mon 06:00-08:00"},
        {"available": "Mon 06:00-08:00"},
        [],
        "",
        None,
    ),
    ("9 one side has no windows", {"available": "Sat 08:00-09:00"}, {}, [], "", None),
    (
        "9 shortest session counts",
        {"available": "Mon 08:00-08:45"},
        {"available": "Mon 08:00-12:00"},
        [],
        "[coaching]\nsession_minutes = [45, 90]\n",
        None,
    ),
]


@pytest.mark.parametrize(
    ("coach", "cand", "org", "toml", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES],
)
def test_each_rule(
    tmp_path: Path,
    coach: dict[str, Any],
    cand: dict[str, Any],
    org: list[tuple[str, str]],
    toml: str,
    rule: int | None,
) -> None:
    """Each case breaks exactly the named rule (or none), and check_roster reports it."""
    folder = write_program(
        tmp_path, [coach_row(**coach)], [candidate_row(**cand)], org=org, toml=toml
    )
    program = load_program(folder)
    broken = why_ineligible(program, "C1", "K1")
    if rule is None:
        assert broken == []
        assert eligible(program, "C1", "K1")
    else:
        assert [b.split(":")[0] for b in broken] == [f"rule {rule}"]
        assert not eligible(program, "C1", "K1")
    roster = write_roster(tmp_path / "roster.csv", roster_rows(program, {"K1": "C1"}))
    problems = check_roster(program, roster)
    if rule is None:
        assert problems == []
    else:
        assert any(f"rule {rule}:" in p for p in problems), problems


def test_chain_through_another_candidates_line(tmp_path: Path) -> None:
    """A candidate's supervisor may itself be a candidate: its line is part of the graph."""
    cands = [
        candidate_row(candidate_id="K1", supervisor_id="P_K2"),
        candidate_row(candidate_id="K2", person_id="P_K2", supervisor_id="P_BOSS"),
    ]
    program = load_program(write_program(tmp_path, [coach_row(person_id="P_BOSS")], cands))
    assert program.above["K1"] == {"P_K2", "P_BOSS"}
    assert "rule 5" in why_ineligible(program, "C1", "K1")[0]


# --------------------------------------------------------------------------- score


def test_pair_score_by_hand(tmp_path: Path) -> None:
    """Base pair: level 2 + language 1 + cpsel 2*1/2 - 11.12 km/100; then the bonuses."""
    toml = "[weights]\nsame_district = 0.5\n"
    cands = [
        candidate_row(),
        candidate_row(candidate_id="K2", current_coach_id="C1", preferred_coach_ids="C7;C1"),
        candidate_row(
            candidate_id="K3", languages="", cpsel_focus="", level="", lat="", district=""
        ),
    ]
    program = load_program(write_program(tmp_path, [coach_row()], cands, toml=toml))
    base = 2.0 + 1.0 + 1.0 - KM_01_DEG_LAT / 100 + 0.5
    assert pair_score(program, "C1", "K1") == pytest.approx(base)
    assert pair_score(program, "C1", "K2") == pytest.approx(base + 10.0 + 3.0)
    assert pair_score(program, "C1", "K3") == pytest.approx(0.0)


# --------------------------------------------------------------------------- roster


def _roster_program(tmp_path: Path) -> IndependentProgram:
    """Two coaches, three candidates; C1 has room for 2 and 8 h a month (2 candidates)."""
    coaches = [
        coach_row(coach_id="C1", capacity=2, max_hours_per_month=8),
        coach_row(coach_id="C2", person_id="P_C2", capacity=1),
    ]
    cands = [
        candidate_row(candidate_id="K1", current_coach_id="C1"),
        candidate_row(candidate_id="K2", lat="", lon=""),
        candidate_row(candidate_id="K3", region="Elsewhere"),
    ]
    return load_program(write_program(tmp_path / "prog", coaches, cands))


def _check(tmp_path: Path, program: IndependentProgram, rows: list[dict[str, Any]]) -> list[str]:
    return check_roster(program, write_roster(tmp_path / "roster.csv", rows))


def test_valid_roster_passes(tmp_path: Path) -> None:
    """The correct roster, written from the contract, has no violations."""
    program = _roster_program(tmp_path)
    rows = roster_rows(program, {"K1": "C1", "K2": "C2"})
    assert _check(tmp_path, program, rows) == []


@pytest.mark.parametrize(
    ("mutate", "expect"),
    [
        pytest.param(lambda rows: rows[:2], "K3: no roster row", id="missing row"),
        pytest.param(
            lambda rows: [rows[1], rows[0], rows[2]], "not in input order", id="wrong order"
        ),
        pytest.param(lambda rows: [*rows, rows[0]], "more than one roster row", id="duplicate"),
        pytest.param(
            lambda rows: [{**rows[0], "status": "maybe"}, *rows[1:]],
            "status 'maybe'",
            id="bad status",
        ),
        pytest.param(
            lambda rows: [{**rows[0], "coach_id": ""}, *rows[1:]],
            "coach_id is empty",
            id="assigned without coach",
        ),
        pytest.param(
            lambda rows: [*rows[:2], {**rows[2], "coach_id": "C1"}],
            "unassigned but coach_id",
            id="unassigned with coach",
        ),
        pytest.param(
            lambda rows: [*rows[:2], {**rows[2], "reason": ""}],
            "without a reason",
            id="unassigned without reason",
        ),
        pytest.param(
            lambda rows: [
                *rows[:2],
                {**rows[2], "coach_id": "C1", "status": "assigned", "reason": ""},
            ],
            "rule 3:",
            id="ineligible pair",
        ),
        pytest.param(
            lambda rows: [rows[0], {**rows[1], "coach_id": "C9"}, rows[2]],
            "not in coaches",
            id="unknown coach",
        ),
        pytest.param(
            lambda rows: [{**rows[0], "score": "99"}, *rows[1:]], "score 99.0 but", id="wrong score"
        ),
        pytest.param(
            lambda rows: [{**rows[0], "travel_km": "12.5"}, *rows[1:]],
            "travel_km 12.5 but",
            id="wrong km",
        ),
        pytest.param(
            lambda rows: [{**rows[0], "travel_km": ""}, *rows[1:]], "travel_km ''", id="missing km"
        ),
        pytest.param(
            lambda rows: [rows[0], {**rows[1], "travel_km": "3.0"}, rows[2]],
            "lat/lon missing",
            id="km without coordinates",
        ),
        pytest.param(
            lambda rows: [{**rows[0], "continuity": "false"}, *rows[1:]],
            "continuity 'false', expected true",
            id="wrong continuity",
        ),
        pytest.param(
            lambda rows: [
                rows[0],
                {**rows[1], "coach_id": "C1", "continuity": "false", "score": "4.0"},
                rows[2],
            ],
            "",
            id="move K2 to C1 is fine",
        ),
    ],
)
def test_roster_violations(tmp_path: Path, mutate: Any, expect: str) -> None:
    """Each mutation of a valid roster is reported (empty ``expect`` = still valid)."""
    program = _roster_program(tmp_path)
    rows = mutate(roster_rows(program, {"K1": "C1", "K2": "C2"}))
    problems = _check(tmp_path, program, rows)
    if expect:
        assert any(expect in p for p in problems), problems
    else:
        assert problems == []


def test_roster_missing_column(tmp_path: Path) -> None:
    """A roster without a contract column is rejected outright."""
    program = _roster_program(tmp_path)
    rows = roster_rows(program, {})
    path = tmp_path / "roster.csv"
    path.write_text(
        "candidate_id,coach_id,status\n"
        + "".join(f"{r['candidate_id']},,unassigned\n" for r in rows)
    )
    assert "missing columns" in check_roster(program, path)[0]


def test_capacity_exceeded(tmp_path: Path) -> None:
    """Two candidates on a coach with capacity 1."""
    program = _roster_program(tmp_path)
    problems = _check(tmp_path, program, roster_rows(program, {"K1": "C2", "K2": "C2"}))
    assert problems == ["coach C2: 2 candidates exceed capacity 1"]


def test_hours_exceeded_and_start_month(tmp_path: Path) -> None:
    """8 h/month at 4 h need: 2 candidates fit; a third counts only from its start month."""
    coaches = [coach_row(capacity=5, max_hours_per_month=8)]
    cands = [
        candidate_row(candidate_id=f"K{i}", start_month=s)
        for i, s in enumerate(["", "2026-08", "2027-05"])
    ]
    program = load_program(write_program(tmp_path / "p", coaches, cands))
    problems = _check(tmp_path, program, roster_rows(program, {f"K{i}": "C1" for i in range(3)}))
    assert problems == ["coach C1: 2027-05 needs 12 h for 3 candidates, over max_hours_per_month 8"]
    # a start after the last program month needs no hours at all
    cands[2]["start_month"] = "2027-06"
    program = load_program(write_program(tmp_path / "q", coaches, cands))
    assert _check(tmp_path, program, roster_rows(program, {f"K{i}": "C1" for i in range(3)})) == []


# --------------------------------------------------------------------------- optimum


def _brute_force(program: IndependentProgram) -> tuple[int, int, float]:
    """Every assignment, checked against the contract's constraints as written:
    ``(year-2 assigned, assigned, score)`` of the best, year 2 first where set."""
    pairs = eligible_pairs(program)
    cands = list(program.candidates)
    options = [[None, *[c for c in program.coaches if (c, k) in pairs]] for k in cands]
    need = program.monthly_need()
    first = program.config["priority"]["year2_first"]
    best = (-1, -1, 0.0)
    for choice in itertools.product(*options):
        load: dict[str, list[str]] = {}
        for k, c in zip(cands, choice, strict=True):
            if c is not None:
                load.setdefault(c, []).append(k)
        ok = True
        for c, ks in load.items():
            coach = program.coaches[c]
            if len(ks) > coach.capacity:
                ok = False
                break
            if coach.max_hours_per_month is not None:
                for month in program.months:
                    active = sum(month in program.active_months(k) for k in ks)
                    if need * active > coach.max_hours_per_month + 1e-9:
                        ok = False
                        break
            if not ok:
                break
        if not ok:
            continue
        count = sum(c is not None for c in choice)
        score = sum(pairs[(c, k)] for k, c in zip(cands, choice, strict=True) if c is not None)
        year2 = sum(
            c is not None and program.candidates[k].program_year == 2
            for k, c in zip(cands, choice, strict=True)
        )
        levels = (year2 if first else 0, count)
        if levels > best[:2] or (levels == best[:2] and score > best[2] + 1e-9):
            best = (*levels, score)
    return best


def test_optimum_matches_brute_force(tmp_path: Path) -> None:
    """50 tiny random programs: the MILP optimum equals exhaustive search, and its roster
    passes check_roster (so check_roster and optimum agree on capacity and hours)."""
    rng = random.Random(20260801)
    started = time.perf_counter()
    nontrivial = binding = 0
    for case in range(50):
        folder = random_program(
            tmp_path / f"p{case}",
            rng.randint(1, 3),
            rng.randint(1, 6),
            seed=rng.randrange(10**9),
            n_regions=rng.choice([1, 2]),
            strict=0.4,
        )
        program = load_program(folder)
        n, score, assignment = optimum_assignment(program)
        want_year2, want_n, want_score = _brute_force(program)
        assert n == want_n, case
        assert score == pytest.approx(want_score, abs=1e-6), case
        assert (n, score) == optimum(program)
        year2 = sum(program.candidates[k].program_year == 2 for k in assignment)
        if program.config["priority"]["year2_first"]:
            assert year2 == want_year2, case
            assert optimum_year2(program) == (year2, n, score)
        nontrivial += n > 0
        coachable = {k for _, k in eligible_pairs(program)}
        binding += n < len(coachable)  # capacity or hours cut coverage
        roster = write_roster(tmp_path / f"roster{case}.csv", roster_rows(program, assignment))
        assert check_roster(program, roster) == [], case
    # the generator must not produce only empty or unconstrained problems
    assert nontrivial >= 25
    assert binding >= 10
    assert time.perf_counter() - started < 10


def test_optimum_prefers_coverage_over_score(tmp_path: Path) -> None:
    """C1 is K1's favourite (+13) but the only coach for K2: coverage wins."""
    coaches = [
        coach_row(coach_id="C1", capacity=1),
        coach_row(coach_id="C2", person_id="P_C2", regions_served="", capacity=1),
    ]
    cands = [
        candidate_row(candidate_id="K1", current_coach_id="C1", preferred_coach_ids="C1"),
        candidate_row(candidate_id="K2", exclude_coach_ids="C2"),
    ]
    program = load_program(write_program(tmp_path, coaches, cands))
    n, _, assignment = optimum_assignment(program)
    assert n == 2
    assert assignment == {"K1": "C2", "K2": "C1"}


def test_optimum_puts_year2_first(tmp_path: Path) -> None:
    """One place (C1), two candidates: K1 (year 1) scores 13 more with C1 than K2 (year 2).

    The plain optimum gives the place to K1; year2_first (the default) to K2; switching it off
    gives the plain optimum back. Coverage stays at one either way."""
    coaches = [coach_row(coach_id="C1", capacity=1)]
    cands = [
        candidate_row(
            candidate_id="K1", program_year=1, current_coach_id="C1", preferred_coach_ids="C1"
        ),
        candidate_row(candidate_id="K2", program_year=2),
    ]
    program = load_program(write_program(tmp_path / "on", coaches, cands))
    year2, n, _ = optimum_year2(program)
    assert (year2, n) == (1, 1)
    assert optimum_assignment(program)[2] == {"K2": "C1"}
    program = load_program(
        write_program(tmp_path / "off", coaches, cands, toml="[priority]\nyear2_first = false\n")
    )
    assert optimum_assignment(program)[2] == {"K1": "C1"}
    assert optimum_year2(program)[:2] == (0, 1)


def test_roster_optimal_check_goes_level_by_level(tmp_path: Path) -> None:
    """The hand case above as rosters: the plain optimum's roster misses the year-2 level."""
    coaches = [coach_row(coach_id="C1", capacity=1)]
    cands = [
        candidate_row(
            candidate_id="K1", program_year=1, current_coach_id="C1", preferred_coach_ids="C1"
        ),
        candidate_row(candidate_id="K2", program_year=2),
    ]
    first = load_program(write_program(tmp_path / "on", coaches, cands))
    plain = load_program(
        write_program(tmp_path / "off", coaches, cands, toml="[priority]\nyear2_first = false\n")
    )
    k1 = write_roster(tmp_path / "k1.csv", roster_rows(first, {"K1": "C1"}))
    k2 = write_roster(tmp_path / "k2.csv", roster_rows(first, {"K2": "C1"}))
    none = write_roster(tmp_path / "none.csv", roster_rows(first, {}))
    assert check_roster_optimal(first, k1) == ["year-2 candidates assigned: 0, the optimum has 1"]
    assert check_roster_optimal(first, k2) == []
    assert check_roster_optimal(plain, k1) == []
    assert check_roster_optimal(plain, k2)[0].startswith("total pair score")
    assert check_roster_optimal(plain, none) == ["candidates assigned: 0, the optimum has 1"]


def test_optimum_scale(tmp_path: Path) -> None:
    """1,000 candidates x 130 coaches: load, eligibility and optimum in a few seconds."""
    months = [f"2026-{m:02d}" for m in range(8, 13)] + [f"2027-{m:02d}" for m in range(1, 6)]
    folder = random_program(tmp_path / "big", 130, 1000, seed=7, months=months, n_regions=6)
    started = time.perf_counter()
    program = load_program(folder)
    n, _, assignment = optimum_assignment(program)
    roster = write_roster(tmp_path / "roster.csv", roster_rows(program, assignment))
    assert check_roster(program, roster) == []
    assert n > 0
    assert time.perf_counter() - started < 20  # a few seconds on one shared core


# --------------------------------------------------------------------------- schedule

SCHEDULE_TOML = """
[coaching]
months = ["2026-09", "2026-10"]
min_hours_per_year = 4
min_hours_per_month = 2.0
max_pair_hours_per_month = 3.0
session_minutes = [60, 90, 120]
day_start = "07:00"
day_end = "18:00"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
travel_kmh = 50

[calendar]
blackout = ["2026-09-07", "2026-10-12..2026-10-16"]
coach_meetings = ["2026-09-30"]
"""

# K1 and K3 share site A (37.0, -122.0); K2 is at site B, 0.2 deg north = 22.2 km, i.e.
# 26.7 min at 50 km/h. K3 starts in October, so it needs 2 h that month and 2 h a year.
VALID_SESSIONS = [
    session("K1", "C1", "2026-09-08", "09:00", "10:00", "Site A"),
    session("K2", "C1", "2026-09-08", "10:30", "11:30", "Site B"),  # 30 min travel gap
    session("K1", "C1", "2026-09-15", "09:00", "10:00", "Site A"),
    session("K2", "C1", "2026-09-22", "09:00", "10:00", "Site B"),
    session("K1", "C1", "2026-10-06", "09:00", "11:00", "Site A"),
    session("K2", "C1", "2026-10-06", "11:30", "13:30", "Site B"),
    session("K3", "C1", "2026-10-20", "09:00", "11:00", "Site A"),
]


def _schedule_program(tmp_path: Path) -> tuple[IndependentProgram, Path]:
    coaches = [
        coach_row(
            coach_id="C1",
            capacity=3,
            max_hours_per_month=6,
            available="Mon 08:00-12:00;Tue 08:00-17:00",
        ),
        coach_row(coach_id="C2", person_id="P_C2"),
    ]
    cands = [
        candidate_row(
            candidate_id="K1",
            site="Site A",
            lat=37.0,
            lon=-122.0,
            available="Mon 08:00-12:00;Tue 08:00-12:00",
        ),
        candidate_row(candidate_id="K2", site="Site B", lat=37.2, lon=-122.0),
        candidate_row(
            candidate_id="K3", site="Site A", lat=37.0, lon=-122.0, start_month="2026-10"
        ),
        candidate_row(candidate_id="K4", region="Elsewhere"),
    ]
    program = load_program(write_program(tmp_path / "prog", coaches, cands, toml=SCHEDULE_TOML))
    roster = write_roster(
        tmp_path / "roster.csv", roster_rows(program, {"K1": "C1", "K2": "C1", "K3": "C1"})
    )
    return program, roster


def _schedule_problems(
    tmp_path: Path, sessions: list[dict[str, Any]], exempt: set[tuple[str, str]] | None = None
) -> list[str]:
    program, roster = _schedule_program(tmp_path)
    assert check_roster(program, roster) == []
    schedule = write_schedule(tmp_path / "schedule.csv", sessions)
    return check_schedule(program, roster, schedule, exempt)


def test_valid_schedule_passes(tmp_path: Path) -> None:
    """The hand-made schedule meets every rule (so the violations below are real)."""
    assert _schedule_problems(tmp_path, VALID_SESSIONS) == []


def _replace(index: int, **cells: str) -> list[dict[str, Any]]:
    """VALID_SESSIONS with one session changed (minutes recomputed)."""
    rows = [dict(s) for s in VALID_SESSIONS]
    old = rows[index]
    merged = {**old, **cells}
    rows[index] = session(
        merged["candidate_id"],
        merged["coach_id"],
        merged["date"],
        merged["start"],
        merged["end"],
        merged["location"],
    )
    return rows


@pytest.mark.parametrize(
    ("sessions", "expect"),
    [
        pytest.param(
            _replace(2, date="2026-09-07"),
            "candidate K1, 2026-09-07 09:00-10:00 (coach C1): blackout",
            id="blackout",
        ),
        pytest.param(
            _replace(4, date="2026-10-13"), "2026-10-13 is a blackout day", id="blackout range"
        ),
        pytest.param(_replace(3, date="2026-09-30"), "coach meeting", id="coach meeting"),
        pytest.param(_replace(3, date="2026-09-26"), "weekday: Sat", id="weekend"),
        pytest.param(
            _replace(3, date="2026-11-03"), "not a program month", id="outside program months"
        ),
        pytest.param(_replace(3, end="09:45"), "session length: 45 min", id="45 minutes"),
        pytest.param(_replace(3, start="16:30", end="18:30"), "day hours", id="after day_end"),
        pytest.param(
            _replace(2, start="13:00", end="14:00"), "candidate availability", id="candidate window"
        ),
        pytest.param(_replace(3, date="2026-09-23"), "coach availability", id="coach window"),
        pytest.param(
            _replace(1, start="09:30", end="10:30"), "overlap: coach C1", id="coach overlap"
        ),
        pytest.param(
            _replace(1, start="10:10", end="11:10"), "travel time: 10 min", id="travel time"
        ),
        pytest.param(_replace(3, location="Site A"), "location", id="wrong location"),
        pytest.param(_replace(6, date="2026-09-29"), "start month", id="before start"),
        pytest.param(
            [*VALID_SESSIONS, session("K4", "C1", "2026-09-29", "09:00", "10:00", "")],
            "not an assigned pair",
            id="unassigned candidate",
        ),
        pytest.param(
            [*VALID_SESSIONS, session("K1", "C2", "2026-09-08", "09:30", "10:30", "Site A")],
            "overlap: candidate K1 already has",
            id="candidate overlap",
        ),
        pytest.param(
            VALID_SESSIONS[:2] + VALID_SESSIONS[3:],
            "candidate K1, 2026-09 (coach C1): monthly minimum: 1 h",
            id="under-hours month",
        ),
        pytest.param(
            VALID_SESSIONS[:2] + VALID_SESSIONS[3:],
            "yearly minimum: 3 h under 4",
            id="under-hours year",
        ),
        pytest.param(
            VALID_SESSIONS[:6],
            "candidate K3, 2026-10 (coach C1): monthly minimum",
            id="late starter without sessions",
        ),
        pytest.param(
            [*VALID_SESSIONS, session("K1", "C1", "2026-09-29", "09:00", "11:00", "Site A")],
            "pair hours: 4 h over max_pair_hours_per_month 3",
            id="pair max",
        ),
        pytest.param(
            [*VALID_SESSIONS, session("K1", "C1", "2026-10-27", "09:00", "10:00", "Site A")],
            "coach C1, 2026-10: coach hours: 7 h over max_hours_per_month 6",
            id="coach max",
        ),
        pytest.param(
            [{**VALID_SESSIONS[0], "minutes": 90}, *VALID_SESSIONS[1:]],
            "minutes 90 is not end - start",
            id="minutes column",
        ),
    ],
)
def test_schedule_violations(tmp_path: Path, sessions: list[dict[str, Any]], expect: str) -> None:
    """Each broken rule is reported in a message naming candidate, date and rule."""
    problems = _schedule_problems(tmp_path, sessions)
    assert any(expect in p for p in problems), problems


def test_touching_sessions_same_site_need_no_gap(tmp_path: Path) -> None:
    """Back-to-back sessions at one site are fine: the coach does not travel."""
    sessions = [
        *VALID_SESSIONS[:6],
        session("K1", "C1", "2026-10-20", "09:00", "11:00", "Site A"),
        session("K3", "C1", "2026-10-20", "11:00", "13:00", "Site A"),
    ]
    sessions.pop(4)  # keep K1 at 2 h in October
    assert _schedule_problems(tmp_path, sessions) == []


def test_exemptions(tmp_path: Path) -> None:
    """Declared unmeetable months (and years) are skipped; everything else still checked."""
    short = VALID_SESSIONS[:2] + VALID_SESSIONS[3:]  # K1 has 1 h in September
    problems = _schedule_problems(tmp_path, short, {("K1", "2026-09")})
    assert len(problems) == 1
    assert "yearly minimum" in problems[0]
    assert _schedule_problems(tmp_path, short, {("K1", "2026-09"), ("K1", "year")}) == []
    assert _schedule_problems(tmp_path, short, {("K1", "*")}) == []
    # an exemption never excuses a session on a blackout day
    bad = [*short[:1], {**short[1], "date": "2026-09-07"}, *short[2:]]
    problems = _schedule_problems(tmp_path, bad, {("K2", "*"), ("K1", "*")})
    assert problems and all("blackout" in p or "coach availability" in p for p in problems)


def test_schedule_missing_column(tmp_path: Path) -> None:
    """A schedule without the location column is rejected outright."""
    program, roster = _schedule_program(tmp_path)
    path = tmp_path / "schedule.csv"
    path.write_text("candidate_id,coach_id,date,start,end,minutes\n")
    assert "missing columns" in check_schedule(program, roster, path)[0]


def _travel_problems(tmp_path: Path, places: dict[str, tuple[str, Any, Any]], rows) -> list[str]:
    """The checker on one Tuesday of coach C1, candidates at the given (site, lat, lon)."""
    coaches = [coach_row(coach_id="C1", capacity=3)]
    cands = [
        candidate_row(candidate_id=cid, site=site, lat=lat, lon=lon)
        for cid, (site, lat, lon) in places.items()
    ]
    program = load_program(write_program(tmp_path / "prog", coaches, cands, toml=SCHEDULE_TOML))
    roster = write_roster(
        tmp_path / "roster.csv", roster_rows(program, dict.fromkeys(places, "C1"))
    )
    sessions = [session(cid, "C1", "2026-09-08", a, b, places[cid][0]) for cid, a, b in rows]
    path = write_schedule(tmp_path / "schedule.csv", sessions)
    every = {(cid, "*") for cid in places}
    return check_schedule(program, roster, path, every)


def test_travel_is_measured_between_coordinates_not_site_names(tmp_path: Path) -> None:
    """Issue 12: two candidates sharing a site name 22 km apart still need the travel time."""
    places = {"K1": ("Site A", 37.0, -122.0), "K2": ("Site A", 37.2, -122.0)}
    rows = [("K1", "09:00", "10:00"), ("K2", "10:00", "11:00")]
    problems = _travel_problems(tmp_path, places, rows)
    assert len(problems) == 1 and "travel time: 0 min" in problems[0]


def test_travel_between_every_two_sessions_of_a_day(tmp_path: Path) -> None:
    """A session without coordinates in between does not hide the 100 km hop around it."""
    places = {
        "K1": ("Site A", 37.0, -122.0),
        "K2": ("Site C", "", ""),
        "K3": ("Site B", 37.0 + 100 / (6371.0 * math.pi / 180), -122.0),
    }
    rows = [("K1", "09:00", "10:00"), ("K2", "10:00", "11:00"), ("K3", "11:00", "12:00")]
    problems = _travel_problems(tmp_path, places, rows)
    assert len(problems) == 1 and "after the session with candidate K1" in problems[0]
