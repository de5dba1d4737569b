"""The table writer behind roster.xlsx (xlsxwriter): text stays text, numbers stay numbers,
empty cells stay empty, the layout (bold frozen header, filter, banded rows) is there, and
the same tables give the same bytes."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd

from matcher.io.xlsx_writer import BAND_COLOR, TableWorkbook, column_values

LOOKS_LIKE = [
    "=1+1",
    '=HYPERLINK("http://evil.example")',
    "http://x.example",
    "007",
    "-3.5",
    "@SUM(A1)",
    " padded ",
    "<b>&amp;",
    "<r>rich</r>",
    "<r><t>x</t></r>",
]


def _write(path: Path, tables: list[tuple[str, pd.DataFrame, dict]]) -> Path:
    with TableWorkbook(path) as book:
        for title, frame, options in tables:
            book.add_table(title, frame, **options)
    return path


def _cells(path: Path, title: str) -> list[list]:
    return [list(row) for row in openpyxl.load_workbook(path)[title].iter_rows()]


def test_text_is_written_as_the_text_typed(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": LOOKS_LIKE})
    rows = _cells(_write(tmp_path / "t.xlsx", [("T", frame, {})]), "T")
    assert [c.value for c in rows[0]] == ["text"]
    body = [row[0] for row in rows[1:]]
    assert [c.value for c in body] == LOOKS_LIKE  # rich-text look-alikes included
    assert {c.data_type for c in body} == {"s"}  # no formula, number or link


def test_numbers_are_numbers_and_empty_cells_are_empty(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "score": [0.5, -1.25, math.nan, math.inf],
            "load": [1, 2, 3, 4],
            "name": ["a", "", None, "d"],
            "flag": [True, False, True, False],
        }
    )
    rows = _cells(_write(tmp_path / "n.xlsx", [("N", frame, {})]), "N")
    values = [[c.value for c in row] for row in rows[1:]]
    assert values == [
        [0.5, 1, "a", True],
        [-1.25, 2, None, False],
        [None, 3, None, True],  # NaN: an empty cell, not an error
        [None, 4, "d", False],  # infinity too
    ]
    assert [c.data_type for c in rows[1]] == ["n", "n", "s", "b"]


def test_a_summary_column_types_each_cell_on_its_own(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "figure": ["status", "assigned", "gap", "seed", "ok"],
            "value": ["optimal", 12, None, 0.25, True],
        }
    )
    assert column_values(frame["value"])[0] == "mixed"
    rows = _cells(_write(tmp_path / "s.xlsx", [("S", frame, {"filterable": False})]), "S")
    assert [(r[1].value, r[1].data_type) for r in rows[1:]] == [
        ("optimal", "s"),
        (12, "n"),
        (None, "n"),
        (0.25, "n"),
        (True, "b"),
    ]


def test_layout_header_filter_freeze_and_bands(tmp_path: Path) -> None:
    frame = pd.DataFrame({"coach_id": ["C1", "C1", "C2", "C3"], "score": [1.0, 2.0, 3.0, 4.0]})
    path = _write(
        tmp_path / "l.xlsx",
        [
            ("Plain", frame, {"filterable": False}),
            ("Banded", frame, {"band": [False, False, True, False]}),
        ],
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Plain", "Banded"]
    plain, banded = book["Plain"], book["Banded"]
    assert plain.freeze_panes == banded.freeze_panes == "A2"
    assert plain.auto_filter.ref is None and banded.auto_filter.ref == "A1:B5"
    assert all(c.font.b for c in banded[1]) and not banded["A2"].font.b
    shade = "FF" + BAND_COLOR.lstrip("#")
    assert [row[0].fill.fgColor.rgb == shade for row in banded.iter_rows(min_row=2)] == [
        False,
        False,
        True,
        False,
    ]
    assert banded.column_dimensions["A"].width >= 8


def test_the_same_tables_give_the_same_bytes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": LOOKS_LIKE, "n": range(len(LOOKS_LIKE))})
    tables = [("A", frame, {}), ("B", frame, {"band": [i % 2 == 0 for i in range(len(frame))]})]
    first = _write(tmp_path / "1.xlsx", tables).read_bytes()
    second = _write(tmp_path / "2.xlsx", tables).read_bytes()
    assert first == second


def test_an_empty_table_still_has_its_header(tmp_path: Path) -> None:
    frame = pd.DataFrame({"coach_id": pd.Series([], dtype=object), "score": []})
    rows = _cells(_write(tmp_path / "e.xlsx", [("E", frame, {})]), "E")
    assert [[c.value for c in row] for row in rows] == [["coach_id", "score"]]


def test_text_longer_than_excel_allows_is_cut_to_its_limit(tmp_path: Path) -> None:
    text = "a" * 40_000
    rows = _cells(_write(tmp_path / "x.xlsx", [("X", pd.DataFrame({"t": [text]}), {})]), "X")
    assert rows[1][0].value == text[:32_767]


def test_written_cells_are_freed_without_the_cyclic_collector(tmp_path: Path) -> None:
    """xlsxwriter's workbook and sheets refer to each other: the cells they held must not be
    left for the cyclic collector (at state size that cost ~0.2 s wherever it next ran)."""
    import gc

    frame = pd.DataFrame({"id": [f"K{i:05d}" for i in range(2_000)], "score": range(2_000)})
    gc.collect()
    _write(tmp_path / "t.xlsx", [("Roster", frame, {}), ("Again", frame, {})])
    left = gc.collect()
    assert left < 1_000  # the workbook's own few objects, not its 8,000 cells
    assert _cells(tmp_path / "t.xlsx", "Again")[2_000][0].value == "K01999"
