"""Program policy: the rules and weights of ``program.toml``, over the contract's defaults.

Every key has a default (the contract's), so a program folder without ``program.toml`` works.
Validation is pydantic's: an unknown key or a value of the wrong type is reported with its TOML
path, because a silently ignored typo (``max_travel_kms``) would change a roster unnoticed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.errors import InputError, InputProblem

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clock_minutes(text: str) -> int:
    """``"07:30"`` → 450: times of day are minutes since midnight everywhere inside."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class EligibilityPolicy(_Section):
    """Rules 1–9 of the contract: who may coach whom."""

    allow_in_progress_certification: bool = True
    require_cnet: bool = True
    supervisor_conflict: Literal["direct", "chain"] = "chain"
    max_travel_km: float = Field(80.0, ge=0)
    role_must_match: bool = True
    min_admin_years: int = Field(0, ge=0)


class Weights(_Section):
    """Weights of the pair score (higher is better)."""

    level: float = 2.0
    language: float = 1.0
    cpsel: float = 2.0
    travel_per_100km: float = 1.0
    continuity: float = 10.0
    preference: float = 3.0
    same_district: float = 0.0
    same_site: float = 0.0


class AssignmentPolicy(_Section):
    """Extensions beyond the contract that coordinators ask for (all off by default).

    Each keeps the problem a min-cost flow on its own: ``max_year1_per_coach`` and
    ``max_same_district_per_coach`` by node splitting, ``balance_load`` (a penalty of that many
    score points times load² per coach) by convex costs on parallel arcs, and coaches'
    ``min_load`` column by bonus arcs. Both caps at once cross each other, and need CP-SAT.
    """

    max_year1_per_coach: int = Field(0, ge=0)
    balance_load: float = Field(0.0, ge=0)
    max_same_district_per_coach: int = Field(0, ge=0)


class PriorityPolicy(_Section):
    """Who comes first when places are short.

    ``year2_first``: year-2 candidates complete the credential this year, and one left without
    a coach cannot; a year-1 candidate can wait for a mid-year place or the next intake. So the
    optimum first coaches as many year-2 candidates as possible, then as many candidates as
    possible, then maximises the pair score. It never costs coverage on flow-shaped programs
    (see :mod:`solvers.flow`); with two crossing caps it may.
    """

    year2_first: bool = True


class CoachingPolicy(_Section):
    """How much coaching each pair needs, and when it may happen."""

    months: tuple[str, ...] = (
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
    )
    min_hours_per_year: float = Field(40.0, ge=0)
    min_hours_per_month: float = Field(3.0, ge=0)
    max_pair_hours_per_month: float = Field(6.0, ge=0)
    session_minutes: tuple[int, ...] = (60, 90, 120)
    day_start: str = "07:00"
    day_end: str = "18:00"
    weekdays: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    travel_kmh: float = Field(50.0, gt=0)

    @field_validator("months")
    @classmethod
    def _months(cls, months: tuple[str, ...]) -> tuple[str, ...]:
        if not months:
            raise ValueError("needs at least one month")
        for month in months:
            if not _MONTH.match(month):
                raise ValueError(f"expected months as YYYY-MM, found {month!r}")
        if list(months) != sorted(set(months)):
            raise ValueError("months must be distinct and in calendar order")
        return months

    @field_validator("session_minutes")
    @classmethod
    def _lengths(cls, lengths: tuple[int, ...]) -> tuple[int, ...]:
        if not lengths or any(m <= 0 for m in lengths):
            raise ValueError("expected one or more positive session lengths in minutes")
        return tuple(sorted(set(lengths)))

    @field_validator("day_start", "day_end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"expected a time of day HH:MM, found {value!r}")
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"expected weekdays among {', '.join(WEEKDAYS)}, found {unknown}")
        return days

    @model_validator(mode="after")
    def _day_order(self) -> CoachingPolicy:
        if clock_minutes(self.day_end) <= clock_minutes(self.day_start):
            raise ValueError("day_end must be later than day_start")
        return self

    @property
    def monthly_need_hours(self) -> float:
        """Hours a month each coached candidate takes from a coach's ``max_hours_per_month``.

        The contract's larger of the monthly minimum and the yearly minimum spread evenly.
        """
        return max(self.min_hours_per_month, self.min_hours_per_year / len(self.months))

    @property
    def day_start_minutes(self) -> int:
        return clock_minutes(self.day_start)

    @property
    def day_end_minutes(self) -> int:
        return clock_minutes(self.day_end)


def _parse_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class CalendarPolicy(_Section):
    """Days without coaching: school holidays and the coaches' own meetings."""

    blackout: tuple[str, ...] = (
        "2026-11-26",
        "2026-11-27",
        "2026-12-21..2027-01-01",
        "2027-03-29..2027-04-02",
    )
    coach_meetings: tuple[str, ...] = ("2026-10-14", "2027-03-10")

    @field_validator("blackout", "coach_meetings")
    @classmethod
    def _days(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        for entry in entries:
            parts = entry.split("..")
            try:
                days = [_parse_day(p.strip()) for p in parts]
            except ValueError:
                raise ValueError(
                    f"expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, found {entry!r}"
                ) from None
            if len(days) > 2 or (len(days) == 2 and days[1] < days[0]):
                raise ValueError(f"expected a range whose end is not before its start: {entry!r}")
        return entries

    def closed_days(self) -> frozenset[dt.date]:
        """Every blackout and coach-meeting day, ranges expanded (inclusive)."""
        return self.blackout_days() | self.meeting_days()

    def blackout_days(self) -> frozenset[dt.date]:
        """The blackout days, ranges expanded (inclusive)."""
        return _expand_days(self.blackout)

    def meeting_days(self) -> frozenset[dt.date]:
        """The coach-meeting days, ranges expanded (inclusive)."""
        return _expand_days(self.coach_meetings)


def _expand_days(entries: tuple[str, ...]) -> frozenset[dt.date]:
    """Dates and inclusive ``first..last`` ranges, as one set of dates."""
    days: set[dt.date] = set()
    for entry in entries:
        parts = [_parse_day(p.strip()) for p in entry.split("..")]
        first, last = parts[0], parts[-1]
        while first <= last:
            days.add(first)
            first += dt.timedelta(days=1)
    return frozenset(days)


class SchedulePolicy(_Section):
    """Weights of a good calendar (lower total is better), after the hour minimums.

    Defaults come from the scheduler (:class:`solvers.scheduling.ScheduleWeights`), which says
    what each one does: a second standing slot or an alternate-week slot (steady rhythm), each
    weekday a coach works and each minute of travel between sites booked on one weekday (fewer
    travel days and km), each day until the first session and much more past
    ``start_deadline_days`` (coaching begins within 30 days), and each session or minute
    beyond the minimums.
    """

    extra_slot: float = Field(20.0, ge=0)
    alternate_week: float = Field(2.0, ge=0)
    weekday: float = Field(10.0, ge=0)
    travel_minute: float = Field(0.1, ge=0)
    start_delay_day: float = Field(0.2, ge=0)
    late_start_day: float = Field(5.0, ge=0)
    start_deadline_days: int = Field(30, ge=0)
    session: float = Field(0.5, ge=0)
    minute: float = Field(0.01, ge=0)
    alternate_weeks: bool = True
    start_step_minutes: int = Field(15, ge=5, le=60)


class Policy(_Section):
    """The whole of ``program.toml``."""

    eligibility: EligibilityPolicy = EligibilityPolicy()
    weights: Weights = Weights()
    coaching: CoachingPolicy = CoachingPolicy()
    calendar: CalendarPolicy = CalendarPolicy()
    assignment: AssignmentPolicy = AssignmentPolicy()
    schedule: SchedulePolicy = SchedulePolicy()
    priority: PriorityPolicy = PriorityPolicy()

    def coach_places_by_hours(self, max_hours_per_month: float) -> int:
        """How many candidates a coach's monthly hours allow at once.

        Exact for the contract's rule: a candidate is coached from its start month on, so in the
        last program month every assigned candidate is coached and that month binds.
        """
        need = self.coaching.monthly_need_hours
        if need <= 0:
            return 1_000_000_000
        return max(0, math.floor(max_hours_per_month / need + 1e-9))

    @property
    def has_coupling_terms(self) -> bool:
        """True when the objective or constraints couple pairs, so no flow can express them."""
        caps = [self.assignment.max_year1_per_coach, self.assignment.max_same_district_per_coach]
        return self.weights.same_site != 0 or all(cap > 0 for cap in caps)


def load_policy(path: Path | None) -> Policy:
    """Read ``program.toml`` (or return the defaults) and report every mistake by key."""
    if path is None or not path.exists():
        return Policy()
    return policy_from_mapping(read_toml(path, path.name), path.name)


def read_toml(path: Path, name: str) -> dict:
    """A TOML file as a mapping, or an input error naming the file (``name``) and what is wrong
    with it; program.toml and scenario files are read alike."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(InputProblem(name, f"is not valid TOML: {exc}")) from None
    except UnicodeDecodeError:
        raise InputError(InputProblem(name, "is not UTF-8 text")) from None


def policy_from_mapping(raw: dict, file_name: str = "program.toml") -> Policy:
    """Validate a parsed TOML mapping; used for program folders and scenario overrides alike."""
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden":
                message = "is not a known key (check the spelling against the contract)"
            else:
                message = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = None if isinstance(value, dict) or err["type"] == "missing" else str(value)
            problems.append(InputProblem(file_name, message, column=key, value=shown))
        raise InputError(problems) from None
