"""``coachmatch capacity``: the fewest coach places to add, by region and role, so that every
candidate can be assigned — found by optimisation, not by counting.

Each (region, role) with candidates gets a virtual coach with unlimited places that may take
any candidate of that region and role; a min-cost flow uses as few virtual places as possible
(see :mod:`solvers.capacity_flow`). Each virtual place serves one candidate, so the total is
exactly the number an optimal roster leaves out, and one place fewer in any row leaves someone
out. A place is priced at the mean ``cost_per_candidate`` of the coaches who serve that region
and role, or of all coaches when none of those gives a cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.assignment.optimize import build_problem
from matcher.problem import ProgramData
from matcher.rules.pairs import build_pairs
from solvers.capacity_flow import fewest_added_places


@dataclass(frozen=True)
class AddedPlaces:
    region: str
    role: str
    added_places: int
    cost: float | None
    cost_basis: str  # "region/role mean", "overall mean" or "no costs given"
    cost_per_place: float | None


@dataclass(frozen=True)
class CapacityPlan:
    rows: tuple[AddedPlaces, ...]
    total_added: int
    unused: tuple[tuple[str, int, int], ...]  # (coach_id, places unused, places)
    candidates: int


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def plan_capacity(program: ProgramData) -> CapacityPlan:
    pairs = build_pairs(program)
    problem = build_problem(pairs)
    keys = sorted({(k.region, k.role) for k in program.candidates})
    group = {key: g for g, key in enumerate(keys)}
    group_of = np.array([group[(k.region, k.role)] for k in program.candidates], dtype=np.int64)
    real, used, _ = fewest_added_places(problem, group_of, len(keys))
    overall = _mean(
        [c.cost_per_candidate for c in program.coaches if c.cost_per_candidate is not None]
    )
    rows = []
    for g, (region, role) in enumerate(keys):
        n = int(used[g])
        if n == 0:
            continue
        local = _mean(
            [
                c.cost_per_candidate
                for c in program.coaches
                if c.cost_per_candidate is not None and region in c.serves and role in c.roles
            ]
        )
        price, basis = (
            (local, "region/role mean") if local is not None else (overall, "overall mean")
        )
        if price is None:
            basis = "no costs given"
        rows.append(
            AddedPlaces(
                region, role, n, None if price is None else round(n * price, 2), basis, price
            )
        )
    loads = np.bincount(problem.right[real], minlength=problem.n_right)
    unused = tuple(
        (c.coach_id, int(problem.capacity[i] - loads[i]), int(problem.capacity[i]))
        for i, c in enumerate(program.coaches)
        if problem.capacity[i] > loads[i]
    )
    return CapacityPlan(tuple(rows), int(used.sum()), unused, len(program.candidates))


CAPACITY_COLUMNS = ["region", "role", "added_places", "cost"]


def capacity_frame(plan: CapacityPlan):
    import pandas as pd

    return pd.DataFrame.from_records(
        [
            (r.region, r.role, r.added_places, "" if r.cost is None else f"{r.cost:.2f}")
            for r in plan.rows
        ],
        columns=CAPACITY_COLUMNS,
    )
