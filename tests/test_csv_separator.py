"""CSV files saved by Excel with ';' (with or without BOM) or with tabs read like the
contract's comma-separated ones, with a warning saying so; list cells holding ';' inside a
comma-separated file do not fool the detection."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.io.loading import detect_separator, load_program

COACHES = [
    {"coach_id": "C1", "roles": "assistant_principal;principal", "languages": "english;spanish"},
    {"coach_id": "C2", "roles": "principal", "cpsel_strengths": "1;2;3"},
]
CANDIDATES = [{"candidate_id": "K1"}, {"candidate_id": "K2", "role": "principal"}]


def _rewrite(path: Path, separator: str, *, bom: bool = False, quote_all: bool = False) -> None:
    """The same table, saved with another separator (as Excel does in a ';' locale)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        csv.writer(fh, delimiter=separator, quoting=quoting).writerows(rows)


@pytest.mark.parametrize(
    ("separator", "bom", "words"),
    [(";", False, "';'"), (";", True, "';'"), ("\t", False, "tab"), ("\t", True, "tab")],
)
def test_other_separators_read_with_a_warning(program_dir, separator, bom, words) -> None:
    folder = program_dir(coaches=COACHES, candidates=CANDIDATES)
    _rewrite(folder / "coaches.csv", separator, bom=bom)
    assert detect_separator(folder / "coaches.csv") == separator
    program = load_program(folder)
    c1, c2 = program.coaches
    assert c1.roles == {"assistant_principal", "principal"}  # list cells kept whole
    assert c1.languages == {"english", "spanish"}
    assert c2.cpsel_strengths == {1, 2, 3}
    assert f"coaches.csv uses {words} as separator; read as such" in program.warnings
    assert not any("candidates.csv uses" in w for w in program.warnings)


@pytest.mark.parametrize("quote_all", [False, True])
def test_comma_files_with_semicolon_lists_stay_comma(program_dir, quote_all) -> None:
    folder = program_dir(coaches=COACHES, candidates=CANDIDATES)
    _rewrite(folder / "coaches.csv", ",", quote_all=quote_all)
    assert detect_separator(folder / "coaches.csv") == ","
    program = load_program(folder)
    assert program.coaches[0].roles == {"assistant_principal", "principal"}
    assert not any("separator" in w for w in program.warnings)


def test_unquoted_semicolon_lists_in_a_comma_file(tmp_path: Path) -> None:
    """A comma file whose list cells are not quoted: the header decides, not the rows."""
    path = tmp_path / "coaches.csv"
    path.write_text("coach_id,roles,languages\nC1,principal;assistant_principal;x,english\n")
    assert detect_separator(path) == ","


def test_semicolon_file_validates_on_the_command_line(program_dir) -> None:
    folder = program_dir(coaches=COACHES, candidates=CANDIDATES)
    _rewrite(folder / "candidates.csv", ";", bom=True)
    done = CliRunner().invoke(main, ["validate", str(folder)])
    assert done.exit_code == 0, done.output
    assert "required column is missing" not in done.output
    assert "candidates.csv uses ';' as separator; read as such" in done.output
