"""Shared test fixtures: tiny program folders written from a few dicts.

Tests describe only what matters to them; every other cell takes a plain default here, so a
test of rule 7 reads as "a coach 100 km away", not as a wall of CSV.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd
import pytest

COACH_DEFAULTS = {
    "coach_id": "C1",
    "name": "Coach One",
    "region": "North",
    "regions_served": "",
    "lat": "",
    "lon": "",
    "roles": "assistant_principal;principal",
    "levels": "high",
    "capacity": "2",
    "certification": "certified",
    "cnet_current": "true",
    "admin_years": "10",
    "languages": "english",
    "cpsel_strengths": "1;2",
    "district": "D1",
    "person_id": "",
    "available": "",
    "max_hours_per_month": "",
    "cost_per_candidate": "2500",
}
CANDIDATE_DEFAULTS = {
    "candidate_id": "K1",
    "name": "Cand One",
    "region": "North",
    "lat": "",
    "lon": "",
    "site": "Lincoln High",
    "district": "D1",
    "role": "assistant_principal",
    "level": "high",
    "person_id": "",
    "supervisor_id": "",
    "program_year": "1",
    "current_coach_id": "",
    "languages": "english",
    "cpsel_focus": "1;3",
    "available": "",
    "exclude_coach_ids": "",
    "preferred_coach_ids": "",
    "start_month": "",
}


def write_csv(path: Path, rows: list[dict[str, str]], defaults: dict[str, str]) -> None:
    columns = list(defaults) + [c for r in rows for c in r if c not in defaults]
    columns = list(dict.fromkeys(columns))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({**defaults, **row})


def write_program(
    folder: Path,
    coaches: list[dict[str, str]],
    candidates: list[dict[str, str]],
    org: list[tuple[str, str]] | None = None,
    toml: str = "",
) -> Path:
    """A program folder with the given rows over the defaults above."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "coaches.csv", coaches, COACH_DEFAULTS)
    write_csv(folder / "candidates.csv", candidates, CANDIDATE_DEFAULTS)
    if org is not None:
        with (folder / "org.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["person_id", "supervisor_id"])
            writer.writerows(org)
    if toml:
        (folder / "program.toml").write_text(toml, encoding="utf-8")
    return folder


def subset_program(source: Path, target: Path, n_coaches: int, n_candidates: int) -> Path:
    """The first coaches of a generated program and the first candidates in their regions."""
    target.mkdir(parents=True)
    coaches = pd.read_csv(source / "coaches.csv", dtype=str, keep_default_na=False)
    coaches = coaches.head(n_coaches)
    served = set(coaches["region"])
    for cell in coaches["regions_served"]:
        served |= {r.strip() for r in cell.split(";") if r.strip()}
    cands = pd.read_csv(source / "candidates.csv", dtype=str, keep_default_na=False)
    cands = cands[cands["region"].isin(served)].head(n_candidates)
    coaches.to_csv(target / "coaches.csv", index=False)
    cands.to_csv(target / "candidates.csv", index=False)
    for name in ("org.csv", "program.toml"):
        if (source / name).exists():
            (target / name).write_bytes((source / name).read_bytes())
    return target


@pytest.fixture
def program_dir(tmp_path: Path):
    """Factory: ``program_dir(coaches=[...], candidates=[...], org=..., toml=...)``."""
    counter = iter(range(1000))

    def make(coaches=None, candidates=None, org=None, toml="") -> Path:
        folder = tmp_path / f"program{next(counter)}"
        return write_program(folder, coaches or [{}], candidates or [{}], org, toml)

    return make


SAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "sample-district"


def readme_python_example() -> str:
    """The code block of README.md's "Use from Python" section, as a user would copy it."""
    text = (SAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="session")
def readme_example(tmp_path_factory) -> Path:
    """The folder in which README's "Use from Python" example ran once, as written: it
    assigns, schedules and *plans the whole sample* (results/paper, results/plan). The plan
    is the suite's longest step, so every test of a whole-sample plan reads this one."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "scenarios").symlink_to(SAMPLE.parent)
    before = Path.cwd()
    os.chdir(folder)  # the example's paths are relative, as a user runs it from the repo
    try:
        exec(compile(readme_python_example(), "README.md", "exec"), {})
    finally:
        os.chdir(before)
    return folder
