"""Every kind of input mistake, seen through the command line as a coordinator sees it.

Each test builds a program folder with one mistake and runs both ``coachmatch validate`` and
``coachmatch assign --out OUT``. Both must stop with exit code 2, name the file, the row (the
spreadsheet's: header = row 1), the column or TOML key and what was expected, show no
traceback, and write nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from matcher.cli import main

runner = CliRunner()


# ----------------------------------------------------------------------------- helpers


def _run_both(folder: Path, out: Path, *extra: str) -> list[Result]:
    """``validate`` and ``assign`` on one folder; ``out`` must not exist before."""
    assert not out.exists()
    return [
        runner.invoke(main, ["validate", str(folder)]),
        runner.invoke(main, ["assign", str(folder), "--out", str(out), *extra]),
    ]


def _assert_clean_exit(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def _problem_lines(output: str) -> list[str]:
    return [line.strip()[2:] for line in output.splitlines() if line.strip().startswith("- ")]


def _find_problem(
    output: str, file: str, row: int | None, column: str | None, expected: str
) -> str:
    """The one problem line naming ``file``, ``row``, ``column`` and ``expected``."""
    for line in _problem_lines(output):
        if file not in line or expected.lower() not in line.lower():
            continue
        if row is not None and not re.search(rf"\brow {row}\b", line):
            continue
        if column is not None and f"'{column}'" not in line:
            continue
        return line
    raise AssertionError(
        f"no problem naming {file!r}, row {row}, column {column!r}, {expected!r} in:\n{output}"
    )


def assert_input_error(
    folder: Path,
    out: Path,
    file: str,
    row: int | None,
    column: str | None,
    expected: str,
    *extra: str,
) -> list[Result]:
    """Both commands exit 2, name the problem in full, and write nothing."""
    results = _run_both(folder, out, *extra)
    for result in results:
        _assert_clean_exit(result, 2)
        _find_problem(result.output, file, row, column, expected)
    assert not out.exists(), "an input error must leave nothing written"
    assert not list(out.parent.glob(f".{out.name}.staging-*")), "a staging folder was left"
    return results


def _rewrite_csv(path: Path, edit) -> None:
    """Read a CSV as text cells, let ``edit`` change the frame, write it back."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)


def _csv_to_xlsx(folder: Path, stem: str, numeric: tuple[str, ...] = ()) -> Path:
    """Replace ``stem.csv`` by ``stem.xlsx``; ``numeric`` columns become number cells."""
    frame = pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False)
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    path = folder / f"{stem}.xlsx"
    frame.to_excel(path, index=False, engine="openpyxl")
    (folder / f"{stem}.csv").unlink()
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "result"


# ------------------------------------------------------------------ one bad cell or key

TWO_COACHES = [{}, {"coach_id": "C2"}]
TWO_CANDS = [{}, {"candidate_id": "K2"}]

CELL_CASES = {
    # name: (coaches, candidates, file, row, column, expected)
    "negative capacity": (
        [{}, {"coach_id": "C2", "capacity": "-1"}],
        None,
        "coaches.csv",
        3,
        "capacity",
        "whole number",
    ),
    "non-integer capacity": (
        [{}, {"coach_id": "C2", "capacity": "two"}],
        None,
        "coaches.csv",
        3,
        "capacity",
        "whole number",
    ),
    "fractional capacity": (
        [{"capacity": "2.5"}],
        None,
        "coaches.csv",
        2,
        "capacity",
        "whole number",
    ),
    "absurd capacity": (
        [{"capacity": "99999999999999999999"}],
        None,
        "coaches.csv",
        2,
        "capacity",
        "whole number",
    ),
    "empty required coach cell": (
        [{}, {"coach_id": "C2", "region": ""}],
        None,
        "coaches.csv",
        3,
        "region",
        "expected a value",
    ),
    "empty coach_id": (
        [{}, {"coach_id": ""}],
        None,
        "coaches.csv",
        3,
        "coach_id",
        "expected a value",
    ),
    "empty required candidate cell": (
        None,
        [{}, {"candidate_id": "K2", "role": ""}],
        "candidates.csv",
        3,
        "role",
        "expected",
    ),
    "empty program_year": (
        None,
        [{"program_year": ""}],
        "candidates.csv",
        2,
        "program_year",
        "expected",
    ),
    "duplicate coach_id": (
        [{}, {"coach_id": "C2"}, {"coach_id": "C1"}],
        None,
        "coaches.csv",
        4,
        "coach_id",
        "duplicate",
    ),
    "duplicate candidate_id": (
        None,
        [{}, {"candidate_id": "K2"}, {"candidate_id": "K2"}],
        "candidates.csv",
        4,
        "candidate_id",
        "duplicate",
    ),
    "unknown certification": (
        [{}, {"coach_id": "C2", "certification": "gold"}],
        None,
        "coaches.csv",
        3,
        "certification",
        "one of certified, in_progress, expired, none",
    ),
    "unknown coach role": (
        [{"roles": "principal;janitor"}],
        None,
        "coaches.csv",
        2,
        "roles",
        "assistant_principal",
    ),
    "unknown coach level": (
        [{"levels": "high;college"}],
        None,
        "coaches.csv",
        2,
        "levels",
        "elementary",
    ),
    "unknown candidate role": (
        None,
        [{}, {"candidate_id": "K2", "role": "janitor"}],
        "candidates.csv",
        3,
        "role",
        "one of principal",
    ),
    "unknown candidate level": (
        None,
        [{"level": "college"}],
        "candidates.csv",
        2,
        "level",
        "one of elementary",
    ),
    "program_year 3": (
        None,
        [{}, {"candidate_id": "K2", "program_year": "3"}],
        "candidates.csv",
        3,
        "program_year",
        "1 or 2",
    ),
    "program_year 0": (
        None,
        [{"program_year": "0"}],
        "candidates.csv",
        2,
        "program_year",
        "1 or 2",
    ),
    "coach CPSEL 7": (
        [{"cpsel_strengths": "1;7"}],
        None,
        "coaches.csv",
        2,
        "cpsel_strengths",
        "1 to 6",
    ),
    "candidate CPSEL 0": (
        None,
        [{"cpsel_focus": "0;2"}],
        "candidates.csv",
        2,
        "cpsel_focus",
        "1 to 6",
    ),
    "candidate CPSEL text": (
        None,
        [{"cpsel_focus": "vision"}],
        "candidates.csv",
        2,
        "cpsel_focus",
        "1 to 6",
    ),
    "bad weekday": (
        [{"available": "Mon 08:00-12:00;Mun 13:00-15:00"}],
        None,
        "coaches.csv",
        2,
        "available",
        "Mon 08:00-12:00",
    ),
    "window ends before it starts": (
        None,
        [{"available": "Tue 12:00-08:00"}],
        "candidates.csv",
        2,
        "available",
        "end after start",
    ),
    "window garbage": (
        [{}, {"coach_id": "C2", "available": "mornings"}],
        None,
        "coaches.csv",
        3,
        "available",
        "weekly windows",
    ),
    "bad hour in window": (
        None,
        [{"available": "Wed 08:75-12:00"}],
        "candidates.csv",
        2,
        "available",
        "weekly windows",
    ),
    "start_month with slash": (
        None,
        [{"start_month": "2027/01"}],
        "candidates.csv",
        2,
        "start_month",
        "YYYY-MM",
    ),
    "start_month 13": (
        None,
        [{"start_month": "2027-13"}],
        "candidates.csv",
        2,
        "start_month",
        "YYYY-MM",
    ),
    "start_month a date": (
        None,
        [{"start_month": "January"}],
        "candidates.csv",
        2,
        "start_month",
        "YYYY-MM",
    ),
    "start_month after the year": (
        None,
        [{}, {"candidate_id": "K2", "start_month": "2027-07"}],
        "candidates.csv",
        3,
        "start_month",
        "no later than the last program month 2027-05",
    ),
    "latitude out of range": (
        [{"lat": "95", "lon": "-120"}],
        None,
        "coaches.csv",
        2,
        "lat",
        "latitude from -90 to 90",
    ),
    "longitude out of range": (
        None,
        [{"lat": "37", "lon": "-190"}],
        "candidates.csv",
        2,
        "lon",
        "-180 to 180",
    ),
    "latitude not a number": (
        None,
        [{"lat": "north", "lon": "-120"}],
        "candidates.csv",
        2,
        "lat",
        "latitude",
    ),
    "lat without lon": (
        [{}, {"coach_id": "C2", "lat": "37.5"}],
        None,
        "coaches.csv",
        3,
        "lon",
        "lat and lon",
    ),
    "lon without lat": (
        None,
        [{"lon": "-120"}],
        "candidates.csv",
        2,
        "lat",
        "lat and lon",
    ),
    "bad boolean": (
        [{"cnet_current": "maybe"}],
        None,
        "coaches.csv",
        2,
        "cnet_current",
        "true/false",
    ),
    "min_load above capacity": (
        [{}, {"coach_id": "C2", "capacity": "2", "min_load": "3"}],
        None,
        "coaches.csv",
        3,
        "min_load",
        "more than capacity",
    ),
    "negative max_hours_per_month": (
        [{"max_hours_per_month": "-3"}],
        None,
        "coaches.csv",
        2,
        "max_hours_per_month",
        ">= 0",
    ),
}


@pytest.mark.parametrize("case", list(CELL_CASES))
def test_bad_cell(program_dir, out, case):
    coaches, candidates, file, row, column, expected = CELL_CASES[case]
    folder = program_dir(coaches=coaches or TWO_COACHES, candidates=candidates or TWO_CANDS)
    assert_input_error(folder, out, file, row, column, expected)


TOML_CASES = {
    # name: (program.toml, key, expected)
    "unknown key": (
        "[eligibility]\nmax_travel_kms = 50\n",
        "eligibility.max_travel_kms",
        "not a known key",
    ),
    "unknown section": ("[eligibilty]\nrequire_cnet = false\n", "eligibilty", "not a known key"),
    "number as text": (
        '[eligibility]\nmax_travel_km = "far"\n',
        "eligibility.max_travel_km",
        "number",
    ),
    "bool as text": (
        '[eligibility]\nrequire_cnet = "maybe"\n',
        "eligibility.require_cnet",
        "boolean",
    ),
    "unknown choice": (
        '[eligibility]\nsupervisor_conflict = "boss"\n',
        "eligibility.supervisor_conflict",
        "'direct' or 'chain'",
    ),
    "negative travel": (
        "[eligibility]\nmax_travel_km = -5\n",
        "eligibility.max_travel_km",
        "greater than or equal to 0",
    ),
    "section not a table": ("eligibility = 5\n", "eligibility", "dictionary"),
    "months out of order": (
        '[coaching]\nmonths = ["2026-09", "2026-08"]\n',
        "coaching.months",
        "calendar order",
    ),
    "month malformed": (
        '[coaching]\nmonths = ["2026-08", "2026-9"]\n',
        "coaching.months",
        "YYYY-MM",
    ),
    "months empty": ("[coaching]\nmonths = []\n", "coaching.months", "at least one month"),
    "months not a list": ('[coaching]\nmonths = "2026-08"\n', "coaching.months", "tuple"),
    "bad weekday": ('[coaching]\nweekdays = ["Mon", "Funday"]\n', "coaching.weekdays", "weekdays"),
    "bad clock": ('[coaching]\nday_start = "7am"\n', "coaching.day_start", "HH:MM"),
    "bad blackout": ('[calendar]\nblackout = ["2026-13-01"]\n', "calendar.blackout", "YYYY-MM-DD"),
    "year2_first as text": (
        '[priority]\nyear2_first = "maybe"\n',
        "priority.year2_first",
        "boolean",
    ),
    "priority key misspelt": (
        "[priority]\nyear_2_first = true\n",
        "priority.year_2_first",
        "not a known key",
    ),
}


@pytest.mark.parametrize("case", list(TOML_CASES))
def test_bad_program_toml(program_dir, out, case):
    toml, key, expected = TOML_CASES[case]
    folder = program_dir(toml=toml)
    results = assert_input_error(folder, out, "program.toml", None, key, expected)
    assert f"key '{key}'" in results[0].output


def test_invalid_toml_syntax_names_the_line(program_dir, out):
    folder = program_dir(toml="[eligibility]\nmax_travel_km = = 5\n")
    results = assert_input_error(folder, out, "program.toml", None, None, "not valid TOML")
    for result in results:
        assert "line 2" in _find_problem(result.output, "program.toml", None, None, "TOML")


# ------------------------------------------------------------------- files and columns


def test_missing_folder(tmp_path, out):
    missing = tmp_path / "no-such-program"
    assert_input_error(missing, out, str(missing), None, None, "not found")


def test_program_path_is_a_file(tmp_path, out):
    file = tmp_path / "coaches.csv"
    file.write_text("coach_id\n", encoding="utf-8")
    assert_input_error(file, out, str(file), None, None, "not found")


@pytest.mark.parametrize("stem", ["coaches", "candidates"])
def test_missing_table(program_dir, out, stem):
    folder = program_dir()
    (folder / f"{stem}.csv").unlink()
    assert_input_error(folder, out, f"{stem}.csv", None, None, "missing")


def test_both_tables_missing_are_reported_together(program_dir, out):
    folder = program_dir()
    (folder / "coaches.csv").unlink()
    (folder / "candidates.csv").unlink()
    for result in assert_input_error(folder, out, "coaches.csv", None, None, "missing"):
        _find_problem(result.output, "candidates.csv", None, None, "missing")


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("coaches.csv", "capacity"),
        ("coaches.csv", "coach_id"),
        ("coaches.csv", "certification"),
        ("candidates.csv", "program_year"),
        ("candidates.csv", "region"),
    ],
)
def test_missing_required_column(program_dir, out, file, column):
    folder = program_dir()
    _rewrite_csv(folder / file, lambda f: f.drop(columns=[column]))
    assert_input_error(folder, out, file, None, column, "required column is missing")


def test_missing_optional_column_is_fine(program_dir, out):
    folder = program_dir()
    _rewrite_csv(folder / "coaches.csv", lambda f: f.drop(columns=["lat", "lon", "available"]))
    for result in _run_both(folder, out):
        assert result.exit_code == 0, result.output


def test_empty_table_file(program_dir, out):
    folder = program_dir()
    (folder / "candidates.csv").write_text("", encoding="utf-8")
    assert_input_error(folder, out, "candidates.csv", None, None, "header")


def test_column_twice_in_header(program_dir, out):
    folder = program_dir()
    path = folder / "coaches.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},Region", *(f"{line},South" for line in lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_input_error(folder, out, "coaches.csv", None, "region", "twice")


def test_blank_lines_do_not_shift_row_numbers(program_dir, out):
    """A spreadsheet shows a blank line as a row: the row named is the one a person sees."""
    folder = program_dir(candidates=[{}, {"candidate_id": "K2", "role": "janitor"}])
    path = folder / "candidates.csv"
    header, first, second = path.read_text(encoding="utf-8").splitlines()
    path.write_text(f"{header}\n{first}\n\n{second}\n", encoding="utf-8")
    assert_input_error(folder, out, "candidates.csv", 4, "role", "one of principal")


def test_csv_and_xlsx_both_present(program_dir, out):
    folder = program_dir()
    frame = pd.read_csv(folder / "coaches.csv", dtype=str, keep_default_na=False)
    frame.to_excel(folder / "coaches.xlsx", index=False, engine="openpyxl")
    for result in assert_input_error(folder, out, "coaches", None, None, "keep one"):
        line = _find_problem(result.output, "coaches", None, None, "keep one")
        assert "coaches.csv" in line
        assert "coaches.xlsx" in line


def test_corrupt_xlsx_is_an_input_error(program_dir, out):
    folder = program_dir()
    (folder / "coaches.csv").unlink()
    (folder / "coaches.xlsx").write_bytes(b"this is not a workbook")
    assert_input_error(folder, out, "coaches.xlsx", None, None, "could not be read")


def test_non_utf8_csv_is_an_input_error(program_dir, out):
    folder = program_dir()
    (folder / "coaches.csv").write_bytes(b"\xff\xfe\x00coach_id\n")
    assert_input_error(folder, out, "coaches.csv", None, None, "could not be read")


# ------------------------------------------------------------------------------ xlsx


def test_xlsx_tables_are_read_like_csv(program_dir, out):
    """Number cells, a boolean cell and a date cell for ``start_month``: all read as meant."""
    folder = program_dir(
        coaches=[
            {"lat": "37.5", "lon": "-122.1"},
            {"coach_id": "C2", "lat": "37.6", "lon": "-122"},
        ],
        candidates=[
            {"lat": "37.55", "lon": "-122.05", "start_month": "2027-01"},
            {"candidate_id": "K2", "role": "principal", "program_year": "2"},
        ],
    )
    _csv_to_xlsx(folder, "coaches", numeric=("capacity", "admin_years", "lat", "lon"))
    cand_path = _csv_to_xlsx(folder, "candidates", numeric=("program_year", "lat", "lon"))
    book = openpyxl.load_workbook(cand_path)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("start_month") + 1, value=dt.datetime(2027, 1, 1))
    book.save(cand_path)
    assert not (folder / "coaches.csv").exists()

    validate, assign = _run_both(folder, out, "--no-xlsx")
    assert validate.exit_code == 0, validate.output
    assert "2 candidates, 2 coaches" in validate.output
    assert assign.exit_code == 0, assign.output
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert roster["candidate_id"].tolist() == ["K1", "K2"]
    assert roster["status"].tolist() == ["assigned", "assigned"]
    assert 0 < float(roster["travel_km"][0]) < 80  # K1's lat/lon were read as numbers
    assert roster["travel_km"][1] == ""  # K2 has none


def test_xlsx_error_names_the_spreadsheet_row(program_dir, out):
    folder = program_dir(
        coaches=[{}, {"coach_id": "C2"}, {"coach_id": "C3", "capacity": "lots"}],
        candidates=[{}, {"candidate_id": "K2"}, {"candidate_id": "K3", "program_year": "5"}],
    )
    _csv_to_xlsx(folder, "coaches")
    _csv_to_xlsx(folder, "candidates")
    results = assert_input_error(folder, out, "coaches.xlsx", 4, "capacity", "whole number")
    for result in results:
        _find_problem(result.output, "candidates.xlsx", 4, "program_year", "1 or 2")


def test_xlsx_blank_row_keeps_row_numbers(program_dir, out):
    folder = program_dir(coaches=[{}, {"coach_id": "C2", "certification": "gold"}])
    path = _csv_to_xlsx(folder, "coaches")
    book = openpyxl.load_workbook(path)
    book.active.insert_rows(3)  # an empty row 3; the bad coach moves to row 4
    book.save(path)
    assert_input_error(folder, out, "coaches.xlsx", 4, "certification", "certified")


# --------------------------------------------------------------------- supervision cycles


def test_cycle_in_org_csv(program_dir, out):
    folder = program_dir(
        candidates=[{"person_id": "P1", "supervisor_id": "A"}],
        org=[("X", "Y"), ("A", "B"), ("B", "C"), ("C", "A")],
    )
    results = assert_input_error(folder, out, "org.csv", 3, "supervisor_id", "cycle")
    for result in results:
        for row in (4, 5):
            _find_problem(result.output, "org.csv", row, "supervisor_id", "cycle")
        assert not any("org.csv, row 2" in line for line in _problem_lines(result.output))


def test_cycle_through_candidates(program_dir, out):
    folder = program_dir(
        candidates=[
            {"person_id": "P1", "supervisor_id": "P2"},
            {"candidate_id": "K2", "person_id": "P2", "supervisor_id": "P1"},
        ]
    )
    results = assert_input_error(folder, out, "candidates.csv", 2, "supervisor_id", "cycle")
    for result in results:
        _find_problem(result.output, "candidates.csv", 3, "supervisor_id", "cycle")


def test_cycle_across_candidates_and_org(program_dir, out):
    folder = program_dir(
        candidates=[{}, {"candidate_id": "K2", "person_id": "P1", "supervisor_id": "P2"}],
        org=[("P2", "P3"), ("P3", "P1")],
    )
    results = assert_input_error(folder, out, "candidates.csv", 3, "supervisor_id", "cycle")
    for result in results:
        _find_problem(result.output, "org.csv", 2, "supervisor_id", "cycle")
        _find_problem(result.output, "org.csv", 3, "supervisor_id", "cycle")


def test_person_supervising_themselves(program_dir, out):
    folder = program_dir(candidates=[{"person_id": "P1", "supervisor_id": "P1"}])
    assert_input_error(folder, out, "candidates.csv", 2, "supervisor_id", "cycle")


def test_org_csv_missing_column(program_dir, out):
    folder = program_dir(org=[("A", "B")])
    _rewrite_csv(folder / "org.csv", lambda f: f.drop(columns=["supervisor_id"]))
    assert_input_error(folder, out, "org.csv", None, "supervisor_id", "required column")


# -------------------------------------------------------------- many problems, one run


def test_all_problems_of_a_file_in_one_run(program_dir, out):
    folder = program_dir(
        candidates=[
            {"role": "janitor"},
            {"candidate_id": "K2", "program_year": "3", "cpsel_focus": "9"},
            {"candidate_id": "K3", "lat": "37.1"},
            {"candidate_id": "K4", "start_month": "2027-08"},
            {"candidate_id": "K2", "available": "Sun 10:00-09:00"},
        ]
    )
    expected = [
        (2, "role", "one of principal"),
        (3, "program_year", "1 or 2"),
        (3, "cpsel_focus", "1 to 6"),
        (4, "lon", "lat and lon"),
        (5, "start_month", "last program month"),
        (6, "candidate_id", "duplicate"),
        (6, "available", "weekly windows"),
    ]
    for result in assert_input_error(folder, out, "candidates.csv", 2, "role", "one of"):
        for row, column, words in expected:
            _find_problem(result.output, "candidates.csv", row, column, words)
        assert f"{len(expected) + 1} input problems" in result.output  # K2 twice: rows 3 and 6


def test_problems_of_every_file_in_one_run(program_dir, out):
    folder = program_dir(
        coaches=[{"capacity": "-2"}],
        candidates=[{"role": "janitor"}],
        org=[("", "A")],
        toml="[weights]\nlevle = 2.0\n",
    )
    for result in assert_input_error(folder, out, "coaches.csv", 2, "capacity", "whole number"):
        _find_problem(result.output, "candidates.csv", 2, "role", "one of principal")
        _find_problem(result.output, "org.csv", 2, "person_id", "expected a value")
        _find_problem(result.output, "program.toml", None, "weights.levle", "not a known key")


# ------------------------------------------------------------------- dangling ids: warnings


def test_ids_that_point_nowhere_are_warnings(program_dir, out):
    folder = program_dir(
        candidates=[
            {},
            {
                "candidate_id": "K2",
                "current_coach_id": "C9",
                "exclude_coach_ids": "C8",
                "preferred_coach_ids": "C1;C7",
                "supervisor_id": "NOBODY",
            },
        ],
    )
    validate, assign = _run_both(folder, out, "--no-xlsx")
    assert validate.exit_code == 0, validate.output
    assert assign.exit_code == 0, assign.output
    warnings = json.loads((out / "summary.json").read_text(encoding="utf-8"))["warnings"]
    expected = {
        ("current_coach_id", "C9"),
        ("exclude_coach_ids", "C8"),
        ("preferred_coach_ids", "C7"),
        ("supervisor_id", "NOBODY"),
    }
    assert len(warnings) == len(expected)
    for column, value in expected:
        hits = [w for w in warnings if f"'{column}'" in w and value in w]
        assert len(hits) == 1, (column, warnings)
        assert "candidates.csv" in hits[0]
        assert re.search(r"\brow 3\b", hits[0])
        assert hits[0] in validate.output  # validate shows them too
    assert not any("C1" in w.split(":")[-1] for w in warnings)  # C1 exists


# ------------------------------------------------------------------------------ pins


def _pin_program(program_dir) -> Path:
    return program_dir(
        coaches=[{}, {"coach_id": "C2", "cnet_current": "false"}],
        candidates=[{}, {"candidate_id": "K2"}],
    )


def test_unknown_pin_ids(program_dir, out, tmp_path):
    folder = _pin_program(program_dir)
    pins = tmp_path / "pins.csv"
    pins.write_text("candidate_id,coach_id\nK1,C1\nK9,C1\nK2,C7\n", encoding="utf-8")
    result = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--pin", str(pins)])
    _assert_clean_exit(result, 2)
    _find_problem(result.output, "pins.csv", 3, "candidate_id", "no such candidate")
    _find_problem(result.output, "pins.csv", 4, "coach_id", "no such coach")
    assert not out.exists()


def test_pin_file_missing_column(program_dir, out, tmp_path):
    folder = _pin_program(program_dir)
    pins = tmp_path / "pins.csv"
    pins.write_text("candidate,coach_id\nK1,C1\n", encoding="utf-8")
    result = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--pin", str(pins)])
    _assert_clean_exit(result, 2)
    _find_problem(result.output, "pins.csv", None, "candidate_id", "required column")
    assert not out.exists()


def test_pin_on_ineligible_pair_is_infeasible(program_dir, out, tmp_path):
    folder = _pin_program(program_dir)
    pins = tmp_path / "pins.csv"
    pins.write_text("candidate_id,coach_id\nK2,C2\n", encoding="utf-8")
    result = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--pin", str(pins)])
    _assert_clean_exit(result, 3)
    line = next(line for line in _problem_lines(result.output) if "K2" in line)
    assert "C2" in line
    assert "rule 2" in line
    assert "network training" in line
    assert not out.exists()


def test_pin_on_eligible_pair_is_kept(program_dir, out, tmp_path):
    folder = _pin_program(program_dir)
    pins = tmp_path / "pins.csv"
    pins.write_text("candidate_id,coach_id\nK2,C1\n", encoding="utf-8")
    result = runner.invoke(
        main, ["assign", str(folder), "--out", str(out), "--pin", str(pins), "--no-xlsx"]
    )
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert roster.set_index("candidate_id").loc["K2", "coach_id"] == "C1"


# --------------------------------------------------------------- inputs stay untouched


def test_input_files_are_never_modified(program_dir, tmp_path):
    folder = program_dir(
        coaches=[{"lat": "37.5", "lon": "-122"}, {"coach_id": "C2"}],
        candidates=[{"start_month": "2027-01"}, {"candidate_id": "K2", "supervisor_id": "P9"}],
        org=[("P9", "P10")],
        toml="[eligibility]\nmax_travel_km = 0\n",
    )
    _csv_to_xlsx(folder, "coaches", numeric=("capacity", "lat", "lon"))
    pins = folder / "pins.csv"
    pins.write_text("candidate_id,coach_id\nK1,C1\n", encoding="utf-8")
    before = _snapshot(folder)
    ok = runner.invoke(
        main,
        [
            "assign",
            str(folder),
            "--out",
            str(tmp_path / "a"),
            "--pin",
            str(pins),
            "--alternates",
            "1",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(main, ["validate", str(folder)]).exit_code == 0
    assert _snapshot(folder) == before

    with (folder / "candidates.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["K3", "x", "North", "", "", "", "", "janitor"])
    before = _snapshot(folder)
    results = _run_both(folder, tmp_path / "b")
    assert [r.exit_code for r in results] == [2, 2]
    assert _snapshot(folder) == before
