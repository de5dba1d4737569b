"""Tables to .xlsx through xlsxwriter: a bold, frozen header, autofilter, optional banded rows.

Why xlsxwriter (and not a writer of our own): a workbook Excel cannot open costs a
coordinator far more than a second of runtime, and xlsxwriter is a well-kept library whose
files Excel, LibreOffice and openpyxl read. Speed at state size (~220,000 cells, ~0.85 s of CPU,
close to xlsxwriter's own cost per cell) comes from doing the per-cell Python work once per
column, before the row loop: each column is turned into plain Python values (``None`` for an
empty cell) and given its typed write method, so the loop only calls it. The workbook keeps
its cells in memory until :meth:`TableWorkbook.close` (xlsxwriter's default mode, ~40 MB at
state size) and stores each distinct text once (a shared-string table): repeated regions,
roles, statuses and ids are not escaped and written again per cell, which makes it faster and
the file smaller than the row-streaming ``constant_memory`` mode. Python's cyclic collector is
paused meanwhile (:mod:`matcher.collector`): the held cells are ~220,000 objects that it
would otherwise scan again and again, for nothing to free.

Safety: text is written with ``write_string`` only (and the workbook's ``strings_to_*`` options
are off), so no input can become a formula, a link or a number: the cell shows what was typed.
xlsxwriter escapes XML and control characters itself. One exception: a string that starts
with ``<r>`` and ends with ``</r>`` is taken for rich-text XML and written unescaped (a file
Excel must repair); such a text is written as a rich string of three plain runs, which
xlsxwriter escapes, and reads back exactly as typed.

Deterministic: the document properties carry a fixed creation time and xlsxwriter gives every
zip member a fixed timestamp, so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from matcher.collector import collector_paused

BAND_COLOR = "#EEF3FA"
FIXED_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""The workbook's creation time in its properties: fixed, so that two runs give equal bytes."""

_WIDTH_SAMPLE = 50  # rows that set a column's width
_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
}


def column_values(values: pd.Series) -> tuple[str, list]:
    """(the column's kind, its cells as plain Python values with ``None`` for empty cells).

    Kinds: ``"number"``, ``"bool"``, ``"text"`` (every value a ``str``) or ``"mixed"`` (a
    summary's figure column: each cell typed on its own). Vectorised: this runs once per
    column, so the row loop does no typing or checking of its own."""
    if pd.api.types.is_bool_dtype(values) and not values.hasnans:
        return "bool", values.tolist()
    if pd.api.types.is_integer_dtype(values) and not values.hasnans:
        return "number", values.tolist()
    if pd.api.types.is_numeric_dtype(values):
        as_float = values.to_numpy(dtype="float64", na_value=np.nan)
        return "number", _none_where(values, ~np.isfinite(as_float))
    kind = pd.api.types.infer_dtype(values, skipna=True)
    empty = values.isna().to_numpy() | (values == "").to_numpy()
    if kind == "string" or kind == "empty":
        return "text", _none_where(values, empty)
    odd = values.map(lambda v: isinstance(v, float) and not math.isfinite(v)).to_numpy()
    return "mixed", _none_where(values, empty | odd)


def _none_where(values: pd.Series, empty: np.ndarray) -> list:
    return pd.Series(values.to_numpy(dtype=object), dtype=object).where(~empty, None).tolist()


def _is_rich_text_lookalike(text: str) -> bool:
    return text.startswith("<r>") and text.endswith("</r>")


def _has_rich_text_lookalikes(cells: list) -> bool:
    text = pd.Series(cells, dtype=object)
    suspects = text[text.str.startswith("<r>", na=False)]
    return bool(suspects.str.endswith("</r>", na=False).any())


def _width(name: str, cells: list) -> float:
    longest = max([len(name), *(len(str(v)) for v in cells[:_WIDTH_SAMPLE] if v is not None)])
    return float(min(max(longest + 2, 8), 48))


@dataclass(frozen=True)
class _Table:
    title: str
    header: list[str]
    columns: list[tuple[str, list]]  # (kind, cells) per column: see column_values
    filterable: bool
    band: list[bool] | None


class TableWorkbook:
    """Sheets of tables, written to ``path`` by :meth:`close` (or at the end of a ``with``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._tables: list[_Table] = []

    def __enter__(self) -> TableWorkbook:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()

    def add_table(
        self,
        title: str,
        frame: pd.DataFrame,
        *,
        filterable: bool = True,
        band: Sequence[bool] | None = None,
    ) -> None:
        """A sheet named ``title`` (already a valid, unique sheet name) holding ``frame``;
        ``band``: rows to shade, e.g. every other coach's."""
        columns = [column_values(frame.iloc[:, c]) for c in range(len(frame.columns))]
        header = [str(name) for name in frame.columns]
        shaded = None if band is None else list(band)
        self._tables.append(_Table(title, header, columns, filterable, shaded))

    def close(self) -> None:
        with collector_paused():
            book = xlsxwriter.Workbook(str(self.path), {**_OPTIONS, "in_memory": True})
            book.set_properties({"created": FIXED_CREATED})
            header_format = book.add_format({"bold": True})
            band_format = book.add_format({"bg_color": BAND_COLOR, "pattern": 1})
            for table in self._tables:
                sheet = book.add_worksheet(table.title)
                _write_table(sheet, table, header_format, band_format)
            book.close()
            for sheet in book.worksheets():
                _release_cells(sheet)


def _release_cells(sheet) -> None:
    """Free a written sheet's cells now, by reference counting.

    xlsxwriter's workbook and sheets refer to each other (a sheet keeps the workbook's
    ``add_format``), so the cells they hold (~220,000 records at state size) would otherwise
    wait for Python's cyclic collector, and cost it ~0.2 s (measured) wherever it next ran:
    in a later step, or at exit. The cell store is xlsxwriter's ``Worksheet.table``, emptied
    here only after the file is written; should a later xlsxwriter keep its cells elsewhere,
    this does nothing."""
    cells = getattr(sheet, "table", None)
    if isinstance(cells, dict):
        cells.clear()


def _writers(sheet, columns: Sequence[tuple[str, list]]) -> list[Callable]:
    """Each column's write method, chosen once: the row loop only calls it."""

    def write_text(row: int, col: int, text: str) -> None:
        if _is_rich_text_lookalike(text):  # three plain runs: escaped like any text
            sheet.write_rich_string(row, col, text[:1], text[1:-1], text[-1:])
        else:
            sheet.write_string(row, col, text)

    def write_mixed(row: int, col: int, value) -> None:
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, numbers.Real):
            sheet.write_number(row, col, value)
        else:
            write_text(row, col, str(value))

    def writer(kind: str, cells: list) -> Callable:
        if kind == "text":
            return write_text if _has_rich_text_lookalikes(cells) else sheet.write_string
        return {"number": sheet.write_number, "bool": sheet.write_boolean}.get(kind, write_mixed)

    return [writer(kind, cells) for kind, cells in columns]


def _write_table(sheet, table: _Table, header_format, band_format) -> None:
    """Header, column widths, frozen pane and filter, then the rows in order."""
    header, columns, band = table.header, table.columns, table.band
    n_rows = len(columns[0][1]) if columns else 0
    for col, (name, (_, cells)) in enumerate(zip(header, columns, strict=True)):
        sheet.set_column(col, col, _width(name, cells))
    sheet.freeze_panes(1, 0)
    if table.filterable and header:
        sheet.autofilter(0, 0, max(n_rows, 1), len(header) - 1)
    sheet.write_row(0, 0, header, header_format)  # strings_to_* are off: the header is text
    writers = _writers(sheet, columns)
    rows = zip(*(cells for _, cells in columns), strict=True)
    shaded = band if band is not None else [False] * n_rows
    for row, (values, banded) in enumerate(zip(rows, shaded, strict=True), start=1):
        if banded:  # before the row's cells: the row's format shades its cells, blanks too
            sheet.set_row(row, None, band_format)
        for col, (write, value) in enumerate(zip(writers, values, strict=True)):
            if value is not None:
                write(row, col, value)
