"""``coachmatch whatif``: run changed copies of a program side by side with the program itself.

A scenario file (TOML) names a base program folder (relative to the scenario file), overrides
keys of its ``program.toml`` and adds coaches, removes coaches, or grows the cohort. Every
scenario is validated like a program folder (unknown keys and bad values are reported by file
and key), then written out as a complete program folder (``programs/<slug>/`` in the result
folder) and loaded back with :func:`matcher.io.loading.load_program`: the numbers in the comparison
are exactly those a ``coachmatch assign`` of that folder gives, and a coordinator can open it.

Baseline and scenarios are then assigned independently through
:func:`solvers.executor.map_ordered`, so the table does not depend on the worker count.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.errors import InputError, InputProblem
from matcher.policy import policy_from_mapping, read_toml
from matcher.problem import ROLES

BASELINE = "baseline"

COMPARISON_COLUMNS = [
    "scenario",
    "candidates",
    "assigned",
    "unassigned",
    "year2_assigned",
    "year2_candidates",
    "utilization_mean",
    "utilization_max",
    "continuity_kept",
    "travel_km_mean",
    "travel_km_max",
    "total_cost",
    "hours_demanded",
    "hours_coaches_can_give",
    "hours_demanded_of_them",
    "hours_utilization",
    "coaches_without_hour_cap",
    "objective",
    "status",
    "solver",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddCoaches(_Strict):
    """``count`` new coaches, ids ``N0001…``; cost defaults to the mean of the base coaches'."""

    count: int = Field(1, ge=1, le=10_000)
    region: str = Field(min_length=1)
    roles: tuple[str, ...] = Field(min_length=1)
    capacity: int = Field(ge=0)
    certification: Literal["certified", "in_progress", "expired", "none"] = "certified"
    cnet_current: bool = True
    admin_years: int | None = Field(None, ge=0)
    regions_served: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    max_hours_per_month: float | None = Field(None, ge=0)
    cost_per_candidate: float | None = Field(None, ge=0)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @field_validator("roles")
    @classmethod
    def _roles(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in roles if r not in ROLES]
        if bad:
            raise ValueError(f"expected roles among {', '.join(ROLES)}, found {bad}")
        return roles

    @model_validator(mode="after")
    def _lat_lon(self) -> AddCoaches:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


class RemoveCoaches(_Strict):
    """By ``ids``, the ``most_senior_share`` with most admin_years (ties by id), or every coach
    based in ``region``."""

    ids: tuple[str, ...] | None = None
    most_senior_share: float | None = Field(None, gt=0, le=1)
    region: str | None = None

    @model_validator(mode="after")
    def _one(self) -> RemoveCoaches:
        given = [x is not None for x in (self.ids, self.most_senior_share, self.region)]
        if sum(given) != 1:
            raise ValueError("give exactly one of ids, most_senior_share or region")
        return self


class ChangeCapacity(_Strict):
    """Coaches by ``ids`` or based in ``region`` (or all, with neither) get ``set`` places,
    ``add`` more (negative: fewer), or ``percent`` of their places (rounded half up)."""

    ids: tuple[str, ...] | None = None
    region: str | None = None
    set: int | None = Field(None, ge=0)
    add: int | None = None
    percent: float | None = Field(None, ge=0, le=1000)

    @model_validator(mode="after")
    def _one(self) -> ChangeCapacity:
        if sum(x is not None for x in (self.set, self.add, self.percent)) != 1:
            raise ValueError("give exactly one of set, add or percent")
        if self.ids is not None and self.region is not None:
            raise ValueError("give ids or region, not both")
        return self


class ShrinkCohort(_Strict):
    """``percent`` or ``count`` fewer candidates of a region (and role), chosen reproducibly."""

    region: str = Field(min_length=1)
    role: str | None = None
    percent: float | None = Field(None, gt=0, le=100)
    count: int | None = Field(None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one(self) -> ShrinkCohort:
        if (self.percent is None) == (self.count is None):
            raise ValueError("give exactly one of percent or count")
        return self


class GrowCohort(_Strict):
    """``percent`` or ``count`` new candidates, copied from existing ones of region (and role)."""

    region: str = Field(min_length=1)
    role: str | None = None
    percent: float | None = Field(None, gt=0, le=1000)
    count: int | None = Field(None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one(self) -> GrowCohort:
        if (self.percent is None) == (self.count is None):
            raise ValueError("give exactly one of percent or count")
        return self


class ScenarioSpec(_Strict):
    name: str = Field(min_length=1)
    base: str = Field(min_length=1)
    program: dict = {}
    add_coaches: tuple[AddCoaches, ...] = ()
    remove_coaches: tuple[RemoveCoaches, ...] = ()
    grow_cohort: tuple[GrowCohort, ...] = ()
    change_capacity: tuple[ChangeCapacity, ...] = ()
    shrink_cohort: tuple[ShrinkCohort, ...] = ()


@dataclass(frozen=True)
class Scenario:
    spec: ScenarioSpec
    path: Path
    base_dir: Path
    policy_raw: dict  # the merged program.toml mapping, validated


def _key(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file, with its base folder and merged policy."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError(InputProblem(name, "scenario file not found"))
    raw = read_toml(path, name)
    try:
        spec = ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if err["type"] == "extra_forbidden":
                message = "is not a known key (check the spelling)"
            else:
                message = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = None if isinstance(value, dict) or err["type"] == "missing" else str(value)
            problems.append(InputProblem(name, message, column=_key(err["loc"]), value=shown))
        raise InputError(problems) from None
    base_dir = (path.parent / spec.base).resolve()
    if not base_dir.is_dir():
        raise InputError(
            InputProblem(
                name, f"program folder {base_dir} not found", column="base", value=spec.base
            )
        )
    base_toml = base_dir / "program.toml"
    base_raw = tomllib.loads(base_toml.read_text(encoding="utf-8")) if base_toml.exists() else {}
    merged = _merge(base_raw, spec.program)
    try:
        policy_from_mapping(merged, name)
    except InputError as exc:
        raise InputError(
            [
                InputProblem(p.file, p.message, column=f"program.{p.column}", value=p.value)
                for p in exc.problems
            ]
        ) from None
    return Scenario(spec, path, base_dir, merged)


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "scenario"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def write_toml(mapping: dict) -> str:
    """A program.toml mapping (scalars, lists, one level of tables) as TOML text."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in mapping.items() if not isinstance(v, dict)]
    for section, table in mapping.items():
        if isinstance(table, dict):
            lines += ["", f"[{section}]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _read(folder: Path, stem: str, required: bool) -> pd.DataFrame | None:
    from matcher.io.loading import find_table, read_table

    path = find_table(folder, stem, required=required)
    return None if path is None else read_table(path).reset_index(drop=True)


def _new_ids(prefix: str, taken: set[str], n: int) -> list[str]:
    out, i = [], 0
    while len(out) < n:
        i += 1
        cid = f"{prefix}{i:04d}"
        if cid not in taken:
            out.append(cid)
            taken.add(cid)
    return out


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class _Edit:
    """A scenario's program while it is changed: its tables, notes on what was changed, and
    the problems found (all reported together, by scenario file and key)."""

    name: str  # the scenario file
    regions: set[str]  # regions of the base program, which changes may name
    coaches: pd.DataFrame
    cands: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    def problem(self, message: str, column: str, value: str) -> None:
        self.problems.append(InputProblem(self.name, message, column=column, value=value))


def apply_scenario(scenario: Scenario, folder: Path) -> list[str]:
    """Write the changed program folder; returns notes (what was changed). Raises InputError.

    Changes apply in a fixed order (remove, change places, add coaches, grow, shrink), so a
    scenario means the same whatever order its file lists them in.
    """
    spec = scenario.spec
    coaches = _read(scenario.base_dir, "coaches", True)
    cands = _read(scenario.base_dir, "candidates", True)
    org = _read(scenario.base_dir, "org", False)
    regions = set(cands["region"]) | set(coaches["region"])
    edit = _Edit(str(scenario.path), regions, coaches, cands)
    for i, rem in enumerate(spec.remove_coaches):
        _remove_coaches(edit, i, rem)
    for i, change in enumerate(spec.change_capacity):
        _change_capacity(edit, i, change)
    _add_coaches(edit, spec.add_coaches)
    seed = int.from_bytes(hashlib.sha256(spec.name.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    taken_k = set(edit.cands["candidate_id"])
    for i, grow in enumerate(spec.grow_cohort):
        _grow_cohort(edit, i, grow, rng, taken_k)
    for i, shrink in enumerate(spec.shrink_cohort):
        _shrink_cohort(edit, i, shrink, rng)
    if edit.problems:
        raise InputError(edit.problems)
    _write_folder(scenario, folder, edit, org)
    return edit.notes


def _remove_coaches(edit: _Edit, i: int, rem: RemoveCoaches) -> None:
    """Drop the coaches one ``remove_coaches`` entry names: by id, region or seniority."""
    coaches = edit.coaches
    if rem.ids is not None:
        for c in rem.ids:
            if c not in set(coaches["coach_id"]):
                edit.problem("no such coach in the base program", f"remove_coaches[{i}].ids", c)
        drop = set(rem.ids)
    elif rem.region is not None:
        if rem.region not in edit.regions:
            edit.problem(
                "no candidate or coach has this region", f"remove_coaches[{i}].region", rem.region
            )
        drop = set(coaches.loc[coaches["region"] == rem.region, "coach_id"])
    else:
        drop = _most_senior(coaches, rem.most_senior_share or 0.0)
    edit.notes.append(f"removed coaches {', '.join(sorted(drop)) or '(none)'}")
    edit.coaches = coaches[~coaches["coach_id"].isin(drop)].reset_index(drop=True)


def _most_senior(coaches: pd.DataFrame, share: float) -> set[str]:
    """Ids of the ``share`` of coaches with most admin_years (rounded half up; ties by id,
    unknown years last): the retirements a program plans for."""
    n = math.floor(share * len(coaches) + 0.5)
    years = pd.to_numeric(coaches["admin_years"], errors="coerce").fillna(-1)
    order = sorted(range(len(coaches)), key=lambda j: (-years.iloc[j], coaches["coach_id"].iloc[j]))
    return {coaches["coach_id"].iloc[j] for j in order[:n]}


def _change_capacity(edit: _Edit, i: int, change: ChangeCapacity) -> None:
    """Set, add to or scale the places of the coaches one ``change_capacity`` entry names."""
    coaches = edit.coaches
    chosen = pd.Series(True, index=coaches.index)
    if change.ids is not None:
        for c in change.ids:
            if c not in set(coaches["coach_id"]):
                edit.problem("no such coach in the program", f"change_capacity[{i}].ids", c)
        chosen = coaches["coach_id"].isin(change.ids)
    elif change.region is not None:
        chosen = coaches["region"] == change.region
    old = pd.to_numeric(coaches["capacity"], errors="coerce").fillna(0).astype(int)
    new = _new_capacity(old, change)
    coaches.loc[chosen, "capacity"] = new[chosen].astype(int).astype(str)
    edit.notes.append(f"changed the places of {int(chosen.sum())} coaches")


def _new_capacity(old: pd.Series, change: ChangeCapacity) -> pd.Series:
    """Every coach's places after the change (the caller keeps only the chosen coaches')."""
    if change.set is not None:
        return pd.Series(change.set, index=old.index)
    if change.add is not None:
        return (old + change.add).clip(lower=0)
    return (old * change.percent / 100 + 0.5).apply(math.floor)


def _add_coaches(edit: _Edit, adds: tuple[AddCoaches, ...]) -> None:
    """Append the new coaches, ids ``N0001…`` not already taken.

    A cost left out is the mean of the coaches before any were added, so the scenario's
    total cost stays comparable with the base program's.
    """
    base_cost = pd.to_numeric(edit.coaches["cost_per_candidate"], errors="coerce").dropna()
    taken = set(edit.coaches["coach_id"])
    for i, add in enumerate(adds):
        for key, region in [("region", add.region)] + [
            ("regions_served", r) for r in add.regions_served
        ]:
            if region not in edit.regions:
                edit.problem(
                    "no candidate or coach has this region", f"add_coaches[{i}].{key}", region
                )
        cost = add.cost_per_candidate
        if cost is None and len(base_cost):
            cost = round(float(base_cost.mean()), 2)
        ids = _new_ids("N", taken, add.count)
        rows = [_new_coach_row(cid, add, cost) for cid in ids]
        edit.coaches = pd.concat([edit.coaches, pd.DataFrame(rows)], ignore_index=True).fillna("")
        edit.notes.append(f"added coaches {', '.join(ids)}")


def _new_coach_row(cid: str, add: AddCoaches, cost: float | None) -> dict[str, str]:
    """One added coach as coaches.csv cells."""
    return {
        "coach_id": cid,
        "name": f"New coach {cid}",
        "region": add.region,
        "regions_served": ";".join(add.regions_served),
        "lat": _fmt(add.lat),
        "lon": _fmt(add.lon),
        "roles": ";".join(add.roles),
        "levels": ";".join(add.levels),
        "capacity": str(add.capacity),
        "certification": add.certification,
        "cnet_current": "true" if add.cnet_current else "false",
        "admin_years": _fmt(add.admin_years),
        "languages": ";".join(add.languages),
        "max_hours_per_month": _fmt(add.max_hours_per_month),
        "cost_per_candidate": _fmt(cost),
    }


def _grow_cohort(
    edit: _Edit, i: int, grow: GrowCohort, rng: random.Random, taken_k: set[str]
) -> None:
    """Copy random candidates of the region (and role) as new year-1 candidates, ids
    ``X0001…``: copies keep the sites, languages and availability real candidates have."""
    cands = edit.cands
    pool = cands[
        (cands["region"] == grow.region)
        & ((cands["role"].str.lower() == grow.role) if grow.role else True)
    ]
    if pool.empty:
        edit.problem(
            "no existing candidate of this region and role to copy",
            f"grow_cohort[{i}].region",
            grow.region + (f"/{grow.role}" if grow.role else ""),
        )
        return
    n = grow.count if grow.count is not None else math.floor(len(pool) * grow.percent / 100 + 0.5)
    ids = _new_ids("X", taken_k, n)
    picks = [rng.randrange(len(pool)) for _ in ids]
    new = pool.iloc[picks].copy()
    new["candidate_id"] = ids
    new["name"] = [f"New candidate {k}" for k in ids]
    for column, value in (
        ("program_year", "1"),
        ("current_coach_id", ""),
        ("person_id", ""),
        ("preferred_coach_ids", ""),
        ("exclude_coach_ids", ""),
    ):
        if column in new:
            new[column] = value
    edit.cands = pd.concat([cands, new], ignore_index=True).fillna("")
    edit.notes.append(
        f"grew {grow.region}{'/' + grow.role if grow.role else ''} by {n} "
        f"candidates ({ids[0]}..{ids[-1]})"
        if ids
        else "grew by 0 candidates"
    )


def _shrink_cohort(edit: _Edit, i: int, shrink: ShrinkCohort, rng: random.Random) -> None:
    """Drop a reproducible random sample of the region's (and role's) candidates."""
    cands = edit.cands
    mask = (cands["region"] == shrink.region) & (
        (cands["role"].str.lower() == shrink.role) if shrink.role else True
    )
    pool = list(cands.index[mask])
    if not pool:
        edit.problem(
            "no candidate of this region and role", f"shrink_cohort[{i}].region", shrink.region
        )
        return
    n = (
        shrink.count
        if shrink.count is not None
        else math.floor(len(pool) * shrink.percent / 100 + 0.5)
    )
    gone = rng.sample(pool, min(n, len(pool)))
    edit.cands = cands.drop(index=gone).reset_index(drop=True)
    edit.notes.append(
        f"shrank {shrink.region}{'/' + shrink.role if shrink.role else ''} by "
        f"{len(gone)} candidates"
    )


def _write_folder(scenario: Scenario, folder: Path, edit: _Edit, org: pd.DataFrame | None) -> None:
    """The changed program as a complete folder, which ``load_program`` then reads back."""
    folder.mkdir(parents=True, exist_ok=True)
    edit.coaches.to_csv(folder / "coaches.csv", index=False, lineterminator="\n")
    edit.cands.to_csv(folder / "candidates.csv", index=False, lineterminator="\n")
    if org is not None:
        org.to_csv(folder / "org.csv", index=False, lineterminator="\n")
    (folder / "program.toml").write_text(
        f"# what-if scenario {scenario.spec.name!r} over {scenario.base_dir}\n"
        + write_toml(scenario.policy_raw),
        encoding="utf-8",
    )


def copy_base(base_dir: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for item in sorted(base_dir.iterdir()):
        if item.is_file() and item.suffix in (".csv", ".xlsx", ".toml"):
            shutil.copy2(item, folder / item.name)


@dataclass(frozen=True)
class Job:
    name: str
    folder: str


def run_job(job: Job) -> dict:
    """Load a program folder, assign it (flow where it can), and return the comparison row."""
    from matcher.assignment.optimize import assign
    from matcher.io.loading import load_program
    from matcher.io.writers import summary_dict

    program = load_program(job.folder)
    result = assign(program, solver="auto")
    summary = summary_dict(program, result)
    util = [c.load / c.places for c in result.coach_loads if c.places > 0]
    km = [r.travel_km for r in result.rows if r.status == "assigned" and r.travel_km is not None]
    hours = coach_hours(program, [c.load for c in result.coach_loads])
    by_region: dict[str, dict[str, int]] = {}
    for cand, row in zip(program.candidates, result.rows, strict=True):
        stats = by_region.setdefault(cand.region, dict.fromkeys(REGION_FIGURES, 0))
        stats["candidates"] += 1
        stats["assigned"] += row.status == "assigned"
    for coach, load in zip(program.coaches, result.coach_loads, strict=True):
        stats = by_region.setdefault(coach.region, dict.fromkeys(REGION_FIGURES, 0))
        stats["places"] += load.places
        stats["places_used"] += load.load
    unassigned_by = {}
    for cand, row in zip(program.candidates, result.rows, strict=True):
        if row.status == "unassigned":
            key = f"{cand.region} / {cand.role}"
            unassigned_by[key] = unassigned_by.get(key, 0) + 1
    return {
        "by_region": dict(sorted(by_region.items())),
        "unassigned_by_region_role": dict(sorted(unassigned_by.items())),
        "scenario": job.name,
        "candidates": len(program.candidates),
        "assigned": result.assigned,
        "unassigned": result.unassigned,
        "year2_assigned": result.year2_assigned,
        "year2_candidates": result.year2_candidates,
        "utilization_mean": round(float(np.mean(util)), 4) if util else None,
        "utilization_max": round(float(np.max(util)), 4) if util else None,
        "continuity_kept": summary["continuity"]["kept"],
        "travel_km_mean": round(float(np.mean(km)), 2) if km else None,
        "travel_km_max": round(float(np.max(km)), 2) if km else None,
        "total_cost": summary["total_cost"],
        "hours_demanded": round(result.assigned * hours.need_per_candidate, 2),
        "hours_coaches_can_give": round(hours.can_give, 2),
        "hours_demanded_of_them": round(hours.demanded_of_capped, 2),
        "hours_utilization": round(hours.utilization, 4) if hours.can_give else None,
        "coaches_without_hour_cap": hours.uncapped,
        "objective": round(result.objective, 6),
        "status": result.status,
        "solver": result.solver,
    }


@dataclass(frozen=True)
class CoachHours:
    """The year's coaching hours, defined so that the rule and the coaches stay apart.

    ``can_give``: what coaches can give, from their own ``max_hours_per_month`` over the
    program's months; a property of the coaches, so a stricter rule never raises it. Coaches
    who state no cap are limited by places only (``uncapped`` of them): they are left out of
    the hour figures rather than given an invented number of hours. ``demanded_of_capped``:
    the hours the rule (``monthly_need_hours``) demands of the capped coaches for their
    assigned candidates. ``utilization`` = demanded / can give: it rises as the rule grows.
    """

    need_per_candidate: float
    can_give: float
    demanded_of_capped: float
    uncapped: int

    @property
    def utilization(self) -> float:
        return self.demanded_of_capped / self.can_give if self.can_give else 0.0


def coach_hours(program, loads: list[int]) -> CoachHours:
    """:class:`CoachHours` of a program whose coaches carry ``loads`` candidates."""
    coaching = program.policy.coaching
    months = len(coaching.months)
    need = coaching.monthly_need_hours * months
    capped = [
        (c, n)
        for c, n in zip(program.coaches, loads, strict=True)
        if c.max_hours_per_month is not None
    ]
    return CoachHours(
        need_per_candidate=need,
        can_give=sum(c.max_hours_per_month * months for c, _ in capped),
        demanded_of_capped=sum(n * need for _, n in capped),
        uncapped=len(program.coaches) - len(capped),
    )


COMPARISON_FIGURES = (
    ("candidates", "candidates", "d"),
    ("assigned", "assigned", "d"),
    ("unassigned", "unassigned", "d"),
    ("places used per coach, mean %", "utilization_mean", ".1%"),
    ("places used per coach, max %", "utilization_max", ".1%"),
    ("continuity kept", "continuity_kept", "d"),
    ("travel km mean", "travel_km_mean", ".1f"),
    ("travel km max", "travel_km_max", ".1f"),
    ("total cost", "total_cost", ",.0f"),
    ("hours the rule demands (assigned)", "hours_demanded", ",.0f"),
    ("hours capped coaches can give", "hours_coaches_can_give", ",.0f"),
    ("hours the rule demands of them", "hours_demanded_of_them", ",.0f"),
    ("hours utilization % (demands / can give)", "hours_utilization", ".1%"),
    ("coaches without an hour cap", "coaches_without_hour_cap", "d"),
    ("objective", "objective", ",.2f"),
)
"""(label, comparison column, format) of the terminal's what-if table. The labels say what
each figure is; the % figures are shares (0.5 = 50 %) in comparison.csv."""

SHARE_COLUMNS = frozenset(k for _, k, f in COMPARISON_FIGURES if f.endswith("%"))


REGION_FIGURES = ("candidates", "assigned", "places", "places_used")


def region_frame(rows: list[dict]) -> pd.DataFrame:
    """Coverage (candidates of the region) and utilization (coaches based there) by region."""
    records = []
    for row in rows:
        for region, st in row["by_region"].items():
            cands, places = st["candidates"], st["places"]
            records.append(
                {
                    "scenario": row["scenario"],
                    "region": region,
                    **st,
                    "coverage": round(st["assigned"] / cands, 4) if cands else None,
                    "utilization": round(st["places_used"] / places, 4) if places else None,
                }
            )
    return pd.DataFrame.from_records(records)


def comparison_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=COMPARISON_COLUMNS)


def write_charts(frame: pd.DataFrame, folder: Path, regions: pd.DataFrame | None = None) -> str:
    """Bar charts (matplotlib): assigned and unassigned per scenario, and coverage and coach
    utilization by region for each scenario."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "Charts skipped: matplotlib is not installed (pip install matplotlib)."
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(frame) + 1.5))
    ax.barh(frame["scenario"], frame["assigned"], label="assigned")
    ax.barh(frame["scenario"], frame["unassigned"], left=frame["assigned"], label="unassigned")
    ax.invert_yaxis()
    ax.set_xlabel("candidates")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "comparison.png", dpi=120)
    plt.close(fig)
    if regions is not None and not regions.empty:
        for figure, label in (
            ("coverage", "share of the region's candidates assigned"),
            ("utilization", "share of places used, coaches based there"),
        ):
            table = regions.pivot(index="region", columns="scenario", values=figure)
            table = table[list(frame["scenario"])]
            fig, ax = plt.subplots(figsize=(9, 0.45 * len(table) * len(table.columns) / 3 + 2))
            table.plot.barh(ax=ax, width=0.8)
            ax.set_xlabel(label)
            ax.set_xlim(0, 1.05)
            ax.invert_yaxis()
            ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
            fig.tight_layout()
            fig.savefig(folder / f"{figure}_by_region.png", dpi=120)
            plt.close(fig)
        return "Wrote comparison.png, coverage_by_region.png and utilization_by_region.png."
    return "Wrote comparison.png."


@dataclass(frozen=True)
class WhatifRun:
    """A what-if run: one row of figures per scenario (baseline first), the tables written,
    and what each scenario's changes did (``notes``: scenario name, sentence)."""

    rows: tuple[dict, ...]
    comparison: pd.DataFrame
    by_region: pd.DataFrame
    notes: tuple[tuple[str, str], ...]
    chart_note: str


def read_scenarios(paths: list[Path]) -> list[Scenario]:
    """Scenario files of one run: each valid, one shared base program, distinct names."""
    scenarios = [read_scenario(p) for p in paths]
    bases = {s.base_dir for s in scenarios}
    if len(bases) > 1:
        raise InputError(
            InputProblem(
                ", ".join(p.name for p in paths),
                "all scenarios of one run must share a base program folder (key 'base'); "
                f"found {', '.join(sorted(map(str, bases)))}",
            )
        )
    names = [s.spec.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1 or n == BASELINE})
    if dupes:
        raise InputError(
            InputProblem(
                ", ".join(p.name for p in paths),
                f"scenario names must be distinct and not {BASELINE!r}: {', '.join(dupes)}",
                column="name",
            )
        )
    return scenarios


def run_whatif(scenarios: list[Scenario], out_dir: Path, *, workers: int = 1) -> WhatifRun:
    """Run the scenarios beside their base program and write the comparison folder.

    The changed programs are written under ``out_dir/programs/`` (so each can be rerun on its
    own), solved in parallel over ``workers`` processes, and compared in comparison.csv,
    comparison_by_region.csv, unassigned_by_region_role.csv and charts; the folder appears
    whole or not at all.
    """
    from matcher.io.loading import load_program
    from matcher.io.output import staged_folder
    from solvers.executor import map_ordered

    base_dir = scenarios[0].base_dir
    load_program(base_dir)  # the base program's own problems first, named as such
    notes: list[tuple[str, str]] = []
    with staged_folder(out_dir) as stage:
        jobs = [Job(BASELINE, str(base_dir))]
        for s in scenarios:
            folder = stage / "programs" / slug(s.spec.name)
            notes.extend((s.spec.name, note) for note in apply_scenario(s, folder))
            jobs.append(Job(s.spec.name, str(folder)))
        rows = map_ordered(run_job, jobs, workers=workers)
        frame = comparison_frame(rows)
        frame.to_csv(stage / "comparison.csv", index=False)
        regions = region_frame(rows)
        regions.to_csv(stage / "comparison_by_region.csv", index=False)
        unassigned = [
            {"scenario": r["scenario"], "region_role": key, "unassigned": n}
            for r in rows
            for key, n in r["unassigned_by_region_role"].items()
        ]
        pd.DataFrame.from_records(
            unassigned, columns=["scenario", "region_role", "unassigned"]
        ).to_csv(stage / "unassigned_by_region_role.csv", index=False)
        chart_note = write_charts(frame, stage, regions)
    return WhatifRun(tuple(rows), frame, regions, tuple(notes), chart_note)


def whatif(scenario_files: list[Path | str], out_dir: Path | str, *, workers: int = 1) -> WhatifRun:
    """Read scenario files (TOML) and run them against their base program into ``out_dir``."""
    scenarios = read_scenarios([Path(p) for p in scenario_files])
    return run_whatif(scenarios, Path(out_dir), workers=workers)
