"""Read a program folder straight from the data contract (/work/shared/CONTRACT.md).

This module deliberately imports nothing from ``matcher`` or ``solvers``: it is the
independent reading of the contract that tests hold the optimizer to. It uses only the
standard library (``csv``, ``tomllib``) and ``openpyxl`` for ``.xlsx`` tables, and plain
loops, so that a reviewer can check each line against the contract text.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

EARTH_RADIUS_KM = 6371.0

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# program.toml defaults, copied from the contract. Every key has a default.
DEFAULTS: dict[str, dict[str, Any]] = {
    "eligibility": {
        "allow_in_progress_certification": True,
        "require_cnet": True,
        "supervisor_conflict": "chain",
        "max_travel_km": 80,
        "role_must_match": True,
        "min_admin_years": 0,
    },
    "weights": {
        "level": 2.0,
        "language": 1.0,
        "cpsel": 2.0,
        "travel_per_100km": 1.0,
        "continuity": 10.0,
        "preference": 3.0,
        "same_district": 0.0,
        "same_site": 0.0,
    },
    "coaching": {
        "months": [
            "2026-08",
            "2026-09",
            "2026-10",
            "2026-11",
            "2026-12",
            "2027-01",
            "2027-02",
            "2027-03",
            "2027-04",
            "2027-05",
        ],
        "min_hours_per_year": 40,
        "min_hours_per_month": 3.0,
        "max_pair_hours_per_month": 6.0,
        "session_minutes": [60, 90, 120],
        "day_start": "07:00",
        "day_end": "18:00",
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
        "travel_kmh": 50,
    },
    "calendar": {
        "blackout": [
            "2026-11-26",
            "2026-11-27",
            "2026-12-21..2027-01-01",
            "2027-03-29..2027-04-02",
        ],
        "coach_meetings": ["2026-10-14", "2027-03-10"],
    },
    "priority": {
        "year2_first": True,
    },
}


# --------------------------------------------------------------------------- cell parsing


def parse_list(cell: str) -> list[str]:
    """A list cell: ``;``-separated, blanks dropped (``"a; b;"`` -> ``["a", "b"]``)."""
    return [part.strip() for part in cell.split(";") if part.strip()]


def parse_bool(cell: str, *, what: str = "boolean") -> bool:
    """Contract booleans: true/false, yes/no, 1/0 in any case; empty means false."""
    text = cell.strip().lower()
    if text in ("true", "yes", "1", "1.0"):
        return True
    if text in ("false", "no", "0", "0.0", ""):
        return False
    raise ValueError(f"{what}: {cell!r} is not a boolean (true/false, yes/no, 1/0)")


def parse_float(cell: str) -> float | None:
    """A float cell; empty means "not given" (``None``), which rules treat as absent."""
    text = cell.strip()
    return float(text) if text else None


def parse_int(cell: str) -> int | None:
    """An int cell; ``"3.0"`` (as spreadsheets write ints) is accepted as 3."""
    value = parse_float(cell)
    if value is None:
        return None
    if value != int(value):
        raise ValueError(f"{cell!r} is not an integer")
    return int(value)


def parse_hhmm(text: str) -> int:
    """``"HH:MM"`` (or ``"HH:MM:SS"``) -> minutes after midnight; 24:00 is allowed."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3):
        raise ValueError(f"{text!r} is not HH:MM")
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValueError(f"{text!r} is not a time of day")
    return hours * 60 + minutes


def fmt_hhmm(minutes: int) -> str:
    """Minutes after midnight -> ``"HH:MM"`` (for messages)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekday_index(name: str) -> int:
    """``"Mon"``/``"monday"``/``"MON"`` -> 0 ... Sunday -> 6."""
    key = name.strip()[:3].title()
    if key not in WEEKDAYS:
        raise ValueError(f"{name!r} is not a weekday")
    return WEEKDAYS.index(key)


Window = tuple[int, int, int]
"""A weekly availability window: (weekday 0=Mon..6=Sun, start minute, end minute)."""


def parse_windows(cell: str) -> list[Window]:
    """Parse ``Mon 08:00-12:00;Wed 13:00-16:30`` into merged windows.

    Windows of one weekday that touch or overlap are merged (``Mon 08:00-09:00;Mon
    09:00-10:00`` is one window 08:00-10:00), because a person free 8-9 and 9-10 is free
    8-10: a session fitting the union is inside their availability. A day may also carry
    several ranges separated by commas (``Mon 08:00-09:00,13:00-14:00``), a harmless
    generalisation of the contract's example.
    """
    raw: list[Window] = []
    for item in parse_list(cell):
        day, _, ranges = item.partition(" ")
        if not ranges.strip():
            raise ValueError(f"window {item!r} is not like 'Mon 08:00-12:00'")
        wd = weekday_index(day)
        for rng in ranges.split(","):
            start_text, sep, end_text = rng.strip().partition("-")
            if not sep:
                raise ValueError(f"window {item!r} is not like 'Mon 08:00-12:00'")
            start, end = parse_hhmm(start_text), parse_hhmm(end_text)
            if end <= start:
                raise ValueError(f"window {item!r} ends before it starts")
            raw.append((wd, start, end))
    merged: list[Window] = []
    for wd, start, end in sorted(raw):
        if merged and merged[-1][0] == wd and start <= merged[-1][2]:
            last = merged[-1]
            merged[-1] = (wd, last[1], max(last[2], end))
        else:
            merged.append((wd, start, end))
    return merged


def parse_month(cell: str) -> str | None:
    """``YYYY-MM`` (or a full date, as a spreadsheet may store it) -> ``"YYYY-MM"``."""
    text = cell.strip()
    if not text:
        return None
    month = text[:7]
    dt.date.fromisoformat(month + "-01")  # validates
    return month


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371.0 km (the contract's haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def parse_day_set(entries: Iterable[Any]) -> set[dt.date]:
    """Calendar entries: a date ``YYYY-MM-DD`` or an inclusive range ``A..B``."""
    days: set[dt.date] = set()
    for entry in entries:
        text = str(entry).strip()
        if not text:
            continue
        first, sep, last = text.partition("..")
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if sep else start
        day = start
        while day <= end:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


# --------------------------------------------------------------------------- table reading


def _cell_text(value: Any) -> str:
    """An openpyxl cell value as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a ``.csv`` or ``.xlsx`` (first sheet) table as ``{column: text}``.

    Headers are stripped and lower-cased; cells are stripped; wholly empty rows are
    skipped (spreadsheets often carry trailing blank rows).
    """
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            grid = list(csv.reader(handle))
    if not grid:
        return []
    header = [h.strip().lower() for h in grid[0]]
    rows: list[dict[str, str]] = []
    for raw in grid[1:]:
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append({h: cells[i] for i, h in enumerate(header) if h})
    return rows


def find_table(folder: Path, name: str) -> Path | None:
    """``name.csv`` or ``name.xlsx`` in the folder (CSV first when both exist)."""
    for suffix in (".csv", ".xlsx"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


# --------------------------------------------------------------------------- program model


@dataclass
class Coach:
    """One row of coaches.csv, typed."""

    coach_id: str
    region: str
    regions_served: list[str]
    lat: float | None
    lon: float | None
    roles: list[str]
    levels: list[str]
    capacity: int
    certification: str
    cnet_current: bool
    admin_years: int | None
    languages: list[str]
    cpsel_strengths: set[int]
    district: str
    person_id: str
    available: list[Window]
    max_hours_per_month: float | None
    raw: dict[str, str] = field(repr=False)


@dataclass
class Candidate:
    """One row of candidates.csv, typed."""

    candidate_id: str
    region: str
    lat: float | None
    lon: float | None
    site: str
    district: str
    role: str
    level: str
    person_id: str
    supervisor_id: str
    program_year: int
    current_coach_id: str
    languages: list[str]
    cpsel_focus: set[int]
    available: list[Window]
    exclude_coach_ids: list[str]
    preferred_coach_ids: list[str]
    start_month: str | None
    raw: dict[str, str] = field(repr=False)


@dataclass
class IndependentProgram:
    """A program folder as the contract describes it, with program.toml defaults applied."""

    folder: Path
    coaches: dict[str, Coach]  # in file order
    candidates: dict[str, Candidate]  # in file order
    org_edges: list[tuple[str, str]]  # (person_id, supervisor_id) from org.csv
    config: dict[str, dict[str, Any]]
    direct: dict[str, set[str]]  # candidate_id -> person_ids of direct supervisors
    above: dict[str, set[str]]  # candidate_id -> person_ids above the candidate (chain)

    # Convenience views of config, cached: checks call them once per pair or session.
    @cached_property
    def months(self) -> list[str]:
        """Program months ``YYYY-MM`` in program order."""
        return [str(m) for m in self.config["coaching"]["months"]]

    @cached_property
    def session_minutes(self) -> list[int]:
        """Allowed session lengths in minutes."""
        return [int(m) for m in self.config["coaching"]["session_minutes"]]

    @cached_property
    def day_start(self) -> int:
        """Earliest session start, minutes after midnight."""
        return parse_hhmm(_time_text(self.config["coaching"]["day_start"]))

    @cached_property
    def day_end(self) -> int:
        """Latest session end, minutes after midnight."""
        return parse_hhmm(_time_text(self.config["coaching"]["day_end"]))

    @cached_property
    def weekdays(self) -> set[int]:
        """Allowed weekdays as indices 0=Mon..6=Sun."""
        return {weekday_index(str(d)) for d in self.config["coaching"]["weekdays"]}

    @cached_property
    def blackout_days(self) -> set[dt.date]:
        """Every day covered by a ``calendar.blackout`` entry."""
        return parse_day_set(self.config["calendar"]["blackout"])

    @cached_property
    def meeting_days(self) -> set[dt.date]:
        """Every ``calendar.coach_meetings`` day."""
        return parse_day_set(self.config["calendar"]["coach_meetings"])

    def monthly_need(self) -> float:
        """Hours a candidate needs per coached month: max(min/month, min/year / #months)."""
        coaching = self.config["coaching"]
        per_month = float(coaching["min_hours_per_month"])
        n_months = len(self.months)
        spread = float(coaching["min_hours_per_year"]) / n_months if n_months else 0.0
        return max(per_month, spread)

    def active_months(self, candidate_id: str) -> list[str]:
        """Program months from the candidate's start_month on (empty start = all months)."""
        start = self.candidates[candidate_id].start_month
        return [m for m in self.months if start is None or m >= start]

    def distance_km(self, coach_id: str, candidate_id: str) -> float | None:
        """Haversine km between coach home base and candidate site; None without lat/lon."""
        c, k = self.coaches[coach_id], self.candidates[candidate_id]
        if c.lat is None or c.lon is None or k.lat is None or k.lon is None:
            return None
        return haversine_km(c.lat, c.lon, k.lat, k.lon)


def _time_text(value: Any) -> str:
    """TOML may hold ``07:00`` as a string or as a local time."""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _required(row: dict[str, str], column: str, table: str) -> str:
    value = row.get(column, "").strip()
    if not value:
        raise ValueError(f"{table}: required column {column!r} is empty in row {row}")
    return value


def _int_set(cell: str) -> set[int]:
    return {int(float(x)) for x in parse_list(cell)}


def _coach(row: dict[str, str]) -> Coach:
    capacity = parse_int(_required(row, "capacity", "coaches"))
    assert capacity is not None
    return Coach(
        coach_id=_required(row, "coach_id", "coaches"),
        region=_required(row, "region", "coaches"),
        regions_served=parse_list(row.get("regions_served", "")),
        lat=parse_float(row.get("lat", "")),
        lon=parse_float(row.get("lon", "")),
        roles=parse_list(_required(row, "roles", "coaches")),
        levels=parse_list(row.get("levels", "")),
        capacity=capacity,
        certification=_required(row, "certification", "coaches").lower(),
        cnet_current=parse_bool(row.get("cnet_current", ""), what="cnet_current"),
        admin_years=parse_int(row.get("admin_years", "")),
        languages=parse_list(row.get("languages", "")),
        cpsel_strengths=_int_set(row.get("cpsel_strengths", "")),
        district=row.get("district", "").strip(),
        person_id=row.get("person_id", "").strip(),
        available=parse_windows(row.get("available", "")),
        max_hours_per_month=parse_float(row.get("max_hours_per_month", "")),
        raw=row,
    )


def _candidate(row: dict[str, str]) -> Candidate:
    year = parse_int(_required(row, "program_year", "candidates"))
    assert year is not None
    return Candidate(
        candidate_id=_required(row, "candidate_id", "candidates"),
        region=_required(row, "region", "candidates"),
        lat=parse_float(row.get("lat", "")),
        lon=parse_float(row.get("lon", "")),
        site=row.get("site", "").strip(),
        district=row.get("district", "").strip(),
        role=_required(row, "role", "candidates"),
        level=row.get("level", "").strip(),
        person_id=row.get("person_id", "").strip(),
        supervisor_id=row.get("supervisor_id", "").strip(),
        program_year=year,
        current_coach_id=row.get("current_coach_id", "").strip(),
        languages=parse_list(row.get("languages", "")),
        cpsel_focus=_int_set(row.get("cpsel_focus", "")),
        available=parse_windows(row.get("available", "")),
        exclude_coach_ids=parse_list(row.get("exclude_coach_ids", "")),
        preferred_coach_ids=parse_list(row.get("preferred_coach_ids", "")),
        start_month=parse_month(row.get("start_month", "")),
        raw=row,
    )


def load_config(folder: Path) -> dict[str, dict[str, Any]]:
    """program.toml merged key by key over the contract's defaults."""
    config = {section: dict(values) for section, values in DEFAULTS.items()}
    path = folder / "program.toml"
    if path.exists():
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for section, values in data.items():
            if isinstance(values, dict):
                config.setdefault(section, {}).update(values)
    return config


def supervision_up(edges: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The supervision graph as ``person -> [supervisors]`` (a person may have several)."""
    up: dict[str, list[str]] = {}
    for person, boss in edges:
        up.setdefault(person, []).append(boss)
    return up


def direct_supervisors(up: dict[str, list[str]], person_id: str, own_supervisor: str) -> set[str]:
    """A candidate's first step up: its own ``supervisor_id`` plus graph edges from it."""
    first = {own_supervisor} if own_supervisor else set()
    if person_id:
        first.update(up.get(person_id, []))
    return first


def people_above(up: dict[str, list[str]], person_id: str, own_supervisor: str) -> set[str]:
    """Everyone reachable upward from a candidate in the supervision graph (plain DFS).

    Starts from the candidate's direct supervisors and follows every ``person ->
    supervisor`` edge (org.csv and all candidates' own lines). Cycles in messy org data
    are tolerated by the ``seen`` set.
    """
    frontier = list(direct_supervisors(up, person_id, own_supervisor))
    seen: set[str] = set()
    while frontier:
        person = frontier.pop()
        if person in seen or not person:
            continue
        seen.add(person)
        frontier.extend(up.get(person, []))
    return seen


def load_program(folder: Path) -> IndependentProgram:
    """Load a program folder: coaches and candidates (required), org and program.toml."""
    folder = Path(folder)
    coach_path = find_table(folder, "coaches")
    cand_path = find_table(folder, "candidates")
    if coach_path is None or cand_path is None:
        raise FileNotFoundError(f"{folder}: coaches and candidates tables are required")
    coaches: dict[str, Coach] = {}
    for row in read_table(coach_path):
        coach = _coach(row)
        if coach.coach_id in coaches:
            raise ValueError(f"coaches: duplicate coach_id {coach.coach_id!r}")
        coaches[coach.coach_id] = coach
    candidates: dict[str, Candidate] = {}
    for row in read_table(cand_path):
        cand = _candidate(row)
        if cand.candidate_id in candidates:
            raise ValueError(f"candidates: duplicate candidate_id {cand.candidate_id!r}")
        candidates[cand.candidate_id] = cand
    org_edges: list[tuple[str, str]] = []
    org_path = find_table(folder, "org")
    if org_path is not None:
        for row in read_table(org_path):
            person, boss = row.get("person_id", ""), row.get("supervisor_id", "")
            if person and boss:
                org_edges.append((person, boss))
    # The supervision graph: org.csv lines plus every candidate's own line.
    edges = list(org_edges)
    for cand in candidates.values():
        if cand.person_id and cand.supervisor_id:
            edges.append((cand.person_id, cand.supervisor_id))
    up = supervision_up(edges)
    direct = {
        cid: direct_supervisors(up, cand.person_id, cand.supervisor_id)
        for cid, cand in candidates.items()
    }
    above = {
        cid: people_above(up, cand.person_id, cand.supervisor_id)
        for cid, cand in candidates.items()
    }
    return IndependentProgram(
        folder=folder,
        coaches=coaches,
        candidates=candidates,
        org_edges=org_edges,
        config=load_config(folder),
        direct=direct,
        above=above,
    )
