"""A fast writer of tables to .xlsx: each sheet's XML built column by column, then zipped.

Why not xlsxwriter here: statewide roster.xlsx holds ~300,000 cells, and xlsxwriter's
per-cell path (a method call, checks and an XML write per cell, even in constant-memory mode)
cost ~1.6 s of CPU for them, more than loading, checking and solving the whole program
together. A table is much simpler than a workbook: every cell here is a number or an inline
string, styled at most bold (the header) or banded (a coach's rows). Building each column's
cells in one comprehension and each row by one join writes the same workbook in a fraction of
the time (``benchmarks/test_assign_outputs.py`` measures it).

Safety: text is written only as inline strings (``t="inlineStr"``), XML-escaped, so no input
can become a formula or a link: the cell shows what was typed. Characters XML 1.0 forbids
(control characters other than tab, LF and CR) are dropped. Numbers are written as numbers.
The output is deterministic: the same tables give the same bytes (fixed zip timestamps).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

MAX_TEXT = 32_767  # Excel's limit of characters in a cell
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
HEADER_STYLE, BAND_STYLE = 1, 2


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    value = _ILLEGAL_XML.sub("", value[:MAX_TEXT])
    return escape(value)


def _column_cells(values: pd.Series, letter: str, rows: Sequence[str], styles: Sequence[str]):
    """The ``<c>`` elements of one column (an empty string for an empty cell)."""
    if pd.api.types.is_bool_dtype(values):
        return [
            f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>'
            for v, r, s in zip(values.tolist(), rows, styles, strict=True)
        ]
    if pd.api.types.is_numeric_dtype(values):
        return [
            "" if v is None or (isinstance(v, float) and not math.isfinite(v))
            else f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>'
            for v, r, s in zip(values.tolist(), rows, styles, strict=True)
        ]  # fmt: skip
    cells = []
    for v, r, s in zip(values.tolist(), rows, styles, strict=True):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            cells.append("")
        elif isinstance(v, bool):
            cells.append(f'<c r="{letter}{r}"{s} t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, int | float | np.integer | np.floating):
            cells.append(f'<c r="{letter}{r}"{s}><v>{float(v)!r}</v></c>')
        else:
            cells.append(
                f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">'
                f"{_text(str(v))}</t></is></c>"
            )
    return cells


@dataclass(frozen=True)
class _Sheet:
    title: str
    xml: str
    filter_ref: str | None


def _width(name: str, sample: pd.Series) -> float:
    longest = max([len(name), *(len(str(v)) for v in sample.tolist())])
    return float(min(max(longest + 2, 8), 48))


def sheet_xml(
    frame: pd.DataFrame, *, filterable: bool, band: Sequence[bool] | None = None
) -> tuple[str, str | None]:
    """(the worksheet XML of a table with a bold, frozen header row, the autofilter's range)."""
    n_rows, n_cols = len(frame), len(frame.columns)
    last = column_letter(max(n_cols - 1, 0))
    rows = [str(i + 2) for i in range(n_rows)]
    banded = list(band) if band is not None else [False] * n_rows
    styles = [f' s="{BAND_STYLE}"' if b else "" for b in banded]
    columns = [
        _column_cells(frame.iloc[:, c], column_letter(c), rows, styles) for c in range(n_cols)
    ]
    header = "".join(
        f'<c r="{column_letter(c)}1" s="{HEADER_STYLE}" t="inlineStr"><is><t>{_text(str(name))}'
        "</t></is></c>"
        for c, name in enumerate(frame.columns)
    )
    shaded = f' s="{BAND_STYLE}" customFormat="1"'
    body = [
        f'<row r="{r}"{shaded if b else ""}>{"".join(cells)}</row>'
        for r, b, cells in zip(rows, banded, zip(*columns, strict=True), strict=True)
    ] if n_cols else []  # fmt: skip
    widths = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{_width(str(name), frame.iloc[:50, c])}" '
        'customWidth="1"/>'
        for c, name in enumerate(frame.columns)
    )
    ref = f"A1:{last}{max(n_rows + 1, 2)}" if filterable and n_cols else None
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1:{last}{n_rows + 1}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f'<sheetData><row r="1">{header}</row>{"".join(body)}</sheetData>'
        + (f'<autoFilter ref="{ref}"/>' if ref else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    )
    return xml, ref


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFEEF3FA"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class TableWorkbook:
    """Sheets of tables, written to ``path`` by :meth:`close` (or at the end of a ``with``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._sheets: list[_Sheet] = []

    def __enter__(self) -> TableWorkbook:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()

    def add_table(
        self, title: str, frame: pd.DataFrame, *, filterable: bool = True,
        band: Sequence[bool] | None = None,
    ) -> None:  # fmt: skip
        """A sheet named ``title`` (already a valid, unique sheet name) holding ``frame``;
        ``band``: rows to shade, e.g. every other coach's."""
        xml, ref = sheet_xml(frame, filterable=filterable, band=band)
        self._sheets.append(_Sheet(title, xml, ref))

    def close(self) -> None:
        sheets = self._sheets
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        names = "".join(
            f'<sheet name={quoteattr(s.title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(_quoted(s.title))}!{_absolute(s.filter_ref)}</definedName>"
            for i, s in enumerate(sheets)
            if s.filter_ref
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        n = len(sheets) + 1
        parts = {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{overrides}</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
                '/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<bookViews><workbookView activeTab="0"/></bookViews>'
                f"<sheets>{names}</sheets>"
                + (f"<definedNames>{filters}</definedNames>" if filters else "")
                + "</workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{rels}<Relationship Id="rId{n}" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/styles" '
                'Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": _STYLES,
            **{f"xl/worksheets/sheet{i}.xml": s.xml for i, s in enumerate(sheets, start=1)},
        }
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
            for name, text in parts.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                book.writestr(info, text.encode("utf-8"), compresslevel=1)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    first, last = ref.split(":")
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in (first, last))
