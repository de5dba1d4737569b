"""`--redact` on assign, schedule and plan: no candidate or coach name in any result file."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import subset_program

from matcher.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "sample-district"
runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def _names(program: Path) -> list[str]:
    names = []
    for table in ("candidates", "coaches"):
        with (program / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
            names += [row["name"] for row in csv.DictReader(fh) if row["name"]]
    assert names
    return names


def _texts(folder: Path) -> dict[str, str]:
    """Every file of the folder as text; an .xlsx as its zip members (sheet XML and titles)."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    texts[f"{path.name}:{member}"] = book.read(member).decode("utf-8", "replace")
        else:
            texts[str(path.relative_to(folder))] = path.read_bytes().decode("utf-8", "replace")
    return texts


def _leaks(folder: Path, names: list[str]) -> list[tuple[str, str]]:
    return [(file, name) for file, text in _texts(folder).items() for name in names if name in text]


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("redact") / "sample-district"
    shutil.copytree(SAMPLE, copy)
    return copy


def test_assign_and_schedule_with_redact_write_no_names(program: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    done = _invoke("assign", program, "--out", out, "--quiet", "--redact", "--report")
    assert done.exit_code == 0, done.output
    done = _invoke(
        "schedule", program, "--roster", out / "roster.csv", "--out", out, "--quiet", "--redact"
    )
    assert done.exit_code == 0, done.output
    files = {p.name for p in out.rglob("*") if p.is_file()}
    assert {"roster.csv", "summary.json", "roster.xlsx", "report.html", "schedule.csv"} <= files
    assert any(name.endswith(".ics") for name in files)
    assert _leaks(out, _names(program)) == []
    # the workbook still has a sheet per coach, titled by id, and the Schedule sheet
    with zipfile.ZipFile(out / "roster.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert 'name="Schedule"' in workbook and 'name="Coaches"' in workbook


def test_names_are_written_without_redact(program: Path, tmp_path: Path) -> None:
    """The check above can see names: without --redact they are there."""
    out = tmp_path / "result"
    done = _invoke("assign", program, "--out", out, "--quiet")
    assert done.exit_code == 0, done.output
    assert _leaks(out, _names(program))


def test_schedule_redact_scrubs_an_earlier_named_workbook(program: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    assert _invoke("assign", program, "--out", out, "--quiet").exit_code == 0
    done = _invoke(
        "schedule", program, "--roster", out / "roster.csv", "--out", out, "--quiet", "--redact"
    )
    assert done.exit_code == 0, done.output
    assert _leaks(out, _names(program)) == []


def test_plan_with_redact_writes_no_names(program: Path, tmp_path: Path) -> None:
    # a part of the sample (6 coaches, their regions' first 45 candidates): plan writes the
    # same files as on the whole, with calendars, in a fraction of the time
    small = subset_program(program, tmp_path / "small", n_coaches=6, n_candidates=45)
    out = tmp_path / "plan"
    done = _invoke("plan", small, "--out", out, "--quiet", "--redact", "--report")
    assert done.exit_code in (0, 4), done.output
    assert (out / "report.html").is_file() and (out / "roster.xlsx").is_file()
    assert (out / "schedule.csv").is_file() and any((out / "calendars").glob("*.ics"))
    assert _leaks(out, _names(small)) == []


@pytest.mark.parametrize("command", ["assign", "schedule", "plan"])
def test_redact_flag_is_offered(command: str) -> None:
    done = _invoke(command, "--help")
    assert done.exit_code == 0 and "--redact" in done.output
