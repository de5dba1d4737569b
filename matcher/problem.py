"""Problem data: a validated, typed program (coaches, candidates, reporting lines, policy).

Everything downstream — eligibility, the models, the writers — reads these frozen dataclasses,
never raw spreadsheet cells, so a value is parsed and checked exactly once, in
:mod:`matcher.io.loading`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from matcher.policy import Policy
from matcher.windows import Window

CERTIFICATIONS = ("certified", "in_progress", "expired", "none")
ROLES = ("principal", "assistant_principal", "coordinator", "director", "specialist", "other")
LEVELS = ("elementary", "middle", "high", "district")


@dataclass(frozen=True)
class Coach:
    """A coach as the contract's ``coaches.csv`` describes one."""

    coach_id: str
    region: str
    roles: frozenset[str]
    capacity: int
    certification: str
    name: str = ""
    regions_served: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    levels: frozenset[str] = frozenset()
    cnet_current: bool = False
    admin_years: int | None = None
    languages: frozenset[str] = frozenset()
    cpsel_strengths: frozenset[int] = frozenset()
    district: str = ""
    person_id: str = ""
    available: tuple[Window, ...] = ()
    max_hours_per_month: float | None = None
    cost_per_candidate: float | None = None
    min_load: int = 0
    row: int = 0

    @property
    def serves(self) -> frozenset[str]:
        """Every region the coach works in: home plus those it travels to."""
        return self.regions_served | {self.region}


@dataclass(frozen=True)
class Candidate:
    """A credential candidate as the contract's ``candidates.csv`` describes one."""

    candidate_id: str
    region: str
    role: str
    program_year: int
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    site: str = ""
    district: str = ""
    level: str = ""
    person_id: str = ""
    supervisor_id: str = ""
    current_coach_id: str = ""
    languages: frozenset[str] = frozenset()
    cpsel_focus: frozenset[int] = frozenset()
    available: tuple[Window, ...] = ()
    exclude_coach_ids: frozenset[str] = frozenset()
    preferred_coach_ids: tuple[str, ...] = ()
    start_month: str = ""
    row: int = 0


@dataclass(frozen=True)
class ProgramData:
    """A whole program, validated.

    ``above`` maps each candidate id to every person id above it; ``direct_above`` to its direct
    supervisors only (``supervisor_id`` and the candidate's own lines in org.csv).

    ``warnings`` are data-quality notes that do not stop a run (ids that point nowhere); they go
    into the summary so a coordinator sees them.
    """

    coaches: tuple[Coach, ...]
    candidates: tuple[Candidate, ...]
    policy: Policy
    above: dict[str, frozenset[str]] = field(default_factory=dict)
    direct_above: dict[str, frozenset[str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source: Path | None = None

    def coach_index(self) -> dict[str, int]:
        return {c.coach_id: i for i, c in enumerate(self.coaches)}

    def candidate_index(self) -> dict[str, int]:
        return {k.candidate_id: i for i, k in enumerate(self.candidates)}

    def first_month_index(self, candidate: Candidate) -> int:
        """Index of the first program month the candidate is coached in (from ``start_month``)."""
        months = self.policy.coaching.months
        if not candidate.start_month:
            return 0
        for i, month in enumerate(months):
            if month >= candidate.start_month:
                return i
        return len(months)

    def months_coached(self, candidate: Candidate) -> int:
        """Program months from the candidate's start on (all of them without a start month)."""
        return max(len(self.policy.coaching.months) - self.first_month_index(candidate), 0)

    def yearly_minimum_hours(self, candidate: Candidate) -> float:
        """The contract's yearly minimum, scaled by the share of program months left after a
        late start."""
        coaching = self.policy.coaching
        n = len(coaching.months)
        return coaching.min_hours_per_year * self.months_coached(candidate) / n if n else 0.0

    def required_hours(self, candidate: Candidate) -> float:
        """The fewest hours a pair must get over the year: its monthly minimums summed or its
        (pro-rated) yearly minimum, whichever is more."""
        monthly = self.policy.coaching.min_hours_per_month * self.months_coached(candidate)
        return max(monthly, self.yearly_minimum_hours(candidate))
