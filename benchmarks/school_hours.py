"""A school-hours program from a generated one: the hard calendar of issue 11.

Until the generator has its own ``school_hours`` variant, the benchmark rewrites a generated
program's windows (seeded, so the result is fixed for a seed):

- site leaders (every candidate whose level is not ``district``) are free only before and
  after school, 07:00-08:15 and 14:30-17:00, on 2-4 weekdays;
- a third of the coaches work part time: free 08:00-17:00 on 2-3 weekdays only;
- a year-2 candidate keeps at least one weekday in common with its current coach's days, so
  continuity stays possible (the after-school window then is a common window).

Everything else (people, sites, rules, the calendar) is the generated program's.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def _windows(days: list[str], spans: list[str]) -> str:
    return ";".join(f"{d} {s}" for d in days for s in spans)


def rewrite_school_hours(src: Path, dst: Path, seed: int = 0) -> Path:
    """Write the school-hours version of the program in ``src`` to ``dst``; return ``dst``."""
    rng = random.Random(seed)
    dst.mkdir(parents=True, exist_ok=True)
    coaches = pd.read_csv(src / "coaches.csv", dtype=str, keep_default_na=False)
    cands = pd.read_csv(src / "candidates.csv", dtype=str, keep_default_na=False)
    coach_days: dict[str, list[str]] = {}
    for i in coaches.index:
        if rng.random() < 1 / 3:
            days = sorted(rng.sample(DAYS, rng.randint(2, 3)), key=DAYS.index)
            coaches.at[i, "available"] = _windows(days, ["08:00-17:00"])
            coach_days[coaches.at[i, "coach_id"]] = days
    for i in cands.index:
        if cands.at[i, "level"] == "district":
            continue
        days = rng.sample(DAYS, rng.randint(2, 4))
        current = cands.at[i, "current_coach_id"]
        year2 = cands.at[i, "program_year"] == "2" and current in coach_days
        if year2 and not set(days) & set(coach_days[current]):
            days[0] = rng.choice(coach_days[current])
        days = sorted(set(days), key=DAYS.index)
        cands.at[i, "available"] = _windows(days, ["07:00-08:15", "14:30-17:00"])
    coaches.to_csv(dst / "coaches.csv", index=False)
    cands.to_csv(dst / "candidates.csv", index=False)
    for name in ("org.csv", "program.toml"):
        if (src / name).exists():
            (dst / name).write_bytes((src / name).read_bytes())
    return dst
