"""What a coordinator reads after assign, schedule, reassign and report: what was removed and
why, how many pairs (not only pair-months) are short and what to run, how many lost a coach,
reasons in plain words, and causes that cover the whole shortfall."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from markupsafe import escape

from matcher.cli import main
from matcher.report.html import build_context, render
from matcher.rules.reasons import REASON_WORDS
from matcher.scheduling.sessions import CAUSE_WORDS, shortfall_reason
from solvers.scheduling import (
    COACH_TIME_TAKEN,
    TOO_FEW_DAYS,
    PairDemand,
    Shortfall,
    TimeWindow,
)

runner = CliRunner()


def _run(*args) -> str:
    done = runner.invoke(main, [str(a) for a in args], terminal_width=400)
    assert done.exit_code in (0, 4), done.output
    return done.output


@pytest.fixture
def crowded(program_dir) -> Path:
    """Three candidates on one coach free one hour a week: most pair-months fall short."""
    return program_dir(
        coaches=[{"coach_id": "C1", "capacity": "3", "available": "Mon 16:00-17:00"}],
        candidates=[{"candidate_id": f"K{i}"} for i in range(3)],
    )


@pytest.fixture
def scheduled(crowded: Path, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "out"
    _run("assign", crowded, "--out", out, "--quiet")
    return out, _run("schedule", crowded, "--roster", out / "roster.csv", "--out", out)


def test_schedule_counts_pairs_and_points_at_plan(scheduled) -> None:
    out, output = scheduled
    short = pd.read_csv(out / "short_hours.csv", dtype=str)
    pairs = len(set(zip(short["candidate_id"], short["coach_id"], strict=True)))
    assert f"{len(short)} pair-months of {pairs} pairs miss their minimum hours" in output
    assert "coachmatch plan" in output


def test_assign_says_what_it_removes_from_a_scheduled_folder(crowded, scheduled) -> None:
    out, _ = scheduled
    assert (out / "schedule.csv").is_file() and (out / "calendars").is_dir()
    output = _run("assign", crowded, "--out", out)
    removed = "Removed schedule.csv, short_hours.csv, late_start.csv, calendars/ (1 file) from"
    assert removed in output
    assert "no longer match the new one" in output
    assert not (out / "schedule.csv").exists() and not (out / "calendars").exists()
    again = _run("assign", crowded, "--out", out)  # nothing left to remove: nothing said
    assert "Removed" not in again


def test_report_speaks_plain_words_and_puts_short_hours_last(crowded, scheduled) -> None:
    out, _ = scheduled
    context = build_context(out, crowded)
    html = render(context)
    for code in ("coach_time_taken", "too_few_days"):
        assert f">{code}<" not in html  # codes stay in title attributes and the CSV only
    assert str(escape(CAUSE_WORDS[COACH_TIME_TAKEN])) in html
    roster_at, short_at = html.index('id="roster-section"'), html.index('id="short"')
    assert roster_at < short_at
    assert "<details>" in html[short_at:]
    assert "coaches over 90 % load" not in html and "not a problem" in html
    hours = [s["pair_hours"] for s in context["short"]]
    assert hours == sorted(hours, key=lambda h: h > 0)  # pairs with 0 h first


def test_report_reason_words_replace_codes(program_dir, tmp_path) -> None:
    folder = program_dir(
        coaches=[{"capacity": "1"}], candidates=[{"candidate_id": "K1"}, {"candidate_id": "K2"}]
    )
    out = tmp_path / "out"
    _run("assign", folder, "--out", out, "--quiet")
    html = render(build_context(out, folder))
    assert REASON_WORDS["eligible_coaches_full"] in html
    assert ">eligible_coaches_full<" not in html and "eligible_coaches_full: 1" not in html


def _shortfall(cause: str, scheduled: int, required: int, alone: int) -> Shortfall:
    return Shortfall(0, None, scheduled, required, cause, alone, alone, 10, 12, None, None)


def test_a_partial_cause_says_what_the_rest_of_the_shortfall_is() -> None:
    pair = PairDemand(0, 0, (TimeWindow(0, 960, 1020),))
    # the days allow 19 h of the 20 h, yet the pair got 0 h: 1 h is the days, 19 h the coach
    text = shortfall_reason(_shortfall(TOO_FEW_DAYS, 0, 20 * 60, 19 * 60), pair, "year")
    assert "19 h at most, 20 h needed" in text
    assert "accounts for 1 h of the 20 h short" in text and "the other 19 h" in text
    # where the days explain the whole shortfall, nothing is added
    text = shortfall_reason(_shortfall(TOO_FEW_DAYS, 19 * 60, 20 * 60, 19 * 60), pair, "year")
    assert "accounts for" not in text


def test_reassign_counts_everyone_who_lost_a_coach(program_dir, tmp_path) -> None:
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / "roster.csv").write_text(
        "candidate_id,coach_id,status\nK1,C9,assigned\nK2,C9,assigned\nK3,C1,assigned\n"
    )
    folder = program_dir(  # C9 has left; C1 has one place, which K3 keeps
        coaches=[{"coach_id": "C1", "capacity": "1"}],
        candidates=[{"candidate_id": f"K{i}"} for i in (1, 2, 3)],
    )
    output = _run("reassign", folder, "--previous", prev, "--out", tmp_path / "new")
    assert "2 lost their coach (0 placed with another, 2 without one)" in output
    changes = pd.read_csv(tmp_path / "new" / "changes.csv", dtype=str, keep_default_na=False)
    lost = changes[changes["change"] == "lost_coach"]
    assert sorted(lost["candidate_id"]) == ["K1", "K2"] and set(lost["coach_id"]) == {""}
    summary = json.loads((tmp_path / "new" / "summary.json").read_text())
    assert summary["reassign"]["changes"]["lost_coach"] == 2


def test_assign_terminal_shows_reasons_in_plain_words(program_dir, tmp_path) -> None:
    folder = program_dir(
        coaches=[{"capacity": "1"}], candidates=[{"candidate_id": "K1"}, {"candidate_id": "K2"}]
    )
    output = _run("assign", folder, "--out", tmp_path / "out")
    assert REASON_WORDS["eligible_coaches_full"] in output
    assert "eligible coaches full" not in output and "eligible_coaches_full" not in output
