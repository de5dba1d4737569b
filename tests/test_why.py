"""Why this coach: better-scoring coaches a candidate did not get, and why; ``coachmatch explain``.

A hand-made program where every reason appears once: C1 (best score for K1) is full with K2;
C2 scores better but is excluded by K1 (rule 6); C3 scores better and has room but K1 is in
year 1 and the program caps first-year candidates per coach at one, held by K3; C4 is K1's own
coach. K4 has no coach (C1 and C4 full, C2 and C3 capped), and K4's options list all of them.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
from click.testing import CliRunner
from conftest import write_program

from matcher.assignment.why import explain, roster_facts
from matcher.cli import EXIT_INPUT, main
from matcher.io.loading import load_program

runner = CliRunner()

COACHES = [
    {"coach_id": "C1", "capacity": "1", "levels": "high"},
    {"coach_id": "C2", "capacity": "3", "levels": "high"},
    {"coach_id": "C3", "capacity": "3", "levels": "high"},
    {"coach_id": "C4", "capacity": "1", "levels": "middle"},
]
CANDIDATES = [
    # K1: C1 is its preferred coach (+3), C2/C3 share its level (+2), C4 does not
    {
        "candidate_id": "K1",
        "preferred_coach_ids": "C1",
        "exclude_coach_ids": "C2",
        "program_year": "1",
    },
    {"candidate_id": "K2", "current_coach_id": "C1", "program_year": "2"},
    {"candidate_id": "K3", "program_year": "1", "current_coach_id": "C3"},
    {"candidate_id": "K4", "program_year": "1", "exclude_coach_ids": "C2"},
]
TOML = "[assignment]\nmax_year1_per_coach = 1\n"


def _folder(tmp_path):
    return write_program(tmp_path / "p", COACHES, CANDIDATES, toml=TOML)


def test_each_reason_on_a_hand_made_roster(tmp_path):
    program = load_program(_folder(tmp_path))
    roster = {"K1": "C4", "K2": "C1", "K3": "C3"}
    (k1, k4) = explain(program, roster_facts(program, roster), [0, 3])
    assert (k1.status, k1.coach_id) == ("assigned", "C4")
    assert k1.terms["level"] == 0 and k1.score == k1.terms["language"] + k1.terms["cpsel"]
    by_coach = {o.coach_id: o for o in k1.options}
    assert set(by_coach) == {"C1", "C2", "C3"}  # all score better than C4
    assert k1.options[0].coach_id == "C1"  # best first: preference + level
    assert by_coach["C1"].outcome == "full" and by_coach["C1"].holders == ("K2",)
    assert "held by K2" in by_coach["C1"].reason and "year-2" in by_coach["C1"].reason
    assert by_coach["C2"].outcome == "rule"
    assert by_coach["C2"].reason.startswith("ruled out by rule 6 (excluded)")
    assert by_coach["C3"].outcome == "cap" and "first-year" in by_coach["C3"].reason
    assert (k4.status, k4.coach_id, k4.score) == ("unassigned", "", None)
    assert {o.coach_id: o.outcome for o in k4.options} == {
        "C1": "full",
        "C2": "rule",
        "C3": "cap",
        "C4": "full",
    }


def test_calendar_reason_where_calendars_were_checked(tmp_path):
    program = load_program(_folder(tmp_path))
    facts = roster_facts(program, {"K1": "C4"}, no_fit={(0, 2): "no common window"})
    (k1,) = explain(program, facts, [0])
    c3 = next(o for o in k1.options if o.coach_id == "C3")
    assert (c3.outcome, c3.reason) == ("calendar", "calendar does not fit: no common window")


def test_assign_writes_why_csv_and_sheet_and_explain_prints_it(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    done = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    why = pd.read_csv(out / "why.csv", dtype=str, keep_default_na=False)
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert set(why["candidate_id"]) == set(roster["candidate_id"])
    assert set(why["outcome"]) - {""} <= {"full", "rule", "calendar", "cap", "room", "more"}
    book = openpyxl.load_workbook(out / "roster.xlsx", read_only=True)
    assert "Why" in book.sheetnames
    unassigned = roster[roster["status"] == "unassigned"]["candidate_id"].tolist()
    for cid in ["K1", *unassigned]:
        shown = runner.invoke(main, ["explain", str(folder), "--result", str(out), cid])
        assert shown.exit_code == 0, shown.output
        assert cid in shown.output
        for row in why[why["candidate_id"] == cid].itertuples():
            assert row.other_coach_id in shown.output
    report = runner.invoke(main, ["report", str(out)])
    assert report.exit_code == 0, report.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<details><summary>" in html and "ruled out by rule 6" in html


def test_explain_refuses_unknown_ids_and_other_programs(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(main, ["assign", str(folder), "--out", str(out), "--quiet"]).exit_code == 0
    unknown = runner.invoke(main, ["explain", str(folder), "--result", str(out), "K99"])
    assert unknown.exit_code == EXIT_INPUT
    assert "no such candidate" in unknown.output and "K99" in unknown.output
    assert "Traceback" not in unknown.output
    other = write_program(tmp_path / "other", COACHES, CANDIDATES, toml=TOML)
    wrong = runner.invoke(main, ["explain", str(other), "--result", str(out), "K1"])
    assert wrong.exit_code == EXIT_INPUT
    assert "another program" in wrong.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["program"] in wrong.output


def test_explain_checks_calendars_where_the_result_has_a_schedule(tmp_path):
    """C2 would score higher for K1 and has room, but their one common hour (Mon 08-09)
    cannot give 3 h in December (two Mondays are holidays): with a schedule in the result
    folder, explain says the calendar does not fit; without one it cannot know."""
    folder = write_program(
        tmp_path / "p",
        [
            {"coach_id": "C1", "levels": "middle"},
            {"coach_id": "C2", "levels": "high", "available": "Mon 08:00-09:00"},
        ],
        [{"candidate_id": "K1"}],
    )
    result = tmp_path / "result"
    result.mkdir()
    (result / "roster.csv").write_text("candidate_id,coach_id,status\nK1,C1,assigned\n")
    plain = runner.invoke(main, ["explain", str(folder), "--result", str(result), "K1"])
    assert plain.exit_code == 0, plain.output
    assert "C2" in plain.output and "calendar" not in plain.output
    (result / "schedule.csv").write_text("candidate_id,coach_id,date,start,end,minutes,location\n")
    checked = runner.invoke(main, ["explain", str(folder), "--result", str(result), "K1"])
    assert checked.exit_code == 0, checked.output
    assert "calendar does not fit" in " ".join(checked.output.split())


def test_large_why_table_keeps_the_unassigned_in_the_workbook(tmp_path, monkeypatch):
    """Above WHY_SHEET_ALL_ROWS rows the Why sheet holds the unassigned candidates only, under
    a note; why.csv keeps every candidate."""
    monkeypatch.setattr("matcher.io.writers.WHY_SHEET_ALL_ROWS", 1)
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    done = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    why = pd.read_csv(out / "why.csv", dtype=str, keep_default_na=False)
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert set(why["candidate_id"]) == set(roster["candidate_id"])
    unassigned = set(roster.loc[roster["status"] == "unassigned", "candidate_id"])
    sheet = pd.read_excel(out / "roster.xlsx", sheet_name="Why", dtype=str).fillna("")
    assert sheet.iloc[0, 0].startswith("Unassigned candidates only")
    assert set(sheet["candidate_id"].iloc[1:]) == unassigned
    assert len(sheet) - 1 == int(why["candidate_id"].isin(unassigned).sum())


def test_why_csv_rows_are_explain_of_every_candidate(tmp_path):
    """why.csv (built column by column) says for each candidate what ``explain`` (one object
    per option) says: the same coaches in the same order, scores, outcomes and reasons, an
    empty row where no coach is named, and "and N more" past WHY_LISTED."""
    from pathlib import Path

    from matcher.assignment.optimize import assign
    from matcher.assignment.why import WHY_LISTED, why_of_result

    program = load_program(Path(__file__).parents[1] / "scenarios" / "sample-district")
    result = assign(program)
    why = why_of_result(program, result)
    facts = roster_facts(program, result.mapping())
    expected = []
    for w in explain(program, facts, limit=WHY_LISTED):
        head = (w.candidate_id, w.status, w.coach_id, "" if w.score is None else w.score)
        rows = [
            (*head, i, o.coach_id, o.score, o.outcome, o.reason) for i, o in enumerate(w.options, 1)
        ]
        expected += rows or [(*head, "", "", "", "", "")]
        if w.more:
            expected.append((*head, "", "", "", "more", f"and {w.more} more (coachmatch explain)"))
    assert list(why.itertuples(index=False, name=None)) == expected
    assert {"full", "rule", "more", ""} <= set(why["outcome"])  # every kind of row is compared
