"""Load and validate a program folder (contract: coaches, candidates, org, program.toml).

Tables are read as text and checked cell by cell with pandera schemas, collecting every
problem (file, row, column, what was expected) before failing, together with those of
program.toml and of rules over several cells of a row (lat with lon, a start month after the
program year); only then are cells converted into the typed dataclasses of
:mod:`matcher.problem`. A reporting cycle, which spans files, is checked after that. Ids that
point nowhere (an unknown ``current_coach_id``, say) are warnings, not errors: last year's coach
may have left.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from openpyxl.utils.exceptions import InvalidFileException

from matcher.errors import InputError, InputProblem
from matcher.io import cells
from matcher.policy import Policy, load_policy
from matcher.problem import CERTIFICATIONS, LEVELS, ROLES, Candidate, Coach, ProgramData
from matcher.rules.supervision import (
    ReportingLine,
    people_above,
    reporting_cycle,
    supervision_graph,
)
from matcher.windows import WINDOW_FORMAT, parse_windows

TABLE_SUFFIXES = (".csv", ".xlsx")
_ROLE_SET = frozenset(ROLES)
_LEVEL_SET = frozenset(LEVELS)


def _cell_check(predicate: Callable[[str], bool], expected: str) -> pa.Check:
    """A pandera check applying ``predicate`` to each cell; ``expected`` becomes the message."""
    return pa.Check(lambda s: s.map(predicate).astype(bool), error=expected)


_REQUIRED = pa.Check(lambda s: s.str.len() > 0, error="a value: the cell is empty")
_COUNT_TEXT = f"a whole number from 0 to {cells.MAX_COUNT}"


def _column(*checks: pa.Check, required: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(
        str,
        checks=[_REQUIRED, *checks] if required else list(checks),
        required=required,
        unique=unique,
    )


_ROLE_TEXT = "one of " + ", ".join(ROLES)
_LEVEL_TEXT = "one of " + ", ".join(LEVELS)
_COMMON = {
    "name": _column(),
    "lat": _column(_cell_check(lambda c: cells.is_float(c, -90, 90), "a latitude from -90 to 90")),
    "lon": _column(
        _cell_check(lambda c: cells.is_float(c, -180, 180), "a longitude from -180 to 180")
    ),
    "languages": _column(),
    "district": _column(),
    "person_id": _column(),
    "available": _column(_cell_check(cells.is_windows, WINDOW_FORMAT)),
}

COACH_SCHEMA = pa.DataFrameSchema(
    {
        "coach_id": _column(required=True, unique=True),
        "region": _column(required=True),
        "regions_served": _column(),
        "roles": _column(
            _cell_check(lambda c: cells.is_choice_list(c, _ROLE_SET), f"roles, each {_ROLE_TEXT}"),
            required=True,
        ),
        "levels": _column(
            _cell_check(
                lambda c: cells.is_choice_list(c, _LEVEL_SET), f"levels, each {_LEVEL_TEXT}"
            )
        ),
        "capacity": _column(_cell_check(cells.is_int, _COUNT_TEXT), required=True),
        "certification": _column(
            _cell_check(
                lambda c: c.lower() in CERTIFICATIONS, "one of " + ", ".join(CERTIFICATIONS)
            ),
            required=True,
        ),
        "cnet_current": _column(_cell_check(cells.is_bool, "true/false, yes/no or 1/0")),
        "admin_years": _column(_cell_check(cells.is_int, _COUNT_TEXT)),
        "cpsel_strengths": _column(_cell_check(cells.is_cpsel_list, "CPSEL standards 1 to 6")),
        "max_hours_per_month": _column(
            _cell_check(lambda c: cells.is_float(c, 0), "a number of hours >= 0")
        ),
        "cost_per_candidate": _column(_cell_check(lambda c: cells.is_float(c, 0), "a cost >= 0")),
        "min_load": _column(_cell_check(cells.is_int, _COUNT_TEXT)),
        **_COMMON,
    },
    strict=False,
)

CANDIDATE_SCHEMA = pa.DataFrameSchema(
    {
        "candidate_id": _column(required=True, unique=True),
        "region": _column(required=True),
        "site": _column(),
        "role": _column(_cell_check(lambda c: c.lower() in _ROLE_SET, _ROLE_TEXT), required=True),
        "level": _column(_cell_check(lambda c: not c or c.lower() in _LEVEL_SET, _LEVEL_TEXT)),
        "supervisor_id": _column(),
        "program_year": _column(
            _cell_check(lambda c: c in {"1", "2", "1.0", "2.0"}, "1 or 2"), required=True
        ),
        "current_coach_id": _column(),
        "cpsel_focus": _column(_cell_check(cells.is_cpsel_list, "CPSEL standards 1 to 6")),
        "exclude_coach_ids": _column(),
        "preferred_coach_ids": _column(),
        "start_month": _column(_cell_check(cells.is_month, "a month YYYY-MM")),
        **_COMMON,
    },
    strict=False,
)

ORG_SCHEMA = pa.DataFrameSchema(
    {"person_id": _column(required=True), "supervisor_id": pa.Column(str, required=True)},
    strict=False,
)


def find_table(folder: Path, stem: str, *, required: bool) -> Path | None:
    """``stem.csv`` or ``stem.xlsx`` in the folder; both at once is ambiguous, so an error."""
    found = [folder / f"{stem}{suffix}" for suffix in TABLE_SUFFIXES]
    found = [p for p in found if p.exists()]
    if len(found) > 1:
        raise InputError(
            InputProblem(found[0].name, f"both {stem}.csv and {stem}.xlsx exist: keep one")
        )
    if not found:
        if required:
            raise InputError(
                InputProblem(f"{stem}.csv", f"is missing from {folder} (or give {stem}.xlsx)")
            )
        return None
    return found[0]


SEPARATORS = (",", ";", "\t")
_SEPARATOR_WORDS = {",": "','", ";": "';'", "\t": "tab"}


def detect_separator(path: Path) -> str:
    """The field separator of a CSV file, judged on its header line: ``,`` (the contract's),
    or ``;`` (Excel's "CSV" in many locales, with or without BOM) or tab.

    Only the header is sniffed: column names hold no list cells, whereas the data rows of a
    comma-separated file do hold ``;`` (inside quotes, or not: ``roles`` = ``a;b``). The
    sniffer's choice must split the header into more fields than a comma does; anything
    unclear falls back to the comma, so a file that reads today reads the same.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = fh.readline()
    except (OSError, UnicodeDecodeError):
        return ","  # pandas reports the file's real problem
    try:
        found = csv.Sniffer().sniff(header, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        found = max(SEPARATORS, key=lambda sep: _fields(header, sep))
    return found if found != "," and _fields(header, found) > _fields(header, ",") else ","


def _fields(line: str, separator: str) -> int:
    return len(next(csv.reader([line], delimiter=separator), []))


def separator_note(path: Path) -> str | None:
    """The warning for a CSV file read with a separator other than the contract's comma."""
    if path.suffix != ".csv":
        return None
    sep = detect_separator(path)
    if sep == ",":
        return None
    return f"{path.name} uses {_SEPARATOR_WORDS[sep]} as separator; read as such"


def read_table(path: Path) -> pd.DataFrame:
    """A table as text cells, whitespace stripped, empty rows dropped, headers lower-cased.

    The index is kept as it was read, so ``index + 2`` is the row a person sees in a
    spreadsheet (header on row 1) even after blank rows are dropped.
    """
    try:
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
        else:
            # blank lines are kept (and dropped below) so that row numbers match a spreadsheet's
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
                sep=detect_separator(path),
            )
    except pd.errors.EmptyDataError:
        raise InputError(InputProblem(path.name, "is empty: expected a header row")) from None
    except (
        pd.errors.ParserError,
        UnicodeDecodeError,
        ValueError,
        OSError,
        zipfile.BadZipFile,
        KeyError,
        InvalidFileException,
    ) as exc:
        raise InputError(InputProblem(path.name, f"could not be read: {exc}")) from None
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise InputError(
            [InputProblem(path.name, "appears twice in the header", column=c) for c in duplicated]
        )
    frame = frame.apply(lambda s: s.str.strip())
    if "start_month" in frame:  # Excel turns 2027-01 into a date
        frame["start_month"] = frame["start_month"].str.replace(
            r"^(\d{4}-\d{2})-01( 00:00:00)?$", r"\1", regex=True
        )
    return frame[(frame != "").any(axis=1)]


def read_id_table(
    path: Path, columns: tuple[str, ...] = ("candidate_id", "coach_id")
) -> pd.DataFrame:
    """A small table of ids the user hands over (pins, a roster): present, with its columns."""
    if not path.is_file():
        raise InputError(InputProblem(str(path), "file not found"))
    frame = read_table(path)
    missing = [
        InputProblem(path.name, "required column is missing", column=col)
        for col in columns
        if col not in frame
    ]
    if missing:
        raise InputError(missing)
    return frame


def check_table(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> pd.DataFrame:
    """Validate with the schema; on failure raise every problem with its row and column."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise InputError(_problems_from(exc.failure_cases, frame, file)) from None
    for name in schema.columns:  # optional columns that are absent read as empty
        if name not in frame:
            frame = frame.assign(**{name: ""})
    return frame


def _problems_from(cases: pd.DataFrame, frame: pd.DataFrame, file: str) -> list[InputProblem]:
    problems = []
    for case in cases.itertuples(index=False):
        if case.check == "column_in_dataframe":
            problems.append(
                InputProblem(file, "required column is missing", column=str(case.failure_case))
            )
            continue
        row = int(case.index) + 2 if case.index is not None and pd.notna(case.index) else None
        if case.check == "field_uniqueness":
            message = "duplicate id: each row needs its own"
        elif str(case.check).startswith("dtype"):
            message = f"unexpected cell type {case.check}"
        else:
            message = f"expected {case.check}"
        problems.append(
            InputProblem(file, message, row=row, column=case.column, value=str(case.failure_case))
        )
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems


def _coach(row: dict[str, str], line: int) -> Coach:
    return Coach(
        coach_id=row["coach_id"],
        name=row["name"],
        region=row["region"],
        regions_served=frozenset(cells.split_list(row["regions_served"])),
        lat=cells.to_float(row["lat"]),
        lon=cells.to_float(row["lon"]),
        roles=frozenset(r.lower() for r in cells.split_list(row["roles"])),
        levels=frozenset(v.lower() for v in cells.split_list(row["levels"])),
        capacity=cells.to_int(row["capacity"]) or 0,
        certification=row["certification"].lower(),
        cnet_current=cells.to_bool(row["cnet_current"]),
        admin_years=cells.to_int(row["admin_years"]),
        languages=frozenset(v.lower() for v in cells.split_list(row["languages"])),
        cpsel_strengths=frozenset(int(v) for v in cells.split_list(row["cpsel_strengths"])),
        district=row["district"],
        person_id=row["person_id"],
        available=parse_windows(row["available"]) or (),
        max_hours_per_month=cells.to_float(row["max_hours_per_month"]),
        cost_per_candidate=cells.to_float(row["cost_per_candidate"]),
        min_load=cells.to_int(row["min_load"]) or 0,
        row=line,
    )


def _candidate(row: dict[str, str], line: int) -> Candidate:
    return Candidate(
        candidate_id=row["candidate_id"],
        name=row["name"],
        region=row["region"],
        lat=cells.to_float(row["lat"]),
        lon=cells.to_float(row["lon"]),
        site=row["site"],
        district=row["district"],
        role=row["role"].lower(),
        level=row["level"].lower(),
        person_id=row["person_id"],
        supervisor_id=row["supervisor_id"],
        program_year=int(float(row["program_year"])),
        current_coach_id=row["current_coach_id"],
        languages=frozenset(v.lower() for v in cells.split_list(row["languages"])),
        cpsel_focus=frozenset(int(v) for v in cells.split_list(row["cpsel_focus"])),
        available=parse_windows(row["available"]) or (),
        exclude_coach_ids=frozenset(cells.split_list(row["exclude_coach_ids"])),
        preferred_coach_ids=tuple(cells.split_list(row["preferred_coach_ids"])),
        start_month=row["start_month"],
        row=line,
    )


def _records(frame: pd.DataFrame) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row, {column: cell}) per row; the same as ``to_dict("records")``, built from
    column lists because that is several times faster on 10,000 rows."""
    columns = [str(c) for c in frame.columns]
    rows = zip(*(frame[c].tolist() for c in frame.columns), strict=True)
    return [
        (int(i) + 2, dict(zip(columns, row, strict=True)))
        for i, row in zip(frame.index.tolist(), rows, strict=True)
    ]


def _row_checks(
    frame: pd.DataFrame, stem: str, file: str, policy: Policy | None
) -> list[InputProblem]:
    """Rules over several cells of a row, run on the table as read so that they are reported in
    the same run as the cell problems: lat with lon, start months in the year, loads."""

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series("", index=frame.index, dtype=str)

    problems: list[InputProblem] = []
    if stem in ("coaches", "candidates"):
        lat, lon = col("lat"), col("lon")
        problems += [
            InputProblem(
                file,
                "lat and lon go together: give both or neither",
                row=int(i) + 2,
                column="lat" if lat[i] == "" else "lon",
            )
            for i in frame.index[(lat == "") != (lon == "")]
        ]
    if stem == "candidates" and policy is not None:
        last = policy.coaching.months[-1]
        problems += [
            InputProblem(
                file,
                f"expected a month no later than the last program month {last}",
                row=int(i) + 2,
                column="start_month",
                value=month,
            )
            for i, month in col("start_month").items()
            if month and cells.is_month(month) and month > last
        ]
    if stem == "coaches":
        for i, low, cap in zip(frame.index, col("min_load"), col("capacity"), strict=True):
            valid = low and cap and cells.is_int(low) and cells.is_int(cap)
            if valid and cells.to_int(low) > cells.to_int(cap):
                problems.append(
                    InputProblem(
                        file,
                        f"min_load {low} is more than capacity {cap}",
                        row=int(i) + 2,
                        column="min_load",
                    )
                )
    return problems


def load_program(folder: Path | str) -> ProgramData:
    """Read, validate and type a program folder; raise :class:`InputError` listing all problems."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(InputProblem(str(folder), "program folder not found"))
    problems: list[InputProblem] = []
    policy: Policy | None = None
    try:  # a broken program.toml is reported together with the tables' problems
        policy = load_policy(folder / "program.toml")
    except InputError as exc:
        problems += exc.problems
    frames: dict[str, pd.DataFrame] = {}
    notes: list[str] = []  # warnings about the files themselves (a separator other than ',')
    files: dict[str, str] = {}  # stem → the file's name as found (.csv or .xlsx)
    for stem, schema, required in (
        ("coaches", COACH_SCHEMA, True),
        ("candidates", CANDIDATE_SCHEMA, True),
        ("org", ORG_SCHEMA, False),
    ):
        try:
            path = find_table(folder, stem, required=required)
            if path is None:
                continue
            files[stem] = path.name
            notes += filter(None, [separator_note(path)])
            frame = read_table(path)
            found = _row_checks(frame, stem, path.name, policy)
            try:
                frames[stem] = check_table(frame, schema, path.name)
            except InputError as exc:
                found = exc.problems + found
            problems += sorted(found, key=lambda p: (p.row or 0, p.column or ""))
        except InputError as exc:
            problems += exc.problems
    if problems or policy is None:
        raise InputError(problems)

    cand_file = files["candidates"]
    coaches = tuple(_coach(rec, line) for line, rec in _records(frames["coaches"]))
    candidates = tuple(_candidate(rec, line) for line, rec in _records(frames["candidates"]))
    lines = [
        ReportingLine(rec["person_id"], rec["supervisor_id"], files.get("org", ""), line)
        for line, rec in _records(frames.get("org", pd.DataFrame()))
    ] + [ReportingLine(k.person_id, k.supervisor_id, cand_file, k.row) for k in candidates]

    graph = supervision_graph(lines)
    cycle = reporting_cycle(graph)
    if cycle:
        chain = " → ".join([cycle[0][0], *(b for _, b, _, _ in cycle)])
        problems += [
            InputProblem(
                file,
                f"reporting lines form a cycle: {chain}",
                row=row,
                column="supervisor_id",
                value=f"{a} → {b}",
            )
            for a, b, file, row in cycle
        ]
    if problems:
        raise InputError(problems)

    above_person = people_above(graph)
    above, direct = {}, {}
    for k in candidates:
        people: set[str] = set(above_person.get(k.person_id, ()))
        bosses = set(graph.successors(k.person_id)) if k.person_id in graph else set()
        if k.supervisor_id:
            people |= {k.supervisor_id} | above_person.get(k.supervisor_id, frozenset())
            bosses.add(k.supervisor_id)
        above[k.candidate_id] = frozenset(people)
        direct[k.candidate_id] = frozenset(bosses)
    known_people = set(graph.nodes) | {c.person_id for c in coaches if c.person_id}
    warnings = notes + _dangling_ids(coaches, candidates, known_people, cand_file)
    return ProgramData(coaches, candidates, policy, above, direct, tuple(warnings), folder)


def _dangling_ids(
    coaches: tuple[Coach, ...], candidates: tuple[Candidate, ...], people: set[str], file: str
) -> list[str]:
    """Ids that point nowhere: worth a look, but not a reason to refuse the program."""
    coach_ids = {c.coach_id for c in coaches}
    notes = []
    for k in candidates:
        where = f"{file}, row {k.row}"
        if k.current_coach_id and k.current_coach_id not in coach_ids:
            notes.append(f"{where}, column 'current_coach_id': no coach {k.current_coach_id}")
        for column, ids in (
            ("exclude_coach_ids", sorted(k.exclude_coach_ids)),
            ("preferred_coach_ids", k.preferred_coach_ids),
        ):
            notes += [
                f"{where}, column '{column}': no coach {i}" for i in ids if i not in coach_ids
            ]
        if k.supervisor_id and k.supervisor_id not in people:
            notes.append(f"{where}, column 'supervisor_id': no person {k.supervisor_id} in org")
    return notes
