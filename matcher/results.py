"""Results as the coordinator sees them: a roster row per candidate, and the run's quality."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from solvers.assignment_data import SolveStatus


@dataclass(frozen=True)
class RosterRow:
    """One candidate's outcome: the contract's roster.csv columns, plus the score's terms."""

    candidate_id: str
    coach_id: str
    status: str  # assigned / unassigned
    reason: str
    reason_code: str
    score: float | None
    travel_km: float | None
    continuity: bool
    terms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Alternate:
    """A next-best eligible coach for a candidate, for manual review."""

    candidate_id: str
    rank: int
    coach_id: str
    score: float
    travel_km: float | None
    coach_load: int
    coach_places: int


@dataclass(frozen=True)
class CoachLoad:
    coach_id: str
    load: int
    places: int  # capacity, lowered by max_hours_per_month where that binds
    capacity: int
    min_load: int


@dataclass(frozen=True)
class AssignmentResult:
    """A roster and how good it is.

    ``objective`` is the total pair score of the roster (plus same-site bonuses, minus load
    balancing penalties, where set); ``bound`` is the best proven upper bound on it given the
    levels before it (year-2 coverage where ``year2_first``, then coverage), so ``gap`` = 0
    means no better roster exists under the program's rules. ``year2_bound`` and
    ``assigned_bound`` bound those levels the same way (None where the level is not optimised).
    """

    rows: tuple[RosterRow, ...]
    coach_loads: tuple[CoachLoad, ...]
    status: str
    objective: float
    bound: float
    solve_seconds: float
    solver: str
    seed: int
    components: int
    eligible_pairs: int
    alternates: tuple[Alternate, ...] = ()
    stats: dict = field(default_factory=dict)
    year2_first: bool = False  # the program's [priority] year2_first
    year2_candidates: int = 0
    year2_assigned: int = 0
    year2_bound: int | None = None  # proven most year-2 candidates any roster coaches
    assigned_bound: int | None = None  # proven most assigned, given year2_assigned

    @property
    def assigned(self) -> int:
        return sum(1 for r in self.rows if r.status == "assigned")

    @property
    def unassigned(self) -> int:
        return len(self.rows) - self.assigned

    def mapping(self) -> dict[str, str]:
        """candidate id → coach id of the assigned candidates, in roster order."""
        return {r.candidate_id: r.coach_id for r in self.rows if r.status == "assigned"}

    @property
    def gap(self) -> float:
        if self.status == SolveStatus.INFEASIBLE or math.isnan(self.objective):
            return math.nan
        return abs(self.bound - self.objective) / max(abs(self.bound), 1e-9)
