"""``coachmatch rollover``: next year's program folder from this year's and its roster.

Year-1 candidates become year 2, with this year's coach as ``current_coach_id`` (and their
``start_month`` cleared: they are coached from the first month); year-2 candidates complete the
program and leave. Coaches carry over with ``cnet_current`` false — network training must be
renewed — unless ``keep_cnet``; ``certification`` is kept as it is, and coaches still
``in_progress`` are flagged, since they cannot keep a year-2 candidate. ``program.toml`` and
the org table are copied unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from matcher.io.loading import find_table, load_program, read_table
from matcher.io.rosters import read_roster


@dataclass(frozen=True)
class Rollover:
    coaches: pd.DataFrame
    candidates: pd.DataFrame
    org: Path | None
    toml: Path | None
    notes: tuple[str, ...]


def rollover(program_dir: Path, roster_csv: Path, *, keep_cnet: bool = False) -> Rollover:
    program = load_program(program_dir)  # validates the folder first
    coaches = read_table(find_table(program_dir, "coaches", required=True)).copy()
    candidates = read_table(find_table(program_dir, "candidates", required=True)).copy()
    pairs = read_roster(
        roster_csv, candidate_ids=program.candidate_index(), coach_ids=program.coach_index()
    )
    year = {k.candidate_id: k.program_year for k in program.candidates}
    stay = candidates["candidate_id"].map(year) == 1
    leaving = int((~stay).sum())
    nxt = candidates[stay].copy()
    nxt["program_year"] = "2"
    for column in ("current_coach_id", "start_month"):
        if column not in nxt:
            nxt[column] = ""
    nxt["current_coach_id"] = nxt["candidate_id"].map(pairs).fillna("")
    nxt["start_month"] = ""
    notes = [
        f"{int(stay.sum())} year-1 candidates continue as year 2 "
        f"({int((nxt['current_coach_id'] != '').sum())} with this year's coach as current coach); "
        f"{leaving} year-2 candidates complete the program and leave.",
    ]
    if not keep_cnet:
        coaches["cnet_current"] = "false"
        notes.append(
            f"cnet_current is set to false for all {len(coaches)} coaches: mark each coach who "
            "renews this year's network training (or set require_cnet = false)."
        )
    in_progress = sorted(c.coach_id for c in program.coaches if c.certification == "in_progress")
    if in_progress:
        kept_y2 = sorted(set(in_progress) & set(nxt["current_coach_id"]))
        notes.append(
            f"certification kept as is: {len(in_progress)} coaches still in_progress "
            f"({', '.join(in_progress[:8])}{' ...' if len(in_progress) > 8 else ''}); "
            f"update those who completed it. In progress, they cannot keep a year-2 candidate"
            + (f" ({len(kept_y2)} of them coach one now)." if kept_y2 else ".")
        )
    toml = program_dir / "program.toml"
    return Rollover(
        coaches,
        nxt,
        find_table(program_dir, "org", required=False),
        toml if toml.is_file() else None,
        tuple(notes),
    )


def write_rollover(roll: Rollover, stage: Path) -> None:
    roll.coaches.to_csv(stage / "coaches.csv", index=False)
    roll.candidates.to_csv(stage / "candidates.csv", index=False)
    if roll.org is not None:
        shutil.copyfile(roll.org, stage / roll.org.name)
    if roll.toml is not None:
        shutil.copyfile(roll.toml, stage / "program.toml")
