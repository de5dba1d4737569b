"""Builders for small program folders and result files, for tests of and with the checker.

Plain dict rows in, CSV files out: tests state exactly the cells they care about and get
sane, eligible defaults for the rest.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .program import IndependentProgram
from .rules import pair_score

ROSTER_HEADER = ["candidate_id", "coach_id", "status", "reason", "score", "travel_km", "continuity"]
SCHEDULE_HEADER = ["candidate_id", "coach_id", "date", "start", "end", "minutes", "location"]


def coach_row(**cells: Any) -> dict[str, Any]:
    """A certified, CNET-current coach in region North; override any cell by keyword."""
    row: dict[str, Any] = {
        "coach_id": "C1",
        "name": "Coach One",
        "region": "North",
        "regions_served": "",
        "lat": 37.0,
        "lon": -122.0,
        "roles": "principal;assistant_principal",
        "levels": "high",
        "capacity": 2,
        "certification": "certified",
        "cnet_current": "true",
        "admin_years": 10,
        "languages": "English;Spanish",
        "cpsel_strengths": "1;2;3",
        "district": "D1",
        "person_id": "P_C1",
        "available": "",
        "max_hours_per_month": "",
        "cost_per_candidate": "",
    }
    row.update(cells)
    return row


def candidate_row(**cells: Any) -> dict[str, Any]:
    """A year 2 principal in region North about 11 km from coach_row(); override by keyword."""
    row: dict[str, Any] = {
        "candidate_id": "K1",
        "name": "Cand One",
        "region": "North",
        "lat": 37.1,
        "lon": -122.0,
        "site": "Lincoln High",
        "district": "D1",
        "role": "principal",
        "level": "high",
        "person_id": "P_K1",
        "supervisor_id": "P_S1",
        "program_year": 2,
        "current_coach_id": "",
        "languages": "Spanish",
        "cpsel_focus": "1;4",
        "available": "",
        "exclude_coach_ids": "",
        "preferred_coach_ids": "",
        "start_month": "",
    }
    row.update(cells)
    return row


def write_csv(
    path: Path, rows: Iterable[Mapping[str, Any]], header: list[str] | None = None
) -> Path:
    """Write rows; the header is the given one or the union of keys in first-seen order."""
    rows = list(rows)
    if header is None:
        header = []
        for row in rows:
            header.extend(key for key in row if key not in header)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {key: "" if row.get(key) is None else row.get(key, "") for key in header}
            )
    return path


def write_program(
    folder: Path,
    coaches: Iterable[Mapping[str, Any]],
    candidates: Iterable[Mapping[str, Any]],
    org: Iterable[tuple[str, str]] | None = None,
    toml: str | None = None,
) -> Path:
    """Write a program folder (coaches.csv, candidates.csv, optional org.csv/program.toml)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "coaches.csv", coaches)
    write_csv(folder / "candidates.csv", candidates)
    if org is not None:
        write_csv(
            folder / "org.csv",
            [{"person_id": p, "supervisor_id": s} for p, s in org],
            header=["person_id", "supervisor_id"],
        )
    if toml is not None:
        (folder / "program.toml").write_text(toml, encoding="utf-8")
    return folder


def roster_rows(program: IndependentProgram, assignment: Mapping[str, str]) -> list[dict[str, Any]]:
    """Contract-correct roster rows for ``candidate -> coach`` (all candidates, input order)."""
    rows: list[dict[str, Any]] = []
    for cid, cand in program.candidates.items():
        coach_id = assignment.get(cid)
        if coach_id is None:
            rows.append(
                {
                    "candidate_id": cid,
                    "coach_id": "",
                    "status": "unassigned",
                    "reason": "no eligible coach with room",
                    "score": "",
                    "travel_km": "",
                    "continuity": "false",
                }
            )
            continue
        km = program.distance_km(coach_id, cid)
        rows.append(
            {
                "candidate_id": cid,
                "coach_id": coach_id,
                "status": "assigned",
                "reason": "",
                "score": f"{pair_score(program, coach_id, cid):.4f}",
                "travel_km": "" if km is None else f"{km:.2f}",
                "continuity": "true" if cand.current_coach_id == coach_id else "false",
            }
        )
    return rows


def write_roster(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write roster.csv with the contract's columns."""
    return write_csv(path, rows, header=ROSTER_HEADER)


def session(cid: str, coach: str, date: str, start: str, end: str, location: str) -> dict[str, Any]:
    """One schedule row; ``minutes`` is computed from start/end."""
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return {
        "candidate_id": cid,
        "coach_id": coach,
        "date": date,
        "start": start,
        "end": end,
        "minutes": (eh * 60 + em) - (sh * 60 + sm),
        "location": location,
    }


def write_schedule(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write schedule.csv with the contract's columns."""
    return write_csv(path, rows, header=SCHEDULE_HEADER)


def random_program(
    folder: Path,
    n_coaches: int,
    n_candidates: int,
    seed: int,
    *,
    months: list[str] | None = None,
    n_regions: int = 2,
    strict: float = 1.0,
) -> Path:
    """A random but plausible program folder; tiny ones feed brute force, big ones timing.

    Deliberately varied: some coaches lack lat/lon, certification or CNET; some have hour
    limits; start months fall before, inside and after the program months; supervisors
    form short chains that sometimes reach a coach. ``strict`` (0..1) is the chance each
    such restriction is drawn at all: lower it for tiny programs, which otherwise often
    have no eligible pair and prove nothing.
    """
    rng = random.Random(seed)

    def restrict() -> bool:
        return rng.random() < strict

    months = months or ["2026-09", "2026-10", "2026-11"]
    regions = [f"R{i}" for i in range(n_regions)]
    roles = ["principal", "assistant_principal", "coordinator"]
    levels = ["elementary", "middle", "high", "district"]
    langs = ["English", "Spanish", "Hmong", "Vietnamese"]
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"]

    def point() -> tuple[Any, Any]:
        if rng.random() < 0.15:
            return "", ""
        return round(37 + rng.uniform(-0.5, 0.5), 4), round(-122 + rng.uniform(-0.5, 0.5), 4)

    def windows() -> str:
        if rng.random() < 0.5 or not restrict():
            return ""
        out = []
        for _ in range(rng.randint(1, 2)):
            start = rng.randint(7, 16)
            end = min(start + rng.randint(1, 4), 18)
            out.append(f"{rng.choice(days)} {start:02d}:00-{end:02d}:00")
        return ";".join(out)

    coaches = []
    for i in range(n_coaches):
        lat, lon = point()
        coaches.append(
            coach_row(
                coach_id=f"C{i}",
                region=rng.choice(regions),
                regions_served=";".join(rng.sample(regions, rng.randint(0, len(regions)))),
                lat=lat,
                lon=lon,
                roles=";".join(rng.sample(roles, rng.randint(1, 3)) if restrict() else roles),
                levels=";".join(rng.sample(levels, rng.randint(0, 2))),
                capacity=rng.randint(0, 3) if n_coaches < 10 else rng.randint(3, 12),
                certification=rng.choices(["certified", "in_progress", "expired"], [6, 2, 1])[0]
                if restrict()
                else "certified",
                cnet_current=rng.choice(["true", "yes", "1", "TRUE", "false", ""] + ["true"] * 6)
                if restrict()
                else "Yes",
                admin_years=rng.choice(["", 1, 3, 5, 12]) if restrict() else 12,
                languages=";".join(rng.sample(langs, rng.randint(1, 2))),
                cpsel_strengths=";".join(
                    str(x) for x in rng.sample(range(1, 7), rng.randint(0, 3))
                ),
                district=rng.choice(["D1", "D2", ""]),
                person_id=f"P_C{i}",
                available=windows(),
                max_hours_per_month=rng.choice(["", "", 4, 8, 10, 13, 20, 40]),
            )
        )
    candidates = []
    for i in range(n_candidates):
        lat, lon = point()
        boss = rng.choice([f"P_S{rng.randint(0, 3)}", f"P_C{rng.randrange(n_coaches)}", ""])
        candidates.append(
            candidate_row(
                candidate_id=f"K{i}",
                region=rng.choice(regions),
                lat=lat,
                lon=lon,
                site=f"Site{rng.randint(0, max(1, n_candidates // 2))}",
                district=rng.choice(["D1", "D2", ""]),
                role=rng.choice(roles),
                level=rng.choice([*levels, ""]),
                person_id=f"P_K{i}",
                supervisor_id=boss,
                program_year=rng.choice([1, 2]),
                current_coach_id=rng.choice(["", f"C{rng.randrange(n_coaches)}"]),
                languages=";".join(rng.sample(langs, rng.randint(0, 2))),
                cpsel_focus=";".join(str(x) for x in rng.sample(range(1, 7), rng.randint(0, 3))),
                available=windows(),
                exclude_coach_ids=f"C{rng.randrange(n_coaches)}"
                if restrict() and rng.random() < 0.3
                else "",
                preferred_coach_ids=rng.choice(["", f"C{rng.randrange(n_coaches)}"]),
                start_month=rng.choice(["", "", "", *months, "2020-01", "2099-12"]),
            )
        )
    org = [
        (f"P_S{i}", rng.choice([f"P_S{i + 1}", f"P_C{rng.randrange(n_coaches)}"])) for i in range(4)
    ]
    toml = (
        "[eligibility]\n"
        f"max_travel_km = {rng.choice([0, 40, 80]) if restrict() else 0}\n"
        f"min_admin_years = {rng.choice([0, 3])}\n"
        f'supervisor_conflict = "{rng.choice(["chain", "direct"])}"\n'
        "[weights]\n"
        f"same_district = {rng.choice([0.0, 0.5, -0.5])}\n"
        "[coaching]\n"
        f"months = {months!r}\n"
        f"min_hours_per_year = {rng.choice([6, 12, 40])}\n"
        "min_hours_per_month = 3.0\n"
        "[priority]\n"
        f"year2_first = {rng.choice(['true', 'false'])}\n"
    ).replace("'", '"')
    return write_program(folder, coaches, candidates, org=org, toml=toml)
