"""End to end tests of scheduling: ``assign`` → ``schedule`` and ``plan`` through the CLI.

Every schedule.csv is judged by the independent checker (``tests/independent``, written from
the contract and sharing no code with the tool). The only minimums it may skip are the
pair-months the tool itself declared short, each with a reason. Then: the same calendar
whatever the executor (workers, Dask), calendars (.ics) that match schedule.csv, roster.xlsx's
Schedule sheet, input errors in a roster, and each schedule rule on its own in a tiny program.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE, subset_program, write_program
from independent import check_roster, check_schedule, haversine_km
from independent import load_program as independent_load
from independent.schedule_check import SCHEDULE_COLUMNS

from matcher.cli import EXIT_INPUT, EXIT_SHORT_HOURS, main
from matcher.io.loading import load_program
from matcher.io.writers import schedule_frame, shortfall_frame
from matcher.scheduling.sessions import coach_problem, coaching_days, month_spans
from matcher.synthetic.generator import generate_program
from matcher.synthetic.generator import write_program as write_generated

runner = CliRunner()

SAMPLE_SEEDS = (1, 2)
TIMEZONE = "America/Los_Angeles"
KM_PER_DEGREE = 6371.0 * math.pi / 180  # along a meridian, haversine km per degree of latitude


# ----------------------------------------------------------------------------- helpers


def _invoke(*args: str) -> Result:
    return runner.invoke(main, [str(a) for a in args])


def _ok(result: Result, *codes: int) -> Result:
    assert result.exit_code in (codes or (0,)), result.output + repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _declared_short(out: Path) -> list[dict]:
    return _summary(out)["schedule"]["pair_months_short"]


def _exempt(short: list[dict]) -> set[tuple[str, str]]:
    return {(s["candidate_id"], s["month"]) for s in short}


def _read_schedule(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "schedule.csv", dtype=str, keep_default_na=False)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _hours_by(frame: pd.DataFrame, *keys: str) -> dict[tuple, float]:
    hours: dict[tuple, float] = defaultdict(float)
    for row in frame.itertuples(index=False):
        key = tuple(row.date[:7] if k == "month" else getattr(row, k) for k in keys)
        hours[key] += int(row.minutes) / 60
    return dict(hours)


# ----------------------------------------------------------------------------- generated samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[int, tuple[Path, Path]]:
    """seed → (program folder, result folder of ``assign`` then ``schedule --strict``)."""
    runs = {}
    for seed in SAMPLE_SEEDS:
        base = tmp_path_factory.mktemp(f"sample{seed}")
        folder, out = base / "program", base / "out"
        write_generated(generate_program("sample", seed), folder)
        _ok(_invoke("assign", folder, "--out", out, "--quiet"))
        result = _invoke(
            "schedule", folder, "--roster", out / "roster.csv", "--out", out, "--quiet", "--strict"
        )
        short = _declared_short(out)
        # --strict: exit 4 exactly when some pair-month is short, and the files are written
        _ok(result, EXIT_SHORT_HOURS if short else 0)
        runs[seed] = (folder, out)
    return runs


@pytest.mark.parametrize("seed", SAMPLE_SEEDS)
def test_sample_schedule_is_valid_apart_from_declared_shortfalls(samples, seed):
    folder, out = samples[seed]
    program = independent_load(folder)
    assert check_roster(program, out / "roster.csv") == []
    short = _declared_short(out)
    assert all(s["reason"].strip() for s in short), "a declared shortfall without a reason"
    assert all(s["month"] == "year" or re.fullmatch(r"\d{4}-\d{2}", s["month"]) for s in short)
    # short_hours.csv says the same as summary.json
    if short:
        table = pd.read_csv(out / "short_hours.csv", dtype=str, keep_default_na=False)
        assert list(zip(table.candidate_id, table.month, strict=True)) == [
            (s["candidate_id"], s["month"]) for s in short
        ]
        assert (table["reason"].str.strip() != "").all()
    else:
        assert not (out / "short_hours.csv").exists()
    # every declared pair-month belongs to an assigned pair of the roster
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assigned = dict(zip(roster.candidate_id, roster.coach_id, strict=True))
    assert all(assigned.get(s["candidate_id"]) == s["coach_id"] for s in short)
    problems = check_schedule(
        program, out / "roster.csv", out / "schedule.csv", exempt=_exempt(short)
    )
    assert problems == [], "\n".join(problems[:30])
    # and every assigned pair has sessions unless the tool said why not
    sessions = _read_schedule(out)
    assert len(sessions) == _summary(out)["schedule"]["sessions"] > 0
    silent = set(assigned) - {""} - set(sessions.candidate_id) - {s["candidate_id"] for s in short}
    assert not {c for c in silent if assigned[c]}


# ----------------------------------------------------------------------------- plan


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Path, Path]:
    """``plan --strict`` on the first coaches and candidates of a generated sample.

    A whole sample takes minutes of assign-and-schedule rounds; a tenth of one keeps the
    same kinds of calendar conflicts.
    """
    base = tmp_path_factory.mktemp("plan")
    write_generated(generate_program("sample", 3), base / "full")
    folder = subset_program(base / "full", base / "program", n_coaches=10, n_candidates=60)
    out = base / "out"
    result = _ok(_invoke("plan", folder, "--out", out, "--strict"))  # 0: nothing short
    (base / "console.txt").write_text(result.output, encoding="utf-8")
    return folder, out


def test_plan_prints_its_bound_and_what_it_schedules(planned):
    console = (planned[1].parent / "console.txt").read_text(encoding="utf-8")
    info = _summary(planned[1])["plan"]
    assert f"No roster can schedule more than {info['bound']} of {info['candidates']}" in console
    assert "Every assigned pair meets its monthly and yearly minimum hours." in console


def test_plan_gives_a_valid_roster_and_a_schedule_with_every_minimum_met(planned):
    folder, out = planned
    program = independent_load(folder)
    assert check_roster(program, out / "roster.csv") == []
    problems = check_schedule(program, out / "roster.csv", out / "schedule.csv")  # no exemptions
    assert problems == [], "\n".join(problems[:30])
    summary = _summary(out)
    assert summary["schedule"]["pair_months_short"] == []
    assert not (out / "short_hours.csv").exists()
    info = summary["plan"]
    assert info["assigned"] == summary["assigned"]
    assert 0 < info["assigned"] <= info["paper_assigned"]
    assert info["objective"] == pytest.approx(summary["objective"], abs=1e-6)
    last = info["rounds"][-1]
    assert last.get("pair_months_short_after_drop", last["pair_months_short"]) == 0
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert (roster.status == "assigned").sum() == info["assigned"]
    assert set(_read_schedule(out).candidate_id) == set(
        roster[roster.status == "assigned"].candidate_id
    )


@pytest.mark.slow
def test_plan_on_the_sample_is_valid_and_says_how_far_from_its_bound(readme_example):
    """The whole sample-district scenario, planned with two workers by README's Python
    example (the CLI's ``plan`` calls the same function and writer; a whole-sample plan is
    the suite's longest step, so it runs once): every pair meets its hours (independent
    checker), and the summary is plan's own: a proven bound no lower than what it schedules,
    the gap, continuity kept of possible, at most five rounds, and the paper roster beside
    it."""
    folder = readme_example / "scenarios" / "sample-district"
    out = readme_example / "results" / "plan"
    program = independent_load(folder)
    assert check_roster(program, out / "roster.csv") == []
    problems = check_schedule(program, out / "roster.csv", out / "schedule.csv")
    assert problems == [], "\n".join(problems[:30])
    summary = _summary(out)
    info = summary["plan"]
    assert info["scheduled"] == summary["assigned"] == info["assigned"]
    assert info["bound_proven"] and info["scheduled"] <= info["bound"] <= info["candidates"]
    assert summary["bound"] == info["bound"] and summary["solver"] == "timed"
    gap = (info["bound"] - info["scheduled"]) / info["bound"]
    assert info["gap"] == pytest.approx(gap, abs=1e-6)
    assert summary["status"] in ("optimal", "feasible") and summary["solve_seconds"] > 0
    cont = info["continuity"]
    assert cont["together_proven"]
    assert 0 <= cont["kept"] <= cont["together"] <= cont["possible"]
    assert 1 <= len(info["rounds"]) <= 5
    assert info["paper_assigned"] >= info["bound"]
    # crowded coaches' calendars set date by date are among what the checker passed above
    dated = (_read_schedule(out).kind == "dated").sum()
    assert summary["schedule"]["dated_sessions"] == dated > 0
    assert summary["schedule"]["pair_months_short"] == []
    assert info["bound_cuts"] > 0  # the bound was tightened by proven cuts


def test_schedule_of_the_planned_roster_is_the_planned_calendar(planned, tmp_path):
    """``schedule --strict`` on plan's roster: exit 0 and the very calendar plan wrote."""
    folder, out = planned
    again = tmp_path / "again"
    _ok(
        _invoke(
            "schedule",
            folder,
            "--roster",
            out / "roster.csv",
            "--out",
            again,
            "--quiet",
            "--strict",
            "--no-xlsx",
        )
    )
    assert (again / "schedule.csv").read_bytes() == (out / "schedule.csv").read_bytes()
    assert _declared_short(again) == []


# ----------------------------------------------------------------------------- determinism


def test_same_schedule_with_one_or_two_workers(samples, tmp_path):
    folder, out = samples[SAMPLE_SEEDS[0]]  # scheduled with the default --workers 1
    two = tmp_path / "w2"
    _ok(
        _invoke(
            "schedule",
            folder,
            "--roster",
            out / "roster.csv",
            "--out",
            two,
            "--quiet",
            "--no-xlsx",
            "--workers",
            "2",
        ),
        0,
        EXIT_SHORT_HOURS,
    )
    assert (two / "schedule.csv").read_bytes() == (out / "schedule.csv").read_bytes()
    assert _declared_short(two) == _declared_short(out)


def test_same_schedule_through_a_dask_cluster(samples, planned, tmp_path):
    distributed = pytest.importorskip(
        "distributed", reason="dask[distributed] is not installed (pip install 'dask[distributed]')"
    )
    from matcher.scheduling.sessions import schedule

    folder, out = samples[SAMPLE_SEEDS[0]]
    program = load_program(folder)
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    mapping = {k: c for k, c in zip(roster.candidate_id, roster.coach_id, strict=True) if c}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = schedule(program, mapping, seed=0, scheduler=client)
        # and the command line given the scheduler's address (on the smaller planned roster)
        plan_folder, plan_out = planned
        args = ("--roster", plan_out / "roster.csv", "--out", tmp_path / "cli", "--quiet")
        address = cluster.scheduler_address
        _ok(_invoke("schedule", plan_folder, *args, "--no-xlsx", "--scheduler", address))
    local = (out / "schedule.csv").read_text(encoding="utf-8")
    assert schedule_frame(result).to_csv(index=False) == local
    planned_csv = (plan_out / "schedule.csv").read_bytes()
    assert (tmp_path / "cli" / "schedule.csv").read_bytes() == planned_csv
    short = shortfall_frame(result)
    assert list(zip(short.candidate_id, short.month, short.reason, strict=True)) == [
        (s["candidate_id"], s["month"], s["reason"]) for s in _declared_short(out)
    ]


# ----------------------------------------------------------------------------- iCalendar


def _unfolded_text(path: Path) -> str:
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def test_calendars_match_the_schedule(samples):
    folder, out = samples[SAMPLE_SEEDS[0]]
    sessions = _read_schedule(out)
    # the contract's columns in its order, then what kind of session each is
    assert list(sessions.columns) == [*SCHEDULE_COLUMNS, "kind"]
    assert set(sessions.kind) <= {"standing", "make-up", "lengthened", "dated"}
    info = json.loads((out / "summary.json").read_text())["schedule"]
    assert info["makeup_sessions"] == (sessions.kind == "make-up").sum()
    assert info["lengthened_sessions"] == (sessions.kind == "lengthened").sum()
    assert info["dated_sessions"] == (sessions.kind == "dated").sum()
    cands = pd.read_csv(folder / "candidates.csv", dtype=str, keep_default_na=False)
    cands = cands.set_index("candidate_id")
    coaches = pd.read_csv(folder / "coaches.csv", dtype=str, keep_default_na=False)
    files = sorted((out / "calendars").glob("*.ics"))
    assert {f.stem for f in files} == set(sessions.coach_id)
    uids: list[str] = []
    for path in files:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        assert str(cal["VERSION"]) == "2.0"
        assert str(cal.get("PRODID", "")).strip()
        events = [c for c in cal.walk("VEVENT")]
        got = []
        for event in events:
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            for prop in ("DTSTART", "DTEND"):
                assert event[prop].params.get("TZID") == TIMEZONE, (path.name, prop)
            assert start.tzinfo is not None and start.utcoffset() is not None
            assert start.utcoffset() in (dt.timedelta(hours=-7), dt.timedelta(hours=-8))
            uids.append(str(event["UID"]))
            # a make-up says so in its categories and summary (standing ones say Standing)
            category = event.get("CATEGORIES").to_ical().decode()
            summary = str(event["SUMMARY"])
            assert summary.startswith("Make-up") == (category == "Make-up"), summary
            where = str(event.get("LOCATION", ""))
            got.append(
                (
                    start.date().isoformat(),
                    start.strftime("%H:%M"),
                    end.strftime("%H:%M"),
                    where,
                    category,
                )
            )
            assert set(event) <= {
                "UID",
                "DTSTAMP",
                "SUMMARY",
                "DTSTART",
                "DTEND",
                "LOCATION",
                "CATEGORIES",
                "DESCRIPTION",
            }
        mine = sessions[sessions.coach_id == path.stem]
        kinds = {
            "standing": "Standing",
            "make-up": "Make-up",
            "lengthened": "Lengthened",
            "dated": "Dated",
        }
        want = [
            (r.date, r.start, r.end, cands.loc[r.candidate_id, "site"], kinds[r.kind])
            for r in mine.itertuples(index=False)
        ]
        assert sorted(got) == sorted(want), path.name
        # locations are the candidates' sites, as schedule.csv says
        assert (mine["location"] == [cands.loc[c, "site"] for c in mine.candidate_id]).all()
        # nothing personal beyond names: no person ids, supervisors or languages
        text = _unfolded_text(path)
        for allowed in (*cands["name"], *cands["site"], *coaches["name"]):
            if allowed:
                text = text.replace(allowed, " ")
        people = cands.loc[sorted(set(mine.candidate_id))]
        for cell in (*people.person_id, *people.supervisor_id, *coaches.person_id):
            assert not cell or cell not in text, (path.name, cell)
        assert not re.search(r"\bP\d{4,}\b", text), path.name
        languages = {
            x.strip()
            for cell in (*people.languages, *coaches.languages)
            for x in cell.split(";")
            if x.strip()
        }
        for word in languages | {"languages", "supervisor", "person_id"}:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), (path, word)
    assert len(uids) == len(set(uids)) == len(sessions)


# ----------------------------------------------------------------------------- roster.xlsx


def _schedule_sheet(xlsx: Path) -> pd.DataFrame:
    book = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        assert "Schedule" in book.sheetnames, book.sheetnames
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in book["Schedule"].iter_rows(values_only=True)
        ]
        names = list(book.sheetnames)
    finally:
        book.close()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.attrs["sheets"] = names
    return frame


@pytest.mark.parametrize("source", ["schedule", "plan"])
def test_roster_xlsx_has_the_schedule_sheet(samples, planned, source):
    out = samples[SAMPLE_SEEDS[0]][1] if source == "schedule" else planned[1]
    sheet = _schedule_sheet(out / "roster.xlsx")
    csv = _read_schedule(out)
    assert list(sheet.columns) == list(csv.columns)
    assert sheet.values.tolist() == csv.values.tolist()
    assert "Roster" in sheet.attrs["sheets"]  # the assign sheets are kept
    assert ("Short hours" in sheet.attrs["sheets"]) == bool(_declared_short(out))


# ----------------------------------------------------------------------------- re-scheduling


def test_rescheduling_an_edited_roster_leaves_no_stale_files(tmp_path):
    """A roster edited by hand and scheduled again into the same folder (the usual loop):
    no short_hours.csv from the earlier run once nothing is short, and no calendar of a
    coach who has no sessions any more."""
    coaches = [{}, {"coach_id": "C2", "name": "Coach Two", "available": "Mon 09:00-10:00"}]
    cands = [{}, {"candidate_id": "K2", "name": "Cand Two", "site": "Roosevelt High"}]
    folder = write_program(tmp_path / "program", coaches, cands)
    out = tmp_path / "out"
    first = _roster(tmp_path / "first.csv", [("K1", "C1", "assigned"), ("K2", "C2", "assigned")])
    _ok(
        _invoke("schedule", folder, "--roster", first, "--out", out, "--quiet", "--strict"),
        EXIT_SHORT_HOURS,
    )
    assert _declared_short(out) and (out / "short_hours.csv").exists()  # C2: 1 h a week
    assert {p.name for p in (out / "calendars").iterdir()} == {"C1.ics", "C2.ics"}
    second = _roster(tmp_path / "second.csv", [("K1", "C1", "assigned"), ("K2", "", "")])
    _ok(_invoke("schedule", folder, "--roster", second, "--out", out, "--quiet", "--strict"))
    assert _declared_short(out) == []
    assert not (out / "short_hours.csv").exists()
    assert {p.name for p in (out / "calendars").iterdir()} == {"C1.ics"}
    assert set(_read_schedule(out).coach_id) == {"C1"}
    assert "Short hours" not in _schedule_sheet(out / "roster.xlsx").attrs["sheets"]
    program = independent_load(folder)
    assert check_schedule(program, second, out / "schedule.csv") == []


# ----------------------------------------------------------------------------- roster input errors


def _roster(path: Path, rows: list[tuple[str, ...]], header=("candidate_id", "coach_id", "status")):
    frame = pd.DataFrame(rows, columns=list(header))
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("rows", "header", "row", "column", "value"),
    [
        ([("K1", "C1", "assigned"), ("K9", "C1", "assigned")], None, 3, "candidate_id", "K9"),
        ([("K1", "C9", "assigned"), ("K2", "C1", "assigned")], None, 2, "coach_id", "C9"),
        ([("K1", "assigned")], ("candidate_id", "status"), None, "coach_id", None),
    ],
    ids=["unknown-candidate", "unknown-coach", "missing-column"],
)
def test_schedule_rejects_a_bad_roster_and_writes_nothing(
    tmp_path, rows, header, row, column, value
):
    folder = write_program(
        tmp_path / "program", [{}], [{}, {"candidate_id": "K2", "name": "Cand Two"}]
    )
    roster = _roster(tmp_path / "roster.csv", rows, *([header] if header else []))
    out = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = _invoke("schedule", folder, "--roster", roster, "--out", out, "--quiet")
    assert result.exit_code == EXIT_INPUT, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if "roster.csv" in x]
    assert lines, result.output
    line = lines[0]
    assert f"'{column}'" in line
    if row is not None:
        assert re.search(rf"\brow {row}\b", line), line
    if value is not None:
        assert value in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder left


# ----------------------------------------------------------------------------- each rule alone


def _schedule_tiny(tmp_path: Path, coaches, candidates, toml: str = "") -> dict:
    """Schedule every candidate with coach C1; check the result independently.

    Returns the translated coach problem, schedule.csv, the declared shortfalls and the
    checker's findings with exactly those exempt.
    """
    folder = write_program(tmp_path / "program", coaches, candidates, toml=toml)
    pairs = [(k.get("candidate_id", "K1"), "C1", "assigned") for k in candidates]
    roster = _roster(tmp_path / "roster.csv", pairs)
    out = tmp_path / "out"
    _ok(_invoke("schedule", folder, "--roster", roster, "--out", out, "--quiet", "--no-xlsx"))
    program = load_program(folder)
    days = coaching_days(program)
    problem = coach_problem(
        program, program.coaches[0], list(program.candidates), days, month_spans(program)
    )
    short = _declared_short(out)
    problems = check_schedule(
        independent_load(folder), roster, out / "schedule.csv", exempt=_exempt(short)
    )
    frame = _read_schedule(out)
    assert len(frame) > 0
    return {"problem": problem, "days": days, "frame": frame, "short": short, "problems": problems}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_rule_late_start(tmp_path):
    run = _schedule_tiny(tmp_path, [{}], [{"candidate_id": "K1", "start_month": "2027-01"}])
    pair = run["problem"].pairs[0]
    assert pair.first_month == 5  # 2027-01 is the sixth program month
    assert pair.min_minutes_total == 40 * 60 * 5 // 10  # 40 h x 5/10 months left
    assert run["problems"] == [] and run["short"] == []  # 40 h in 5 months at 6 h/month: no
    frame = run["frame"]
    assert (frame.date >= "2027-01-01").all()
    assert sum(frame.minutes.astype(int)) / 60 >= 20
    months = _hours_by(frame, "month")
    assert sorted(m for (m,) in months) == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    assert all(h >= 3 for h in months.values())


def test_rule_coach_hour_cap(tmp_path):
    coach = {"max_hours_per_month": "7", "capacity": "2"}
    cands = [{"candidate_id": "K1"}, {"candidate_id": "K2", "site": "Roosevelt High"}]
    run = _schedule_tiny(tmp_path, [coach], cands)
    assert run["problem"].coach_max_minutes_per_month == 7 * 60
    assert run["problems"] == [], "\n".join(run["problems"])
    coach_month = _hours_by(run["frame"], "coach_id", "month")
    assert max(coach_month.values()) <= 7 + 1e-9
    # two pairs need 2 x 40 h a year, the cap allows 70: the tool must say so
    assert run["short"], "a cap below the pairs' needs gave no shortfall"
    assert all(s["cause"] == "coach_hour_cap" for s in run["short"])
    # the month's and the year's reasons alike name the cap
    assert {s["month"] for s in run["short"]} >= {"year"}
    assert all("cap of 7 h a month" in s["reason"] for s in run["short"]), run["short"]


def test_cap_below_the_yearly_needs_still_meets_every_monthly_minimum(tmp_path):
    coach = {"max_hours_per_month": "7", "capacity": "2"}
    cands = [{"candidate_id": "K1"}, {"candidate_id": "K2", "site": "Roosevelt High"}]
    run = _schedule_tiny(tmp_path, [coach], cands)
    assert run["problems"] == []
    # 2 x 3 h a month fit under 7 h: only the yearly 40 h each (80 > 70) cannot be met
    assert {s["month"] for s in run["short"]} == {"year"}, run["short"]


def test_rule_blackout_and_coach_meetings(tmp_path):
    toml = '[calendar]\nblackout = ["2026-09-01..2026-09-25"]\ncoach_meetings = ["2026-09-29"]\n'
    run = _schedule_tiny(tmp_path, [{}], [{}], toml)
    closed = {dt.date(2026, 9, d) for d in [*range(1, 26), 29]}
    assert not closed & set(run["days"])
    assert dt.date(2026, 11, 26) in run["days"]  # the default blackout is replaced
    assert run["problems"] == [] and run["short"] == []
    dates = {_date(d) for d in run["frame"].date}
    assert not dates & closed
    september = run["frame"][run["frame"].date.str.startswith("2026-09")]
    assert set(september.date) <= {"2026-09-28", "2026-09-30"}
    assert sum(september.minutes.astype(int)) >= 180


def test_rule_weekdays(tmp_path):
    run = _schedule_tiny(tmp_path, [{}], [{}], '[coaching]\nweekdays = ["Tue"]\n')
    assert {d.weekday() for d in run["days"]} == {1}
    assert {w.weekday for w in run["problem"].pairs[0].windows} == {1}
    assert run["problems"] == [] and run["short"] == []
    assert {_date(d).weekday() for d in run["frame"].date} == {1}


def test_rule_session_minutes(tmp_path):
    run = _schedule_tiny(tmp_path, [{}], [{}], "[coaching]\nsession_minutes = [90]\n")
    assert run["problem"].session_lengths == (90,)
    assert run["problems"] == [] and run["short"] == []
    frame = run["frame"]
    assert set(frame.minutes) == {"90"}
    assert all(_minutes(r.end) - _minutes(r.start) == 90 for r in frame.itertuples())


def test_rule_travel_time_between_sites(tmp_path):
    """One coaching day, a 5-hour window, two candidates needing 2 h each 40 km apart."""
    toml = (
        '[coaching]\nmonths = ["2026-09"]\nweekdays = ["Tue"]\nmin_hours_per_month = 2\n'
        "min_hours_per_year = 2\ntravel_kmh = 40\n"
        '[calendar]\nblackout = ["2026-09-08..2026-09-30"]\ncoach_meetings = []\n'
    )
    lat2 = 37.0 + 40 / KM_PER_DEGREE
    assert haversine_km(37.0, -122.0, lat2, -122.0) == pytest.approx(40.0, abs=1e-6)
    cands = [
        {"candidate_id": "K1", "site": "North High", "lat": "37.0", "lon": "-122.0"},
        {"candidate_id": "K2", "site": "South High", "lat": repr(lat2), "lon": "-122.0"},
    ]
    run = _schedule_tiny(tmp_path, [{"available": "Tue 08:00-13:00"}], cands, toml)
    assert run["days"] == (dt.date(2026, 9, 1),)
    travel = run["problem"].travel_minutes
    assert travel[0][1] == travel[1][0] == 60
    assert run["problems"] == [] and run["short"] == []
    frame = run["frame"].sort_values("start")
    assert set(frame.date) == {"2026-09-01"} and set(frame.candidate_id) == {"K1", "K2"}
    ordered = list(frame.itertuples(index=False))
    for a, b in itertools.pairwise(ordered):
        if a.candidate_id != b.candidate_id:
            assert _minutes(b.start) - _minutes(a.end) >= 60, (a, b)


def test_rule_pair_hours_per_month(tmp_path):
    run = _schedule_tiny(tmp_path, [{}], [{}], "[coaching]\nmax_pair_hours_per_month = 4\n")
    assert run["problem"].pairs[0].max_minutes_per_month == 240
    assert run["problems"] == [] and run["short"] == []
    months = _hours_by(run["frame"], "month")
    assert len(months) == 10
    # at most 4 h a month and 40 h a year: exactly 4 h in every month
    assert all(h == pytest.approx(4.0) for h in months.values()), months


def test_rule_available_windows(tmp_path):
    coach = {"available": "Mon 09:00-11:00;Thu 14:00-17:00"}
    cand = {"available": "Mon 08:00-10:30;Thu 15:00-18:00;Fri 08:00-12:00"}
    run = _schedule_tiny(tmp_path, [coach], [cand])
    common = {(0, 9 * 60, 10 * 60 + 30), (3, 15 * 60, 17 * 60)}
    assert {(w.weekday, w.start, w.end) for w in run["problem"].pairs[0].windows} == common
    assert run["problems"] == [] and run["short"] == []
    for r in run["frame"].itertuples(index=False):
        day, start, end = _date(r.date).weekday(), _minutes(r.start), _minutes(r.end)
        assert any(d == day and s <= start and end <= e for d, s, e in common), r


def test_make_up_sessions_say_so_in_the_csv_and_the_calendar(tmp_path):
    """A standing, a make-up and a lengthened session of one pair: schedule.csv's kind column
    and the .ics events (summary, categories, description) tell them apart."""
    from matcher.io.calendars import write_calendars
    from matcher.scheduling.sessions import ScheduleResult, SessionRow

    program = load_program(SAMPLE)
    cand, coach = program.candidates[0], program.coaches[0]
    day = dt.date(2026, 9, 1)
    rows = tuple(
        SessionRow(
            cand.candidate_id,
            coach.coach_id,
            day + dt.timedelta(days=7 * i),
            9 * 60,
            10 * 60,
            cand.site,
            kind,
        )
        for i, kind in enumerate(("standing", "make-up", "lengthened"))
    )
    result = ScheduleResult(rows, (), (), 0.0)
    frame = schedule_frame(result)
    assert list(frame.columns) == [*SCHEDULE_COLUMNS, "kind"]
    assert list(frame.kind) == ["standing", "make-up", "lengthened"]
    (path,) = write_calendars(program, result, tmp_path, redact=True)
    events = sorted(
        icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"),
        key=lambda e: e.decoded("DTSTART"),
    )
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries == [
        f"Coaching: {cand.candidate_id}",
        f"Make-up coaching: {cand.candidate_id}",
        f"Coaching (lengthened): {cand.candidate_id}",
    ]
    categories = [e.get("CATEGORIES").to_ical().decode() for e in events]
    assert categories == ["Standing", "Make-up", "Lengthened"]
    assert "DESCRIPTION" not in events[0] and "make-up" in str(events[1]["DESCRIPTION"])
