"""Coaching begins within 30 days of the candidate's start: late first sessions are reported.

Small hand-made programs through the CLI (``assign`` → ``schedule``), and the explanation
logic on hand-made session lists, where the cause is known by construction.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from conftest import write_program

from matcher.cli import EXIT_SHORT_HOURS, main
from matcher.io.loading import load_program
from matcher.scheduling.late_start import late_starts, pair_start
from matcher.scheduling.sessions import SessionRow, coaching_days

runner = CliRunner()

# one month of blackout at the start: no coaching day before 2026-09-11
LATE_TOML = """
[coaching]
min_hours_per_month = 0
min_hours_per_year = 10
[calendar]
blackout = ["2026-08-01..2026-09-10"]
coach_meetings = []
"""


def _schedule(folder: Path, out: Path, *extra: str):
    result = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return runner.invoke(
        main,
        [
            "schedule",
            str(folder),
            "--roster",
            str(out / "roster.csv"),
            "--out",
            str(out),
            "--quiet",
            *extra,
        ],
    )


def test_blackout_makes_the_first_session_late_and_strict_fails(tmp_path):
    folder = write_program(
        tmp_path / "p",
        coaches=[{"coach_id": "C1", "available": "Mon 08:00-12:00"}],
        candidates=[
            {"candidate_id": "K1"},  # starts with the program: 2026-08-01
            {"candidate_id": "K2", "start_month": "2026-10"},  # starts after the blackout
        ],
        toml=LATE_TOML,
    )
    out = tmp_path / "out"
    result = _schedule(folder, out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    late = summary["schedule"]["late_start"]
    assert late["deadline_days"] == 30
    assert summary["schedule"]["pair_months_short"] == []  # late, yet no hours are short
    assert late["count"] == 1
    (pair,) = late["pairs"]
    assert (pair["candidate_id"], pair["coach_id"], pair["start"]) == ("K1", "C1", "2026-08-01")
    # the first Monday after the blackout is 2026-09-14, 14 days past the deadline 2026-08-31
    first = dt.date.fromisoformat(pair["first_session"])
    assert first >= dt.date(2026, 9, 14) and first.weekday() == 0
    assert pair["days_late"] == (first - dt.date(2026, 8, 31)).days >= 14
    assert pair["cause"] == "blackout_days"
    assert "Mon" in pair["reason"] and "until 2026-09-14" in pair["reason"]
    frame = pd.read_csv(out / "late_start.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "candidate_id",
        "coach_id",
        "start",
        "first_session",
        "days_late",
        "cause",
        "reason",
    ]
    assert frame.to_dict("records")[0]["days_late"] == str(pair["days_late"])
    strict = _schedule(folder, tmp_path / "strict", "--strict")
    assert strict.exit_code == EXIT_SHORT_HOURS


def test_no_late_start_no_file_and_strict_passes(tmp_path):
    folder = write_program(
        tmp_path / "p",
        coaches=[{"coach_id": "C1", "available": "Mon 08:00-12:00"}],
        candidates=[{"candidate_id": "K1"}],
    )
    out = tmp_path / "out"
    result = _schedule(folder, out, "--strict")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["schedule"]["late_start"]["count"] == 0
    assert not (out / "late_start.csv").exists()


def _program(tmp_path, toml=""):
    folder = write_program(
        tmp_path / "q",
        coaches=[{"coach_id": "C1", "available": "Mon 08:00-12:00;Thu 08:00-12:00"}],
        candidates=[{"candidate_id": "K1", "start_month": "2026-09"}, {"candidate_id": "K2"}],
        toml=toml,
    )
    return load_program(folder)


def test_a_later_slot_than_possible_is_the_coachs_time(tmp_path):
    program = _program(tmp_path)
    k1 = program.candidates[0]
    assert pair_start(program, k1) == dt.date(2026, 9, 1)
    sessions = [SessionRow("K1", "C1", dt.date(2026, 10, 8), 9 * 60, 10 * 60, "")]
    (late,) = late_starts(program, {"K1": "C1"}, sessions, {}, coaching_days(program))
    assert (late.first_session, late.days_late, late.cause) == (
        dt.date(2026, 10, 8),
        7,
        "coach_time_taken",
    )
    assert "2026-09-03" in late.reason and "Thu 09:00" in late.reason  # Thursday, the first day


def test_a_pair_without_sessions_is_late_with_the_short_hours_reason(tmp_path):
    program = _program(tmp_path)
    rows = late_starts(program, {"K2": "C1"}, [], {"K2": "no common window"}, ())
    assert [(r.candidate_id, r.first_session, r.cause) for r in rows] == [
        ("K2", None, "no_session")
    ]
    assert "no common window" in rows[0].reason


def test_a_start_after_the_program_year_is_never_late(tmp_path):
    program = _program(tmp_path)
    after = program.candidates[0].__class__(
        **{**program.candidates[0].__dict__, "start_month": "2027-07"}
    )
    assert pair_start(program, after) is None
