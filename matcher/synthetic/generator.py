"""Synthetic coaching programs: coaches, candidates and reporting lines that look real.

Real rosters hold personal data, so tests, benchmarks and demos run on generated programs
instead. The generator follows the data contract (``CONTRACT.md``) and the published program
descriptions (``shared/domain``), so the hard parts of real data show up at realistic rates:

* candidate roles as a large urban district's survey reports them (54 % assistant principals,
  24 % specialists, 12 % principals, 8 % coordinators, 2 % directors), two thirds at school
  sites and one third in district offices;
* half the candidates in their second year, most still with last year's coach, a few whose
  coach has left (an id that points nowhere, which the contract allows);
* coaches who are mostly certified, retired administrators with 3–12 places, some full-time
  district coaches with ~22, a few still in certification or without this year's network
  training; specialist and coordinator coaches scarce, and some regions short of coaches, so an
  optimal roster leaves a few candidates unassigned;
* working administrators among the coaches, placed in the reporting lines of some candidates
  (sometimes as the direct supervisor) so that the supervision rule bites;
* weekly availability windows that sometimes never meet (school-site staff before or after
  school, coaches in the middle of the day) and regions laid out as geographic clusters so the
  travel limit bites only for coaches who serve neighbouring regions.

Left to chance, a small program can come out with no coach short anywhere, or a third of its
candidates unplaceable. So each size is calibrated (see :class:`SizeSpec`): the state size's
regions served are tuned until rules 1–9 admit about 280,000 (coach, candidate) pairs, and
coaches' places until the largest possible roster (a max-flow) covers 92–96 % of candidates.

Everything comes from one ``numpy.random.default_rng(seed)`` drawn in a fixed order, and no
dict or set is iterated where its order could vary, so a size and a seed give byte-identical
files. The state size (10,000 candidates, 1,800 coaches) is generated in about a second, well
under the 5 s a benchmark setup can afford: work per person is a short Python step over
pre-drawn numbers, and the per-pair work (eligibility under the default rules, needed for the
calibrations and for realistic continuity and preferences) is vectorised region by region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.policy import Policy
from solvers.coverage import max_coverage
from solvers.geo import haversine_km

__all__ = [
    "CANDIDATE_COLUMNS",
    "COACH_COLUMNS",
    "ORG_COLUMNS",
    "PROGRAM_MONTHS",
    "PROGRAM_TOML",
    "SIZES",
    "VARIANTS",
    "GeneratedProgram",
    "SizeSpec",
    "Variant",
    "generate_program",
    "write_program",
]

COACH_COLUMNS: tuple[str, ...] = (
    "coach_id",
    "name",
    "region",
    "regions_served",
    "lat",
    "lon",
    "roles",
    "levels",
    "capacity",
    "certification",
    "cnet_current",
    "admin_years",
    "languages",
    "cpsel_strengths",
    "district",
    "person_id",
    "available",
    "max_hours_per_month",
    "cost_per_candidate",
)
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "candidate_id",
    "name",
    "region",
    "lat",
    "lon",
    "site",
    "district",
    "role",
    "level",
    "person_id",
    "supervisor_id",
    "program_year",
    "current_coach_id",
    "languages",
    "cpsel_focus",
    "available",
    "exclude_coach_ids",
    "preferred_coach_ids",
    "start_month",
)
ORG_COLUMNS: tuple[str, ...] = ("person_id", "supervisor_id")

# Columns whose cells are lists (``;``-joined in files) and booleans (``true``/``false``).
_LIST_COLUMNS = frozenset(
    {
        "regions_served",
        "roles",
        "levels",
        "languages",
        "cpsel_strengths",
        "cpsel_focus",
        "exclude_coach_ids",
        "preferred_coach_ids",
    }
)
_BOOL_COLUMNS = frozenset({"cnet_current"})

_DEFAULT_RULES = Policy()
"""The contract's defaults, which generated programs are calibrated for (program.toml spells
them out); the figures below come from here, not from copies."""

PROGRAM_MONTHS: tuple[str, ...] = _DEFAULT_RULES.coaching.months
"""The default program months; generated start months lie in them."""

PROGRAM_TOML = """\
# program.toml: the rules and weights of a coaching program.
# These are the defaults of the data contract, written out so a coordinator can see and change
# them. Every key is optional; a missing key keeps its default.

[eligibility]
# in_progress coaches may take year 1 candidates only
allow_in_progress_certification = true
# coaches need cnet_current = true (this year's coach network training)
require_cnet = true
# "direct": not the direct supervisor; "chain": no one above the candidate
supervisor_conflict = "chain"
# km between coach and site; only checked where both have lat/lon; 0 = no limit
max_travel_km = 80
# candidate.role must be in coach.roles
role_must_match = true
# coaches need admin_years >= this, where given
min_admin_years = 0

[weights]
# pair score, higher is better: coverage comes first, then the sum of pair scores
level = 2.0               # the candidate's level is among the coach's levels
language = 1.0            # they share a language (where the candidate lists any)
cpsel = 2.0               # share of the candidate's CPSEL focus the coach is strong in
travel_per_100km = 1.0    # penalty per 100 km between coach and site
continuity = 10.0         # year 2: the coach is last year's coach
preference = 3.0          # the candidate asked for this coach
same_district = 0.0       # bonus (negative: penalty) when coach and candidate share a district
same_site = 0.0           # bonus per two candidates of one site who share a coach; 0 = off

[coaching]
months = [
    "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
    "2027-01", "2027-02", "2027-03", "2027-04", "2027-05",
]
min_hours_per_year = 40
min_hours_per_month = 3.0
max_pair_hours_per_month = 6.0   # most coaching hours one pair gets in a month; 0 = no limit
session_minutes = [60, 90, 120]
day_start = "07:00"
day_end = "18:00"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
travel_kmh = 50                  # coach travel between sites on one day

[calendar]
blackout = ["2026-11-26", "2026-11-27", "2026-12-21..2027-01-01", "2027-03-29..2027-04-02"]
coach_meetings = ["2026-10-14", "2027-03-10"]   # no coaching on these days

[priority]
# when places are short: first as many year-2 (completing) candidates as possible, then as
# many candidates as possible, then the best total score; false = coverage, then score
year2_first = true
"""

# --------------------------------------------------------------------------------------------
# Sizes


@dataclass(frozen=True)
class SizeSpec:
    """How big a generated program is and how it is laid out.

    ``layout`` says what a region is: ``"metro"`` — local districts of one large district
    (compass-named areas of a city); ``"county"`` — neighbouring cities of one county office's
    service area; ``"state"`` — cities across California. Candidates and sites scatter about
    ``spread_km`` around their region's centre. ``extra_region_probs[m]`` is the chance a coach
    serves ``m`` regions beyond home (among the 4 nearest within ``serve_radius_km``).
    ``full_time_share`` are district-employed coaches with ~22 places; ``working_share`` are
    coaches who also hold a post (principal, director) in a district.

    Calibrations keep every seed realistic rather than leaving it to chance: where
    ``target_pairs`` is set, the regions coaches serve are trimmed or widened until rules 1–9
    admit about that many (coach, candidate) pairs; then retired coaches' places are nudged,
    first until qualified places come to ``capacity_ratio`` times the candidates, then until
    the largest possible roster (a max-flow over eligible pairs, places and monthly hours)
    covers a share of candidates within ``coverage``: most, never all, because some regions
    and roles are short of coaches.
    """

    name: str
    n_candidates: int
    n_coaches: int
    n_regions: int
    layout: str
    spread_km: float
    serve_radius_km: float
    extra_region_probs: tuple[float, float, float, float]
    full_time_share: float
    working_share: float
    districts_per_region: tuple[int, int]
    capacity_ratio: float
    coverage: tuple[float, float] = (0.92, 0.96)
    target_pairs: int | None = None
    region_scale: float = 1.0  # metro layout: local districts this many times further apart


SIZES: dict[str, SizeSpec] = {
    "sample": SizeSpec(
        "sample",
        180,
        25,
        4,
        "metro",
        6.0,
        60.0,
        (0.15, 0.35, 0.30, 0.20),
        0.12,
        0.16,
        (1, 1),
        1.05,
    ),
    "district": SizeSpec(
        "district",
        1000,
        130,
        7,
        "metro",
        7.0,
        60.0,
        (0.15, 0.35, 0.30, 0.20),
        0.10,
        0.15,
        (1, 1),
        1.05,
    ),
    "county": SizeSpec(
        "county",
        3000,
        500,
        12,
        "county",
        9.0,
        90.0,
        (0.30, 0.40, 0.20, 0.10),
        0.03,
        0.15,
        (1, 3),
        1.05,
    ),
    "state": SizeSpec(
        "state",
        10000,
        1800,
        40,
        "state",
        16.0,
        130.0,
        (0.35, 0.40, 0.18, 0.07),
        0.03,
        0.12,
        (1, 3),
        1.08,
        target_pairs=280_000,
    ),
}

# --------------------------------------------------------------------------------------------
# Variants: the same program shape, stressed where schedules and matches get hard

# A calendar as busy as a real district's: holidays, fall and spring breaks, two winter weeks,
# and a coach meeting every month.
_BUSY_CALENDAR = """\
[calendar]
blackout = [
    "2026-09-07", "2026-10-12..2026-10-16", "2026-11-11", "2026-11-23..2026-11-27",
    "2026-12-21..2027-01-08", "2027-01-18", "2027-02-15..2027-02-19", "2027-03-29..2027-04-09",
    "2027-05-25",
]
coach_meetings = [
    "2026-08-19", "2026-09-16", "2026-10-21", "2026-11-18", "2026-12-09",
    "2027-01-13", "2027-02-10", "2027-03-10", "2027-04-14", "2027-05-12",
]
"""


@dataclass(frozen=True)
class Variant:
    """A named twist on a size's program, for tests and benchmarks that need a hard case.

    Every variant keeps the size's layout, calibrations and the contract's default rules (the
    generated program.toml); only the knobs below change. ``default`` draws exactly what the
    generator always drew, so its files stay byte-identical for a size and seed.

    - ``window_change``: minutes added at both ends of every availability window (negative:
      taken away, keeping at least ``_NARROW_MIN`` minutes of each window);
    - ``spring_share`` / ``spring_months``: share of year-1 candidates starting late, and when
      (month, weight);
    - ``calendar``: the program's ``[calendar]`` section (blackouts, coach meetings);
    - ``spread``: sites scatter this many times wider and a metro's local districts lie this
      many times further apart (more travel between sites, on one coach's day too);
    - ``campus_km`` / ``no_coordinates``: candidates of one site scatter ~this many km around
      it (several buildings under one site name), and this share of candidates has no lat/lon
      (allowed by the contract) — site names then no longer tell places apart, the shape of
      issue 12's travel bug;
    - ``school_hours``: school-site candidates free only before (07:00-08:15) or after school
      (14:30/15:00-16:30/17:00) on 2-4 days, retired (part-time) coaches on at most 2 days,
      and every year-2 candidate keeps a common window with last year's coach.
    """

    name: str
    window_change: int = 0
    spring_share: float = 0.05
    spring_months: tuple[tuple[str, float], ...] | None = None  # None: the usual mix
    calendar: str | None = None
    spread: float = 1.0
    campus_km: float = 0.0
    no_coordinates: float = 0.0
    school_hours: bool = False

    def size_spec(self, spec: SizeSpec) -> SizeSpec:
        """The size's spec with this variant's geography."""
        if self.spread == 1.0:
            return spec
        return replace(spec, spread_km=spec.spread_km * self.spread, region_scale=self.spread)

    def program_toml(self) -> str:
        """program.toml: the contract's defaults, with this variant's calendar."""
        if self.calendar is None:
            return PROGRAM_TOML
        head, _, _ = PROGRAM_TOML.partition("[calendar]\n")
        return head + self.calendar


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("default"),
        Variant("wide_windows", window_change=90),
        Variant("narrow_windows", window_change=-60),
        Variant(
            "spring_starts", spring_share=0.35, spring_months=(("2027-01", 0.6), ("2027-02", 0.4))
        ),
        Variant("blackouts", calendar=_BUSY_CALENDAR),
        Variant("travel_heavy", spread=2.5, campus_km=1.5, no_coordinates=0.05),
        Variant("school_hours", school_hours=True),
    )
}
_NARROW_MIN = 75  # a narrowed window still holds the shortest session, with a quarter to spare


# --------------------------------------------------------------------------------------------
# Vocabularies

# Approximate centres of California cities (lat, lon): region anchors. Dense clusters (LA basin,
# Bay Area, Inland Empire) and isolated towns (north coast, desert) make travel limits bite
# unevenly, as they do in real county and state programs.
_CITIES: tuple[tuple[str, float, float], ...] = (
    ("Los Angeles", 34.05, -118.24),
    ("Long Beach", 33.77, -118.19),
    ("Pasadena", 34.15, -118.14),
    ("Glendale", 34.14, -118.25),
    ("Torrance", 33.84, -118.34),
    ("Pomona", 34.06, -117.75),
    ("Santa Clarita", 34.39, -118.54),
    ("Lancaster", 34.70, -118.14),
    ("Palmdale", 34.58, -118.12),
    ("Burbank", 34.18, -118.31),
    ("Whittier", 33.98, -118.03),
    ("Compton", 33.90, -118.22),
    ("Santa Monica", 34.02, -118.49),
    ("El Monte", 34.07, -118.03),
    ("Downey", 33.94, -118.13),
    ("Inglewood", 33.96, -118.35),
    ("Anaheim", 33.84, -117.91),
    ("Santa Ana", 33.75, -117.87),
    ("Irvine", 33.68, -117.83),
    ("Huntington Beach", 33.66, -118.00),
    ("Fullerton", 33.87, -117.92),
    ("Riverside", 33.95, -117.40),
    ("San Bernardino", 34.11, -117.29),
    ("Ontario", 34.06, -117.65),
    ("Fontana", 34.09, -117.44),
    ("Moreno Valley", 33.94, -117.23),
    ("Temecula", 33.49, -117.15),
    ("Palm Springs", 33.83, -116.55),
    ("Indio", 33.72, -116.22),
    ("Victorville", 34.54, -117.29),
    ("Corona", 33.88, -117.57),
    ("San Diego", 32.72, -117.16),
    ("Chula Vista", 32.64, -117.08),
    ("Oceanside", 33.20, -117.38),
    ("Escondido", 33.12, -117.09),
    ("El Cajon", 32.79, -116.96),
    ("El Centro", 32.79, -115.56),
    ("Santa Barbara", 34.42, -119.70),
    ("Ventura", 34.27, -119.23),
    ("Oxnard", 34.20, -119.18),
    ("Thousand Oaks", 34.17, -118.84),
    ("San Luis Obispo", 35.28, -120.66),
    ("Santa Maria", 34.95, -120.44),
    ("Salinas", 36.68, -121.66),
    ("Monterey", 36.60, -121.89),
    ("Santa Cruz", 36.97, -122.03),
    ("Bakersfield", 35.37, -119.02),
    ("Delano", 35.77, -119.25),
    ("Visalia", 36.33, -119.29),
    ("Tulare", 36.21, -119.35),
    ("Hanford", 36.33, -119.65),
    ("Fresno", 36.74, -119.79),
    ("Clovis", 36.83, -119.70),
    ("Madera", 36.96, -120.06),
    ("Merced", 37.30, -120.48),
    ("Modesto", 37.64, -120.99),
    ("Turlock", 37.49, -120.85),
    ("Stockton", 37.96, -121.29),
    ("Lodi", 38.13, -121.27),
    ("Tracy", 37.74, -121.43),
    ("Sacramento", 38.58, -121.49),
    ("Elk Grove", 38.41, -121.37),
    ("Roseville", 38.75, -121.29),
    ("Davis", 38.54, -121.74),
    ("Woodland", 38.68, -121.77),
    ("Yuba City", 39.14, -121.62),
    ("Auburn", 38.90, -121.08),
    ("Placerville", 38.73, -120.80),
    ("San Francisco", 37.77, -122.42),
    ("Oakland", 37.80, -122.27),
    ("San Jose", 37.34, -121.89),
    ("Fremont", 37.55, -121.99),
    ("Hayward", 37.67, -122.08),
    ("Concord", 37.98, -122.03),
    ("Richmond", 37.94, -122.35),
    ("San Mateo", 37.56, -122.32),
    ("Palo Alto", 37.44, -122.14),
    ("Santa Rosa", 38.44, -122.71),
    ("Napa", 38.30, -122.29),
    ("Vallejo", 38.10, -122.26),
    ("Fairfield", 38.25, -122.04),
    ("San Rafael", 37.97, -122.53),
    ("Livermore", 37.68, -121.77),
    ("Gilroy", 37.01, -121.57),
    ("Chico", 39.73, -121.84),
    ("Redding", 40.59, -122.39),
    ("Eureka", 40.80, -124.16),
    ("Ukiah", 39.15, -123.21),
    ("Red Bluff", 40.18, -122.24),
    ("Susanville", 40.42, -120.65),
    ("Yreka", 41.73, -122.63),
    ("Crescent City", 41.76, -124.20),
    ("South Lake Tahoe", 38.94, -119.98),
    ("Truckee", 39.33, -120.18),
    ("Bishop", 37.36, -118.40),
    ("Oroville", 39.51, -121.56),
)
_METRO_CENTRES = (
    "Los Angeles",
    "San Diego",
    "Fresno",
    "Sacramento",
    "San Jose",
    "Oakland",
    "Long Beach",
    "Bakersfield",
    "Riverside",
    "Santa Ana",
    "Stockton",
)
# Local districts of a large district, named by compass direction (bearing in degrees).
_COMPASS: tuple[tuple[str, float], ...] = (
    ("Central", 0.0),
    ("North", 0.0),
    ("East", 90.0),
    ("South", 180.0),
    ("West", 270.0),
    ("Northeast", 45.0),
    ("Northwest", 315.0),
    ("Southeast", 135.0),
    ("Southwest", 225.0),
)

_FIRST_NAMES = (
    "Maria",
    "Jose",
    "Jennifer",
    "Michael",
    "David",
    "Linda",
    "Angela",
    "Carlos",
    "Ana",
    "Daniel",
    "Sarah",
    "Kevin",
    "Laura",
    "Brian",
    "Monica",
    "Luis",
    "Patricia",
    "James",
    "Veronica",
    "Robert",
    "Elena",
    "Thomas",
    "Grace",
    "Anthony",
    "Rosa",
    "Steven",
    "Karen",
    "Miguel",
    "Lisa",
    "Eric",
    "Diana",
    "Marcus",
    "Teresa",
    "Jason",
    "Yolanda",
    "Andrew",
    "Christine",
    "Ricardo",
    "Nicole",
    "Hector",
    "Julie",
    "Samuel",
    "Denise",
    "Victor",
    "Michelle",
    "Raymond",
    "Susan",
    "Armando",
    "Kimberly",
    "Tuan",
    "Mei",
    "Priya",
    "Jamal",
)
_LAST_NAMES = (
    "Garcia",
    "Hernandez",
    "Lopez",
    "Martinez",
    "Smith",
    "Johnson",
    "Nguyen",
    "Tran",
    "Kim",
    "Lee",
    "Chen",
    "Wong",
    "Patel",
    "Singh",
    "Williams",
    "Brown",
    "Davis",
    "Miller",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Ramirez",
    "Flores",
    "Rivera",
    "Gomez",
    "Diaz",
    "Reyes",
    "Cruz",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Castillo",
    "Santos",
    "Dela Cruz",
    "Yamamoto",
    "Khan",
    "Cohen",
    "Murphy",
    "O'Brien",
    "Vasquez",
    "Le",
    "Pham",
    "Okafor",
    "Sandoval",
    "Nakamura",
)
_SCHOOL_NAMES = (
    "Lincoln",
    "Washington",
    "Jefferson",
    "Roosevelt",
    "Cesar Chavez",
    "Sierra Vista",
    "Valley View",
    "Oak Grove",
    "Madison",
    "Franklin",
    "Kennedy",
    "Dolores Huerta",
    "Sequoia",
    "Redwood",
    "Mountain View",
    "Sunnyside",
    "Hillcrest",
    "Lakeside",
    "Westside",
    "Eastside",
    "Harbor",
    "Mission",
    "El Camino",
    "Vista del Mar",
    "Rancho",
    "Las Palmas",
    "Pioneer",
    "Heritage",
    "Monterey",
    "Cabrillo",
    "Juan Crespi",
    "Sutter",
    "Fremont",
    "Hoover",
    "Marshall",
    "Muir",
    "Edison",
    "Garfield",
    "Grant",
    "Jackson",
    "McKinley",
    "Bethune",
    "Carver",
    "Sally Ride",
    "Earhart",
    "Ochoa",
    "Villaraigosa",
    "Maya Angelou",
    "Thurgood Marshall",
    "Rosa Parks",
    "Golden Valley",
    "Canyon",
    "Foothill",
    "Bayview",
    "Palm Crest",
    "Orchard",
    "Meadow",
    "Riverside",
    "Parkview",
    "Crestwood",
    "Willow",
    "Cypress",
    "Magnolia",
    "Jacaranda",
    "Manzanita",
    "Del Rey",
    "Santa Rita",
    "San Marcos",
)
_LEVEL_SCHOOL = {
    "elementary": "Elementary School",
    "middle": "Middle School",
    "high": "High School",
}
_SCHOOL_LEVELS = ("elementary", "middle", "high")
_LEVEL_SHARES = (0.52, 0.22, 0.26)
# High schools have more assistant principals than elementary schools.
_AP_LEVEL_WEIGHT = {"elementary": 1.0, "middle": 1.8, "high": 2.8}

_ROLES = ("assistant_principal", "specialist", "principal", "coordinator", "director", "other")
_ROLE_SHARES = (0.54, 0.234, 0.12, 0.08, 0.018, 0.008)
_ROLE_INDEX = {role: i for i, role in enumerate(_ROLES)}
# Share of each role working at a school site (the rest work in a district office).
_ROLE_AT_SCHOOL = (1.0, 0.05, 1.0, 0.05, 0.0, 0.5)

# Languages beyond English (always spoken): share of coaches, share of candidates.
_LANGUAGES = (
    ("Spanish", 0.38, 0.45),
    ("Vietnamese", 0.04, 0.04),
    ("Tagalog", 0.04, 0.04),
    ("Mandarin", 0.03, 0.03),
    ("Cantonese", 0.02, 0.02),
    ("Korean", 0.02, 0.02),
    ("Armenian", 0.01, 0.015),
    ("Hmong", 0.01, 0.015),
    ("Punjabi", 0.01, 0.015),
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
_DAY_START, _DAY_END = 7 * 60, 18 * 60
_SLOT = 15  # minutes; every generated time is on this grid
_SESSION_SLOTS = 60 // _SLOT  # shortest session (60 min) in slots
_FULL_DAY_BITS = (1 << ((_DAY_END - _DAY_START) // _SLOT)) - 1

_CA_LAT, _CA_LON = (32.5, 42.0), (-124.4, -114.1)
_KM_PER_DEG = 111.2

# Spring starts: month and its weight, all of them program months.
_START_MONTHS = (("2027-01", 0.6), ("2027-02", 0.3), ("2026-10", 0.1))


@dataclass(frozen=True)
class GeneratedProgram:
    """A generated program, ready to write as a program folder.

    Frames hold typed values: lists as Python lists (``cpsel_*`` as ints), ``cnet_current``
    as a nullable boolean, missing values as ``None``/``<NA>``. :func:`write_program` turns
    them into contract cells.
    """

    coaches: pd.DataFrame
    candidates: pd.DataFrame
    org: pd.DataFrame
    program_toml: str


# --------------------------------------------------------------------------------------------
# Small helpers


def _jitter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered ~``km`` around centres, kept inside California's bounding box."""
    n = len(lat)
    dy = rng.normal(0.0, km, n) / _KM_PER_DEG
    dx = rng.normal(0.0, km, n) / (_KM_PER_DEG * np.cos(np.radians(lat)))
    return (np.clip(lat + dy, *_CA_LAT).round(5), np.clip(lon + dx, *_CA_LON).round(5))


def _quota(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> np.ndarray:
    """Category indices in shuffled order, each category at its share of ``n`` (rounded).

    Quotas rather than independent draws keep small programs (180 candidates) at the
    published role mix instead of wherever chance puts them.
    """
    counts = np.floor(np.array(shares) / sum(shares) * n).astype(int)
    rest = n - counts.sum()
    if rest:
        frac = np.array(shares) / sum(shares) * n - counts
        counts[np.argsort(-frac, kind="stable")[:rest]] += 1
    values = np.repeat(np.arange(len(shares)), counts)
    rng.shuffle(values)
    return values


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """Distinct fake names: first and last name combined, a middle initial once those run out.

    Two people of one name in a small program would make a roster confusing to read.
    """
    n_first, n_last = len(_FIRST_NAMES), len(_LAST_NAMES)
    base = n_first * n_last
    plain = rng.choice(base, size=min(n, base), replace=False).tolist()
    extra = rng.choice(base * 26, size=max(0, n - base), replace=False).tolist()
    names = [f"{_FIRST_NAMES[i // n_last]} {_LAST_NAMES[i % n_last]}" for i in plain]
    names += [
        f"{_FIRST_NAMES[i % base // n_last]} {chr(65 + i // base)}. {_LAST_NAMES[i % n_last]}"
        for i in extra
    ]
    return [names[i] for i in rng.permutation(n).tolist()]


def _standards(rng: np.random.Generator, n: int) -> list[list[int]]:
    """1–3 distinct CPSEL standards (1..6) each, sorted: an induction plan's focus or a coach's
    strengths (plans name a few standards, never all six)."""
    order = np.argsort(rng.random((n, 6)), axis=1) + 1
    counts = rng.choice(np.array([1, 2, 3]), size=n, p=[0.3, 0.45, 0.25])
    return [sorted(row[:m].tolist()) for row, m in zip(order, counts, strict=True)]


def _languages(rng: np.random.Generator, n: int, column: int) -> list[list[str]]:
    """English for everyone plus other languages at their California shares."""
    draws = rng.random((n, len(_LANGUAGES)))
    shares = np.array([lang[column] for lang in _LANGUAGES])
    spoken = draws < shares
    return [["English", *(_LANGUAGES[j][0] for j in np.flatnonzero(row))] for row in spoken]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Windows = list[tuple[int, int, int]]  # (weekday 0..4, start minute, end minute)


def _windows_text(windows: Windows) -> str:
    return ";".join(f"{_DAYS[d]} {_clock(s)}-{_clock(e)}" for d, s, e in sorted(windows))


def _run_masks(windows: Windows) -> list[int]:
    """Per weekday, bit ``s`` set when slots ``s..s+3`` (one hour from slot ``s``) are free.

    Two people can meet for the shortest session on a day exactly when their run masks share a
    bit, provided one person's windows on a day never touch (the generator leaves gaps), which
    is how rule 9 is checked for every pair at once.
    """
    free = [0] * 5
    for d, s, e in windows:
        a, b = (max(s, _DAY_START) - _DAY_START) // _SLOT, (min(e, _DAY_END) - _DAY_START) // _SLOT
        if b > a:
            free[d] |= ((1 << (b - a)) - 1) << a
    runs = []
    for mask in free:
        run = mask
        for shift in range(1, _SESSION_SLOTS):
            run &= mask >> shift
        runs.append(run)
    return runs


# --------------------------------------------------------------------------------------------
# Availability patterns
#
# Each person gets one row of pre-drawn uniforms and the patterns below are plain Python over
# it: per-call numpy sampling would cost most of the state size's time budget.

_UNIFORMS_PER_PERSON = 40


class _Draws:
    """A person's pre-drawn uniforms, handed out in order."""

    def __init__(self, values: list[float]) -> None:
        self._values = values
        self._next = 0

    def u(self) -> float:
        value = self._values[self._next]
        self._next += 1
        return value

    def pick(self, options: tuple[int, ...], weights: tuple[float, ...] | None = None) -> int:
        """One of ``options``, uniformly or by ``weights``."""
        u = self.u()
        if weights is None:
            return options[min(int(u * len(options)), len(options) - 1)]
        total = sum(weights)
        acc = 0.0
        for option, weight in zip(options, weights, strict=True):
            acc += weight / total
            if u < acc:
                return option
        return options[-1]

    def days(self, count_weights: tuple[float, ...]) -> list[int]:
        """Distinct weekdays (sorted), how many drawn by ``count_weights`` (1, 2, ...)."""
        n = self.pick(tuple(range(1, len(count_weights) + 1)), count_weights)
        keys = [self.u() for _ in range(5)]
        return sorted(sorted(range(5), key=keys.__getitem__)[:n])


def _coach_windows(draws: _Draws, kind: str) -> Windows:
    """A coach's week: retired coaches free in daytime blocks, working ones around school."""
    if kind == "full_time":
        if draws.u() < 0.4:
            return []
        start = draws.pick((450, 480))
        return [(d, start, start + 510) for d in range(5) if draws.u() < 0.9]
    if kind == "working":  # before and after their own school day
        out: Windows = []
        for d in draws.days((0.0, 0.35, 0.45, 0.2)):
            r = draws.u()
            if r < 0.35 or r >= 0.75:
                out.append((d, 420, draws.pick((480, 495, 510))))
            if r >= 0.35:
                out.append((d, draws.pick((900, 930, 960)), draws.pick((1020, 1050, 1080))))
        return out
    if draws.u() < 0.10:
        return []
    out = []
    for d in draws.days((0.08, 0.3, 0.32, 0.2, 0.1)):
        start = draws.pick(
            (420, 450, 480, 510, 540, 600, 720, 780), (0.14, 0.14, 0.22, 0.1, 0.12, 0.1, 0.1, 0.08)
        )
        length = draws.pick((180, 240, 300, 360, 480, 600))
        out.append((d, start, min(start + length, _DAY_END)))
    return out


def _candidate_windows(draws: _Draws, at_school: bool) -> Windows:
    """A candidate's week: site staff before/after school, district staff wider blocks."""
    if draws.u() < (0.08 if at_school else 0.12):
        return []
    out: Windows = []
    if at_school:
        for d in draws.days((0.15, 0.45, 0.3, 0.1)):
            r = draws.u()
            before = (d, 420, draws.pick((480, 495, 510)))
            after = (d, draws.pick((870, 900, 930)), draws.pick((990, 1020, 1050)))
            if r < 0.32:
                out.append(before)
            elif r < 0.74:
                out.append(after)
            elif r < 0.86:
                out += [before, after]
            else:  # a planning period
                start = draws.pick((600, 660, 780))
                out.append((d, start, start + draws.pick((90, 120))))
        return out
    for d in draws.days((0.05, 0.35, 0.4, 0.2)):
        start = draws.pick((480, 510, 540, 600, 780))
        out.append((d, start, min(start + draws.pick((180, 240, 300, 360)), 1020)))
    return out


def _resized(windows: Windows, change: int) -> Windows:
    """Every window ``change`` minutes wider at both ends (inside the day), or narrower down to
    ``_NARROW_MIN`` minutes; windows that then touch on one day are merged (run masks need
    gaps). An empty list (free all day) stays empty."""
    out: Windows = []
    for d, s, e in sorted(windows):
        a, b = max(_DAY_START, s - change), min(_DAY_END, e + change)
        if b - a < _NARROW_MIN:
            a, b = s, min(e, s + _NARROW_MIN)
        if out and out[-1][0] == d and a <= out[-1][2]:
            out[-1] = (d, out[-1][1], max(out[-1][2], b))
        else:
            out.append((d, a, b))
    return out


def _school_hours_candidate(draws: _Draws, at_school: bool) -> Windows:
    """School-site staff free only around the school day, on 2-4 days; others as usual."""
    if not at_school:
        return _candidate_windows(draws, False)
    out: Windows = []
    for d in draws.days((0.0, 0.4, 0.4, 0.2)):
        r = draws.u()
        if r < 0.3 or r >= 0.8:
            out.append((d, 420, 495))  # 07:00-08:15
        if r >= 0.3:
            out.append((d, draws.pick((870, 900)), draws.pick((990, 1020))))
    return out


def _part_time(windows: Windows) -> Windows:
    """A part-time coach: the windows of its first two days only."""
    days = sorted({d for d, _, _ in windows})[:2]
    return [w for w in windows if w[0] in days]


def _with_common_window(cand: Windows, coach: Windows) -> Windows:
    """The candidate's windows, plus one shared with ``coach`` if they have none of an hour:
    after school if the coach is free then, else before school, else a planning hour."""
    if not cand or not coach:  # free all day: every window is common
        return cand
    if any(a & b for a, b in zip(_run_masks(cand), _run_masks(coach), strict=True)):
        return cand
    for d, s, e in sorted(coach):
        for lo, hi in ((870, 1020), (420, 495), (s, s + 90)):
            a, b = max(s, lo), min(e, hi)
            if b - a >= _SESSION_SLOTS * _SLOT:
                return _resized([*cand, (d, a, b)], 0)
    return cand


def _week_masks(windows: list[Windows]) -> np.ndarray:
    """``(n, 5)`` run masks; a person without windows is free all day (the contract's rule)."""
    full = [_FULL_DAY_BITS] * 5
    return np.array([_run_masks(w) if w else full for w in windows], dtype=np.uint64)


# --------------------------------------------------------------------------------------------
# Regions, districts, reporting lines


@dataclass
class _Regions:
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    city: list[str]  # the city a region is named after (for district names)


def _make_regions(spec: SizeSpec, rng: np.random.Generator) -> _Regions:
    """Region centres as geographic clusters: city areas, a county's cities, or the state's."""
    names = [c[0] for c in _CITIES]
    lat = np.array([c[1] for c in _CITIES])
    lon = np.array([c[2] for c in _CITIES])
    if spec.layout == "metro":
        centre = _METRO_CENTRES[int(rng.integers(len(_METRO_CENTRES)))]
        i = names.index(centre)
        areas = _COMPASS[: spec.n_regions]
        dist = np.concatenate([[0.0], rng.uniform(12.0, 30.0, spec.n_regions - 1)])
        dist *= spec.region_scale
        bearing = np.radians([b for _, b in areas])
        rlat = lat[i] + dist * np.cos(bearing) / _KM_PER_DEG
        rlon = lon[i] + dist * np.sin(bearing) / (_KM_PER_DEG * math.cos(math.radians(lat[i])))
        return _Regions(
            [f"{centre} {a}" for a, _ in areas],
            rlat.round(4),
            rlon.round(4),
            [centre] * spec.n_regions,
        )
    if spec.layout == "county":
        d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        kth = np.sort(d, axis=1)[:, spec.n_regions - 1]
        seeds = np.flatnonzero(kth <= 90.0)
        seed = int(seeds[rng.integers(len(seeds))])
        chosen = np.argsort(d[seed], kind="stable")[: spec.n_regions]
    else:
        chosen = np.sort(rng.choice(len(names), size=spec.n_regions, replace=False))
    return _Regions(
        [names[j] for j in chosen], lat[chosen], lon[chosen], [names[j] for j in chosen]
    )


@dataclass
class _Org:
    """Reporting lines under construction: ``parent[person] = supervisor``."""

    parent: dict[str, str]
    counter: int = 0

    def person(self, supervisor: str | None) -> str:
        """A new person id, reporting to ``supervisor`` when given."""
        self.counter += 1
        pid = f"P{self.counter:06d}"
        if supervisor is not None:
            self.parent[pid] = supervisor
        return pid

    def above(self, pid: str) -> list[str]:
        chain = []
        while pid in self.parent:
            pid = self.parent[pid]
            chain.append(pid)
        return chain


@dataclass
class _People:
    """Where candidates work and whom they report to; the posts some coaches hold."""

    k_person: list[str]
    k_super: list[str]
    k_site: list[str]
    k_level: list[str]
    k_lat: np.ndarray
    k_lon: np.ndarray
    c_person: list[str]
    c_district: list[str | None]
    org: _Org


def _school_name(rng: np.random.Generator, level: str, region: str, used: set[str]) -> str:
    """A school name not used before: a namesake and the level, with the region if needed."""
    base = f"{_SCHOOL_NAMES[int(rng.integers(len(_SCHOOL_NAMES)))]} {_LEVEL_SCHOOL[level]}"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base} ({region})" if n == 2 else f"{base} No. {n - 1}"
    used.add(name)
    return name


def _build_org(spec: SizeSpec, rng: np.random.Generator, pop: _Population) -> _People:
    """Schools, offices and reporting lines, district by district.

    Each district has a superintendent, assistant superintendents (for a metro program, one
    local district superintendent per region), directors over schools and offices, and a
    principal per school. Principal candidates run a school of their own; director candidates
    hold a director post. Working coaches take principal, director or assistant superintendent
    posts in their home region, which puts them above some candidates — sometimes directly.
    Every line points from a later level to an earlier one, so the graph has no cycles.
    """
    n_k, n_c = len(pop.k_region), len(pop.kind)
    org = _Org(parent={})
    people = _People(
        [""] * n_k,
        [""] * n_k,
        [""] * n_k,
        [""] * n_k,
        np.zeros(n_k),
        np.zeros(n_k),
        [""] * n_c,
        [None] * n_c,
        org,
    )
    used_names: set[str] = set()
    work_by_unit = _working_coaches_by_unit(rng, pop)
    for d, dname in enumerate(pop.district_names):
        superintendent = org.person(None)
        for r in [r for r in range(spec.n_regions) if d in pop.region_districts[r]]:
            unit = _open_unit(spec, rng, pop, people, (d, r), superintendent, used_names)
            for c in work_by_unit.get((d, r), []):
                people.c_district[c] = dname
                _post_working_coach(rng, unit, people, c)
            for s in range(len(unit.levels)):
                if not unit.principal[s]:
                    unit.principal[s] = org.person(unit.school_dir[s])
            _place_site_staff(rng, pop, unit, people)
            office = (
                f"{pop.regions.names[r]} Local District Office"
                if spec.layout == "metro"
                else f"{dname} Office"
            )
            _place_office_staff(spec, rng, pop, unit, people, office)
    return people


def _working_coaches_by_unit(
    rng: np.random.Generator, pop: _Population
) -> dict[tuple[int, int], list[int]]:
    """Working coaches by (district, region) of their post: a district of their home region.

    Drawn before any unit is built, so a coach's district does not depend on the order units
    are built in.
    """
    work_by_unit: dict[tuple[int, int], list[int]] = {}
    for c in np.flatnonzero(pop.kind == "working").tolist():
        units = pop.region_districts[int(pop.c_region[c])]
        d = units[int(rng.integers(len(units)))]
        work_by_unit.setdefault((d, int(pop.c_region[c])), []).append(c)
    return work_by_unit


@dataclass
class _Unit:
    """One district's part of one region while it is built: its candidates, schools,
    directors and principals."""

    region: int
    superintendent: str
    assts: list[str]  # assistant superintendents
    office_k: list[int]  # candidates in the district office
    heads: list[int]  # principal candidates, one school each (schools 0..len(heads)-1)
    staff: list[int]  # other candidates at school sites
    levels: list[str]  # per school
    s_lat: np.ndarray
    s_lon: np.ndarray
    names: list[str]
    school_dirs: list[str]  # directors over schools
    office_dirs: list[str]  # directors over the office
    school_dir: list[str]  # per school: its director
    principal: list[str]  # per school: its principal ("" until filled)
    free: list[int]  # schools whose principal post is still open to a working coach

    def asst(self, rng: np.random.Generator) -> str:
        """An assistant superintendent at random, to report to."""
        return self.assts[int(rng.integers(len(self.assts)))]


def _open_unit(
    spec: SizeSpec,
    rng: np.random.Generator,
    pop: _Population,
    people: _People,
    at: tuple[int, int],
    superintendent: str,
    used_names: set[str],
) -> _Unit:
    """A unit's assistant superintendents, schools and directors, with principal candidates
    seated (principal posts go to them first, one school each).

    Enough schools for every principal candidate and ~1.7 site candidates a school, so most
    schools have one or two candidates, as in real programs.
    """
    d, r = at
    org = people.org
    members = np.flatnonzero((pop.k_district == d) & (pop.k_region == r))
    n_asst = _assistant_count(spec, len(members))
    assts = [org.person(superintendent) for _ in range(n_asst)]
    principal_role = _ROLE_INDEX["principal"]
    site_k = [int(k) for k in members if pop.k_school[k]]
    office_k = [int(k) for k in members if not pop.k_school[k]]
    heads = [k for k in site_k if pop.k_role[k] == principal_role]
    staff = [k for k in site_k if pop.k_role[k] != principal_role]
    n_schools = max(len(heads), math.ceil(len(site_k) / 1.7), 1)
    levels = [_SCHOOL_LEVELS[i] for i in rng.choice(3, size=n_schools, p=_LEVEL_SHARES)]
    s_lat, s_lon = _jitter(
        rng,
        np.full(n_schools, pop.regions.lat[r]),
        np.full(n_schools, pop.regions.lon[r]),
        spec.spread_km,
    )
    names = [_school_name(rng, lv, pop.regions.names[r], used_names) for lv in levels]
    n_dirs = max(1, math.ceil(n_schools / 8))
    school_dirs = [org.person(assts[int(rng.integers(n_asst))]) for _ in range(n_dirs)]
    office_dirs = [
        org.person(assts[int(rng.integers(n_asst))])
        for _ in range(max(1, math.ceil(len(office_k) / 10)))
    ]
    school_dir = [school_dirs[i] for i in rng.integers(0, n_dirs, n_schools)]
    principal = [""] * n_schools
    for s, k in enumerate(heads):
        principal[s] = org.person(school_dir[s])
        people.k_person[k], people.k_super[k] = principal[s], school_dir[s]
    return _Unit(
        r,
        superintendent,
        assts,
        office_k,
        heads,
        staff,
        levels,
        s_lat,
        s_lon,
        names,
        school_dirs,
        office_dirs,
        school_dir,
        principal,
        list(range(len(heads), n_schools)),
    )


def _assistant_count(spec: SizeSpec, n_members: int) -> int:
    """Assistant superintendents of a unit: one local district superintendent per region of a
    metro program; elsewhere one, plus one each for a unit past 40 and past 150 candidates."""
    if spec.layout == "metro":
        return 1
    return 1 + int(n_members > 40) + int(n_members > 150)


def _post_working_coach(rng: np.random.Generator, unit: _Unit, people: _People, c: int) -> None:
    """A working coach's post: principal of a school without one, director, or assistant
    superintendent — each puts it above some of the unit's candidates."""
    org = people.org
    post = rng.random()
    if post < 0.6 and unit.free:  # principal: directly above the school's staff
        s = unit.free.pop(int(rng.integers(len(unit.free))))
        unit.principal[s] = people.c_person[c] = org.person(unit.school_dir[s])
    elif post < 0.9:  # director: above the principals of some schools
        pid = people.c_person[c] = org.person(unit.asst(rng))
        if rng.random() < 0.5:
            _take_over_schools(rng, unit, people, pid)
        else:
            unit.office_dirs.append(pid)
    else:  # assistant superintendent: above a whole unit's directors
        pid = people.c_person[c] = org.person(unit.superintendent)
        unit.assts.append(pid)


def _take_over_schools(rng: np.random.Generator, unit: _Unit, people: _People, pid: str) -> None:
    """A new school director takes a random share of the schools; their principals (and the
    principal candidates' supervisor cells) now report to it."""
    n_schools = len(unit.levels)
    take = np.flatnonzero(rng.random(n_schools) < 1.0 / (len(unit.school_dirs) + 1))
    unit.school_dirs.append(pid)
    for s in take.tolist():
        unit.school_dir[s] = pid
        if unit.principal[s]:
            people.org.parent[unit.principal[s]] = pid
    for k in unit.heads:
        people.k_super[k] = people.org.parent[people.k_person[k]]


def _place_site_staff(
    rng: np.random.Generator, pop: _Population, unit: _Unit, people: _People
) -> None:
    """Site candidates' schools and supervisors (their principal); assistant principals
    cluster in the larger high schools, as they do in real districts."""
    weights = np.array([_AP_LEVEL_WEIGHT[lv] for lv in unit.levels])
    where = rng.choice(len(unit.levels), size=len(unit.staff), p=weights / weights.sum())
    placed = [
        *zip(unit.heads, range(len(unit.heads)), strict=True),
        *zip(unit.staff, where.tolist(), strict=True),
    ]
    principal_role = _ROLE_INDEX["principal"]
    for k, s in placed:
        if pop.k_role[k] != principal_role:
            people.k_person[k], people.k_super[k] = people.org.person(None), unit.principal[s]
        people.k_site[k], people.k_level[k] = unit.names[s], unit.levels[s]
        people.k_lat[k], people.k_lon[k] = unit.s_lat[s], unit.s_lon[s]


def _place_office_staff(
    spec: SizeSpec,
    rng: np.random.Generator,
    pop: _Population,
    unit: _Unit,
    people: _People,
    office: str,
) -> None:
    """District office candidates: director candidates hold a director post of their own,
    the others report to an office director."""
    r = unit.region
    o_lat, o_lon = _jitter(
        rng, np.array([pop.regions.lat[r]]), np.array([pop.regions.lon[r]]), spec.spread_km / 3
    )
    director_role = _ROLE_INDEX["director"]
    for k in unit.office_k:
        if pop.k_role[k] == director_role:
            boss = unit.asst(rng)
            people.k_person[k] = people.org.person(boss)
            unit.office_dirs.append(people.k_person[k])
        else:
            boss = unit.office_dirs[int(rng.integers(len(unit.office_dirs)))]
            people.k_person[k] = people.org.person(None)
        people.k_super[k] = boss
        people.k_site[k], people.k_level[k] = office, "district"
        people.k_lat[k], people.k_lon[k] = o_lat[0], o_lon[0]


# --------------------------------------------------------------------------------------------
# Coaches


_NEED_HOURS = _DEFAULT_RULES.coaching.monthly_need_hours  # max(3, 40 h / 10 months) = 4 h
_MAX_KM = _DEFAULT_RULES.eligibility.max_travel_km


@dataclass
class _CoachProfiles:
    """Coach attributes; monthly hours follow ``capacity`` as the calibration changes it."""

    cert: np.ndarray
    cnet: np.ndarray
    cnet_missing: np.ndarray
    admin_years: list[int | None]
    capacity: np.ndarray
    hours_kind: np.ndarray  # 0: no limit given, 1: room to spare, 2: fewer hours than places
    slack: np.ndarray  # hours beyond the places' need (kind 1)
    short: np.ndarray  # hours below the places' need (kind 2)
    cost: np.ndarray
    levels: list[list[str]]
    roles: list[list[str]]
    role_mat: np.ndarray  # (coaches, roles) bool, columns in _ROLES order

    def max_hours(self) -> list[float | None]:
        """``max_hours_per_month`` cells: empty, generous, or binding below the places."""
        need = _NEED_HOURS
        return [
            None if hk == 0 else (need * cap + sl if hk == 1 else max(need, need * cap - sh))
            for hk, cap, sl, sh in zip(
                self.hours_kind.tolist(),
                self.capacity.tolist(),
                self.slack.tolist(),
                self.short.tolist(),
                strict=True,
            )
        ]

    def places(self) -> np.ndarray:
        """Candidates each coach can take: capacity, or fewer where monthly hours bind (the
        last program month, when every assigned candidate is coached, is the binding one)."""
        hours = np.array([np.inf if h is None else h for h in self.max_hours()])
        return np.minimum(self.capacity, np.floor(hours / _NEED_HOURS + 1e-9)).astype(int)


def _coach_profiles(spec: SizeSpec, rng: np.random.Generator, kind: np.ndarray) -> _CoachProfiles:
    """Certification, experience, places, hours, cost, levels and roles of every coach."""
    n_c = len(kind)
    full = kind == "full_time"
    cert, cnet, cnet_missing = _certification(rng, full)
    admin_years = _admin_years(rng, cert, kind == "retired")
    capacity, on_leave = _places(rng, kind)
    # Monthly hours: most coaches leave it empty or give room; some give fewer hours than their
    # places need, which then binds.
    hours_kind = rng.choice(3, size=n_c, p=[0.6, 0.25, 0.15])
    hours_kind[on_leave] = 0
    slack = rng.integers(1, 9, n_c).astype(float)
    short = rng.integers(3, 10, n_c).astype(float)
    lost = np.where(hours_kind == 2, np.ceil(short / _NEED_HOURS), 0).astype(int)
    qualified = np.isin(cert, ["certified", "in_progress"]) & cnet
    _calibrate_places(
        spec, rng, capacity, lost, qualified & (kind == "retired") & ~on_leave, qualified
    )
    # Yearly cost per candidate: stipends of part-time coaches; a full-time coach's salary
    # spread over ~22 candidates (the district report's ~$12,000 per two-year participant).
    cost = np.where(full, rng.integers(22, 27, n_c), rng.integers(8, 15, n_c)) * 250.0
    levels, role_mat = _levels_and_roles(rng, full)
    roles = [[_ROLES[i] for i in np.flatnonzero(row)] for row in role_mat]
    return _CoachProfiles(
        cert,
        cnet,
        cnet_missing,
        admin_years,
        capacity,
        hours_kind,
        slack,
        short,
        cost,
        levels,
        roles,
        role_mat,
    )


def _certification(
    rng: np.random.Generator, full: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Certification status, CNET attendance, and which CNET cells are left empty.

    Certification by quota among coaches who are not program staff, so even the 25 coaches of
    the sample include one in certification and one whose certification lapsed.
    """
    n_c = len(full)
    cert = np.full(n_c, "certified", dtype=object)
    statuses = np.array(["certified", "in_progress", "expired", "none"], dtype=object)
    cert[~full] = statuses[_quota(rng, int((~full).sum()), (0.84, 0.09, 0.04, 0.03))]
    cert = cert.astype(str)
    cnet_p = np.select([cert == "certified", cert == "in_progress"], [0.93, 0.85], 0.4)
    cnet = (rng.random(n_c) < cnet_p) | full  # program staff attend the network meetings
    cnet_missing = (~cnet) & (rng.random(n_c) < 0.3)  # an empty cell reads as false
    return cert, cnet, cnet_missing


def _admin_years(
    rng: np.random.Generator, cert: np.ndarray, retired: np.ndarray
) -> list[int | None]:
    """Years as an administrator: ACSA certification asks for four, coaches in certification
    may have three, retired administrators have long careers; a few leave the cell empty."""
    n_c = len(cert)
    years = np.where(cert == "in_progress", rng.integers(3, 12, n_c), rng.integers(4, 31, n_c))
    years = np.where(retired, np.maximum(years, rng.integers(12, 31, n_c)), years)
    return [None if gone else int(y) for y, gone in zip(years, rng.random(n_c) < 0.03, strict=True)]


def _places(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Places by kind of coach (full-time ~20, working 3–5, retired 3–12), and the ~1 % on
    leave this year, who have none."""
    n_c = len(kind)
    capacity = np.select(
        [kind == "full_time", kind == "working"],
        [rng.integers(20, 23, n_c), rng.integers(3, 6, n_c)],
        rng.choice(
            np.arange(3, 13), size=n_c, p=[0.06, 0.1, 0.14, 0.16, 0.15, 0.13, 0.1, 0.07, 0.05, 0.04]
        ),
    )
    on_leave = rng.random(n_c) < 0.01
    capacity[on_leave] = 0
    return capacity, on_leave


def _calibrate_places(
    spec: SizeSpec,
    rng: np.random.Generator,
    capacity: np.ndarray,
    lost: np.ndarray,
    adjustable_mask: np.ndarray,
    qualified: np.ndarray,
) -> None:
    """Coarse calibration (in place): retired coaches who qualify take a place more or less
    (within 3..12) until qualified places, net of binding hours, come to capacity_ratio ×
    candidates — the size's promised tightness, before the finer coverage calibration."""
    target = math.ceil(spec.capacity_ratio * spec.n_candidates)
    adjustable = rng.permutation(np.flatnonzero(adjustable_mask)).tolist()
    total = int(np.maximum(capacity - lost, 0)[qualified].sum())
    step = 1 if total < target else -1
    changed = True
    while changed and (total - target) * step < 0:
        changed = False
        for c in adjustable:
            if 3 <= capacity[c] + step <= 12:
                before = max(int(capacity[c] - lost[c]), 0)
                capacity[c] += step
                total += max(int(capacity[c] - lost[c]), 0) - before
                changed = True
                if (total - target) * step >= 0:
                    break


def _levels_and_roles(
    rng: np.random.Generator, full: np.ndarray
) -> tuple[list[list[str]], np.ndarray]:
    """School levels and roles each coach takes, following the coach's own career.

    District-office people coach specialists and coordinators; most coaches take assistant
    principals and principals; program staff coach whoever the program admits.
    """
    n_c = len(full)
    n_levels = rng.choice(np.array([1, 2, 3]), size=n_c, p=[0.45, 0.4, 0.15])
    level_keys = rng.random((n_c, 3)) ** (1.0 / np.array(_LEVEL_SHARES))  # weighted sampling
    has_district = rng.random(n_c) < 0.3
    role_draw = rng.random((n_c, len(_ROLES)))
    levels: list[list[str]] = []
    role_mat = np.zeros((n_c, len(_ROLES)), dtype=bool)
    for c in range(n_c):
        top = sorted(np.argsort(-level_keys[c], kind="stable")[: n_levels[c]].tolist())
        levels.append([_SCHOOL_LEVELS[i] for i in top] + (["district"] if has_district[c] else []))
        dist = 0.3 * has_district[c]
        p = np.array([0.9, 0.12 + dist, 0.8, 0.12 + dist, 0.08 + 1.5 * dist, 0.08])
        take = role_draw[c] < p
        if full[c]:
            take[:5] = True
        if not take.any():
            take[0] = True
        role_mat[c] = take
    return levels, role_mat


def _max_coverage(
    n_c: int, n_k: int, pair_c: np.ndarray, pair_k: np.ndarray, places: np.ndarray
) -> int:
    """Most candidates any roster can place (:func:`solvers.coverage.max_coverage`)."""
    return max_coverage(n_c, n_k, pair_c, pair_k, places)


def _calibrate_coverage(
    spec: SizeSpec,
    rng: np.random.Generator,
    prof: _CoachProfiles,
    adjustable: np.ndarray,
    c_region: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
) -> None:
    """Nudge places of retired coaches (within 3..12) until the best coverage is in the band.

    Places are taken away region by region, in a random order of regions, so that shortages
    gather in some regions while others keep places to spare, as in real programs; they are
    added at random. A removed place that was spare changes nothing, so each round moves as
    many places as the coverage is off by, and the flow is solved again.
    """
    lo, hi = spec.coverage
    n_c, n_k = len(prof.capacity), spec.n_candidates
    region_rank = rng.permutation(spec.n_regions)
    ties = rng.random(len(adjustable))
    by_region = adjustable[np.lexsort((ties, region_rank[c_region[adjustable]]))].tolist()
    for _ in range(40):
        covered = _max_coverage(n_c, n_k, pairs[0], pairs[1], prof.places())
        if lo * n_k <= covered <= hi * n_k:
            return
        missing = round((lo + hi) / 2 * n_k) - covered
        step = 1 if missing > 0 else -1
        order = rng.permutation(adjustable).tolist() if step > 0 else by_region
        changed = 0
        for c in order:
            if changed >= abs(missing):
                break
            if 3 <= prof.capacity[c] + step <= 12:
                prof.capacity[c] += step
                changed += 1
        if not changed:
            return


# --------------------------------------------------------------------------------------------
# The generator


def generate_program(size: str, seed: int, variant: str = "default") -> GeneratedProgram:
    """A whole synthetic program of the given size and :class:`Variant`; the same size, seed
    and variant give the same data.

    The steps below draw from one random generator in a fixed order, so their order is part
    of the output: moving a step (or a draw within one) changes every program after it.
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: expected one of {', '.join(VARIANTS)}")
    twist = VARIANTS[variant]
    spec = twist.size_spec(SIZES[size])
    rng = np.random.default_rng(seed)
    pop = _populate(spec, rng)
    people = _build_org(spec, rng, pop)
    prof = _coach_profiles(spec, rng, pop.kind)
    regions = pop.regions
    c_lat, c_lon = _jitter(
        rng, regions.lat[pop.c_region], regions.lon[pop.c_region], spec.spread_km * 1.3
    )
    c_windows, k_windows = _draw_windows(rng, twist, pop.kind, pop.k_school)
    elig = _eligibility(spec, pop, people, prof, (c_lat, c_lon), c_windows, k_windows)
    serves = _regions_served(spec, rng, pop.c_region, elig)
    adjustable = np.flatnonzero((pop.kind == "retired") & (prof.capacity > 0) & elig.cert_y1)
    _calibrate_coverage(
        spec, rng, prof, adjustable, pop.c_region, _served_pairs(elig.blocks, serves)
    )
    coach_ids = [f"C{c + 1:04d}" for c in range(spec.n_coaches)]
    cont = _continuity(rng, pop, prof, elig.blocks, serves, coach_ids)
    if twist.school_hours:
        _meet_last_year_coach(pop.k_year, cont.current, coach_ids, c_windows, k_windows)
    start_month = _start_months(rng, twist, pop.k_year)
    _name_coach_districts(rng, pop, people.c_district)

    people_names = _names(rng, spec.n_coaches + spec.n_candidates)
    c_lang = _languages(rng, spec.n_coaches, 1)
    k_lang = _candidate_languages(rng, spec.n_candidates)
    c_served = [
        [regions.names[r] for r in elig.near[int(pop.c_region[c])] if serves[c, r]]
        for c in range(spec.n_coaches)
    ]
    coaches = _coach_frame(
        rng,
        pop,
        people,
        prof,
        _CoachCells(
            coach_ids, people_names[: spec.n_coaches], c_served, c_lat, c_lon, c_lang, c_windows
        ),
    )
    candidates = _candidate_frame(
        rng,
        pop,
        people,
        cont,
        _CandidateCells(people_names[spec.n_coaches :], k_lang, k_windows, start_month),
    )
    if twist.campus_km or twist.no_coordinates:
        _scatter_sites(candidates, twist, np.random.default_rng([seed, 12]))
    # org.csv: the reporting line of every post (also of candidates who hold one; those lines
    # agree with candidates.csv). District superintendents, at the top, have no line.
    org = pd.DataFrame(sorted(people.org.parent.items()), columns=list(ORG_COLUMNS))
    return GeneratedProgram(coaches, candidates, org, twist.program_toml())


# --------------------------------------------------------------------------------------------
# Where people are


@dataclass
class _Population:
    """Regions, districts, candidates' posts and program years, and the kind of each coach:
    everything the org chart, the coach profiles and eligibility are built on."""

    regions: _Regions
    district_names: list[str]
    region_districts: list[list[int]]  # per region: indices into district_names
    k_region: np.ndarray
    c_region: np.ndarray
    k_role: np.ndarray  # indices into _ROLES
    k_school: np.ndarray  # bool: works at a school site (else a district office)
    k_district: np.ndarray
    k_year: np.ndarray  # 1 or 2
    kind: np.ndarray  # "full_time", "working" or "retired"


def _populate(spec: SizeSpec, rng: np.random.Generator) -> _Population:
    """Regions, then who lives and works where, in the generator's fixed draw order."""
    regions = _make_regions(spec, rng)
    k_region, c_region = _spread_people(spec, rng)
    district_names, region_districts = _make_districts(spec, rng, regions)
    k_role, k_school, k_district, k_year = _candidate_posts(spec, rng, k_region, region_districts)
    kind = _coach_kinds(spec, rng)
    return _Population(
        regions,
        district_names,
        region_districts,
        k_region,
        c_region,
        k_role,
        k_school,
        k_district,
        k_year,
        kind,
    )


def _spread_people(spec: SizeSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Home regions of candidates and coaches (every region has at least one of each).

    Coach supply follows demand only loosely, so some regions end up short of coaches, as
    rural and fast-growing areas are in real programs.
    """
    n_reg, n_k, n_c = spec.n_regions, spec.n_candidates, spec.n_coaches
    demand_w = rng.lognormal(0.0, 0.45, n_reg)
    k_counts = 1 + rng.multinomial(n_k - n_reg, demand_w / demand_w.sum())
    k_region = rng.permutation(np.repeat(np.arange(n_reg), k_counts))
    supply_w = demand_w * rng.lognormal(0.0, 0.35, n_reg)
    c_region = np.repeat(
        np.arange(n_reg), 1 + rng.multinomial(n_c - n_reg, supply_w / supply_w.sum())
    )
    return k_region, c_region


def _make_districts(
    spec: SizeSpec, rng: np.random.Generator, regions: _Regions
) -> tuple[list[str], list[list[int]]]:
    """District names, and the districts of each region.

    One large district for a metro program (its regions are local districts); 1–3 per city
    otherwise, so a county or state program spans many employers and org charts.
    """
    if spec.layout == "metro":
        return [f"{regions.city[0]} Unified School District"], [[0] for _ in range(spec.n_regions)]
    kinds = ("Unified School District", "Elementary School District", "Union High School District")
    district_names: list[str] = []
    region_districts: list[list[int]] = []
    lo, hi = spec.districts_per_region
    for r in range(spec.n_regions):
        nd = int(rng.integers(lo, hi + 1))
        region_districts.append(list(range(len(district_names), len(district_names) + nd)))
        district_names += [f"{regions.city[r]} {kinds[j]}" for j in range(nd)]
    return district_names, region_districts


def _candidate_posts(
    spec: SizeSpec,
    rng: np.random.Generator,
    k_region: np.ndarray,
    region_districts: list[list[int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each candidate's role (the survey's mix), school site or office, district and year.

    Roles and years by quota, so even the sample has the published mix and a year-2 half.
    """
    n_k = spec.n_candidates
    k_role = _quota(rng, n_k, _ROLE_SHARES)
    k_school = rng.random(n_k) < np.array(_ROLE_AT_SCHOOL)[k_role]
    pick = rng.random(n_k)
    k_district = np.array(
        [
            region_districts[r][int(u * len(region_districts[r]))]
            for r, u in zip(k_region.tolist(), pick.tolist(), strict=True)
        ]
    )
    k_year = np.where(_quota(rng, n_k, (0.5, 0.5)) == 1, 2, 1)
    return k_role, k_school, k_district, k_year


def _coach_kinds(spec: SizeSpec, rng: np.random.Generator) -> np.ndarray:
    """Full-time program staff, working administrators and retired administrators.

    The kind decides much of a coach: places, hours, posts in the org chart, availability.
    """
    n_c = spec.n_coaches
    kind = np.full(n_c, "retired", dtype=object)
    order = rng.permutation(n_c)
    n_full = round(spec.full_time_share * n_c)
    n_work = max(2, round(spec.working_share * n_c))
    kind[order[:n_full]] = "full_time"
    kind[order[n_full : n_full + n_work]] = "working"
    return kind


# --------------------------------------------------------------------------------------------
# Availability


def _draw_windows(
    rng: np.random.Generator, twist: Variant, kind: np.ndarray, k_school: np.ndarray
) -> tuple[list[Windows], list[Windows]]:
    """Weekly availability of coaches and candidates, as the variant shapes it.

    Each person's windows come from a fixed row of uniforms drawn up front, so a variant that
    changes how windows are drawn does not shift any other draw of the program.
    """
    c_uniforms = rng.random((len(kind), _UNIFORMS_PER_PERSON)).tolist()
    k_uniforms = rng.random((len(k_school), _UNIFORMS_PER_PERSON)).tolist()
    c_windows = [_coach_windows(_Draws(u), str(kd)) for u, kd in zip(c_uniforms, kind, strict=True)]
    draw_candidate = _school_hours_candidate if twist.school_hours else _candidate_windows
    k_windows = [
        draw_candidate(_Draws(u), bool(s))
        for u, s in zip(k_uniforms, k_school.tolist(), strict=True)
    ]
    if twist.school_hours:
        c_windows = [
            _part_time(w) if kd == "retired" else w for w, kd in zip(c_windows, kind, strict=True)
        ]
    if twist.window_change:
        c_windows = [_resized(w, twist.window_change) for w in c_windows]
        k_windows = [_resized(w, twist.window_change) for w in k_windows]
    return c_windows, k_windows


# --------------------------------------------------------------------------------------------
# Eligibility and regions served

_Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # (candidates, coaches, ok[candidate, coach])


@dataclass
class _Eligibility:
    """Eligible pairs under the defaults (rules 1–5 and 7–9; nobody excluded yet), region by
    region, for every coach that could serve the region: home and the 4 nearest."""

    near: list[list[int]]  # per region: the nearest other regions within serve_radius_km
    could: np.ndarray  # (coaches, regions) bool: home or near
    blocks: list[_Block]  # per region
    counts: np.ndarray  # (coaches, regions): eligible candidates
    cert_y1: np.ndarray  # coaches who may coach year 1 (and year 2 where certified)


def _eligibility(
    spec: SizeSpec,
    pop: _Population,
    people: _People,
    prof: _CoachProfiles,
    c_pos: tuple[np.ndarray, np.ndarray],
    c_windows: list[Windows],
    k_windows: list[Windows],
) -> _Eligibility:
    """Which coach may take which candidate, before regions served are chosen.

    Regions served and coverage are calibrated on these counts, so a generated program has
    about the eligible pairs and the coverage its size promises.
    """
    near = _nearby_regions(spec, pop.regions)
    could = np.zeros((spec.n_coaches, spec.n_regions), dtype=bool)
    could[np.arange(spec.n_coaches), pop.c_region] = True
    for r in range(spec.n_regions):
        could[np.ix_(pop.c_region == r, near[r])] = True
    cert_y1 = prof.cnet & np.isin(prof.cert, ["certified", "in_progress"])
    cert_y2 = prof.cnet & (prof.cert == "certified")
    chains = _chain_coaches(people)
    c_masks, k_masks = _week_masks(c_windows), _week_masks(k_windows)
    blocks: list[_Block] = []
    counts = np.zeros((spec.n_coaches, spec.n_regions), dtype=np.int64)
    for r in range(spec.n_regions):
        ks, cs = np.flatnonzero(pop.k_region == r), np.flatnonzero(could[:, r])
        ok = np.where((pop.k_year[ks] == 1)[:, None], cert_y1[cs][None, :], cert_y2[cs][None, :])
        ok &= prof.role_mat[cs][:, pop.k_role[ks]].T
        ok &= (
            haversine_km(
                people.k_lat[ks][:, None],
                people.k_lon[ks][:, None],
                c_pos[0][cs][None, :],
                c_pos[1][cs][None, :],
            )
            <= _MAX_KM
        )
        ok &= _can_meet(k_masks[ks], c_masks[cs])
        _drop_own_line(ok, ks, cs, chains)
        blocks.append((ks, cs, ok))
        counts[cs, r] = ok.sum(axis=0)
    return _Eligibility(near, could, blocks, counts, cert_y1)


def _nearby_regions(spec: SizeSpec, regions: _Regions) -> list[list[int]]:
    """Per region, the 4 nearest other regions within ``serve_radius_km``: the regions its
    coaches may also serve."""
    centre_d = haversine_km(
        regions.lat[:, None], regions.lon[:, None], regions.lat[None, :], regions.lon[None, :]
    )
    return [
        [
            int(j)
            for j in np.argsort(centre_d[r], kind="stable")
            if j != r and centre_d[r, j] <= spec.serve_radius_km
        ][:4]
        for r in range(spec.n_regions)
    ]


def _chain_coaches(people: _People) -> list[list[int]]:
    """Per candidate, the coaches above it in the reporting line (its supervisor first): a
    coach may not coach someone who reports to it."""
    coach_of_person = {p: c for c, p in enumerate(people.c_person) if p}
    chains: list[list[int]] = []
    for sup in people.k_super:
        ups = [sup, *people.org.above(sup)] if sup else []
        chains.append([coach_of_person[p] for p in ups if p in coach_of_person])
    return chains


def _can_meet(k_masks: np.ndarray, c_masks: np.ndarray) -> np.ndarray:
    """(candidates, coaches) bool: some weekday on which both have a window in common."""
    meet = np.zeros((len(k_masks), len(c_masks)), dtype=bool)
    for day in range(5):
        meet |= (k_masks[:, day][:, None] & c_masks[:, day][None, :]) != 0
    return meet


def _drop_own_line(ok: np.ndarray, ks: np.ndarray, cs: np.ndarray, chains: list[list[int]]) -> None:
    """Mark pairs whose coach is above the candidate in the org chart ineligible (in place)."""
    column = {int(c): j for j, c in enumerate(cs)}
    for i, k in enumerate(ks.tolist()):
        for c in chains[k]:
            if c in column:
                ok[i, column[c]] = False


def _regions_served(
    spec: SizeSpec, rng: np.random.Generator, c_region: np.ndarray, elig: _Eligibility
) -> np.ndarray:
    """(coaches, regions) bool: home and 0–3 of the nearest regions, then (where the size sets
    a target) trimmed or widened at random until eligible pairs come to about target_pairs.

    The pair count is what makes a size hard for the solver, so it is held near a target
    rather than left to where regions happen to lie.
    """
    n_c = len(c_region)
    serves = np.zeros((n_c, spec.n_regions), dtype=bool)
    serves[np.arange(n_c), c_region] = True
    n_extra = rng.choice(4, size=n_c, p=spec.extra_region_probs)
    for c in range(n_c):
        options = elig.near[int(c_region[c])]
        m = min(int(n_extra[c]), len(options))
        if m:
            serves[c, [options[i] for i in rng.choice(len(options), size=m, replace=False)]] = True
    if spec.target_pairs is None:
        return serves
    total = int(elig.counts[serves].sum())
    if total > spec.target_pairs:
        _trim_served(rng, serves, c_region, elig.counts, total, spec.target_pairs)
    else:
        _widen_served(rng, serves, elig, total, spec.target_pairs)
    return serves


def _trim_served(
    rng: np.random.Generator,
    serves: np.ndarray,
    c_region: np.ndarray,
    counts: np.ndarray,
    total: int,
    target: int,
) -> None:
    """Drop regions beyond home until pairs come to ``target``, coaches who serve the most
    regions first (in place): they are the ones a program would ask to travel less."""
    home = np.zeros_like(serves)
    home[np.arange(len(c_region)), c_region] = True
    extras = np.argwhere(serves & ~home)
    many = (serves & ~home).sum(axis=1)[extras[:, 0]]
    extras = extras[np.lexsort((rng.random(len(extras)), -many))]
    for c, r in extras.tolist():
        if total <= target:
            break
        serves[c, r] = False
        total -= int(counts[c, r])


def _widen_served(
    rng: np.random.Generator, serves: np.ndarray, elig: _Eligibility, total: int, target: int
) -> None:
    """Add nearby regions at random until pairs come to ``target`` (in place)."""
    for c, r in rng.permutation(np.argwhere(elig.could & ~serves)).tolist():
        if total >= target:
            break
        serves[c, r] = True
        total += int(elig.counts[c, r])


def _served_pairs(blocks: list[_Block], serves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coach, candidate) index arrays of the eligible pairs within the regions served."""
    pair_c, pair_k = [], []
    for r, (ks, cs, ok) in enumerate(blocks):
        keep = serves[cs, r]
        ii, jj = np.nonzero(ok[:, keep])
        pair_k.append(ks[ii])
        pair_c.append(cs[keep][jj])
    return np.concatenate(pair_c), np.concatenate(pair_k)


# --------------------------------------------------------------------------------------------
# Continuity: last year's coaches, exclusions and preferences


@dataclass
class _Continuity:
    """Per candidate: ``current_coach_id``, ``exclude_coach_ids``, ``preferred_coach_ids``."""

    current: list[str | None]
    exclude: list[list[str]]
    preferred: list[list[str]]


@dataclass
class _LastYear:
    """Last year's roster as it is rebuilt: each coach had this year's year-2 candidates as
    year 1 alongside others, so at most ~60 % of its places (``limit``)."""

    coach_ids: list[str]
    left_ids: list[str]  # coaches who have left the program since
    limit: np.ndarray
    load: np.ndarray

    def take(self, options: np.ndarray, u: float) -> str | None:
        """One of ``options`` with room left (picked by ``u``), now one candidate fuller."""
        options = options[self.load[options] < self.limit[options]]
        if not len(options):
            return None
        c = int(options[int(u * len(options))])
        self.load[c] += 1
        return self.coach_ids[c]


def _continuity(
    rng: np.random.Generator,
    pop: _Population,
    prof: _CoachProfiles,
    blocks: list[_Block],
    serves: np.ndarray,
    coach_ids: list[str],
) -> _Continuity:
    """Last year's coach of year-2 candidates, earlier matches that did not work, and coaches
    candidates asked for.

    These are what ``reassign``, pins and exclusions are tested on; drawn among coaches
    serving the candidate's region, so most of them are pairs the rules allow.
    """
    n_c, n_k = len(coach_ids), len(pop.k_region)
    n_left = max(1, n_c // 40)
    last = _LastYear(
        coach_ids,
        [f"C{n_c + 1 + j:04d}" for j in range(n_left)],
        np.maximum(np.ceil(0.6 * prof.capacity), 1).astype(int),
        np.zeros(n_c, dtype=int),
    )
    out = _Continuity([None] * n_k, [[] for _ in range(n_k)], [[] for _ in range(n_k)])
    for r, (ks, cs_all, ok_all) in enumerate(blocks):
        keep = serves[cs_all, r]
        cs, ok = cs_all[keep], ok_all[:, keep]
        draws = rng.random((len(ks), 8))
        for i in rng.permutation(len(ks)).tolist():
            k, u = int(ks[i]), draws[i]
            elig = cs[ok[i]]
            if pop.k_year[k] == 2:
                out.current[k] = _last_year_coach(
                    u, elig, cs[prof.role_mat[cs, pop.k_role[k]]], last
                )
            if u[2] < 0.03:
                out.exclude[k] = _earlier_mismatch(
                    u, out.current[k], int(pop.k_year[k]), elig, coach_ids
                )
            if u[4] < 0.06:
                out.preferred[k] = _known_coaches(u, elig, cs, coach_ids, out.exclude[k])
    return out


def _last_year_coach(
    u: np.ndarray, elig: np.ndarray, same_role: np.ndarray, last: _LastYear
) -> str | None:
    """A year-2 candidate's coach last year: mostly one still eligible; some have left the
    program, some no longer qualify (only the role still fits); a few had none on record."""
    if u[0] < 0.86:
        return last.take(elig, u[1])
    if u[0] < 0.90:  # the coach has left the program
        return last.left_ids[int(u[1] * len(last.left_ids))]
    if u[0] < 0.94:  # last year's coach, who may no longer qualify
        return last.take(same_role, u[1])
    return None


def _earlier_mismatch(
    u: np.ndarray, current: str | None, year: int, elig: np.ndarray, coach_ids: list[str]
) -> list[str]:
    """An earlier match that did not work: sometimes last year's coach, else an eligible one
    (never the current coach, which would contradict ``current_coach_id``)."""
    if current is not None and year == 2 and u[3] < 0.3:
        return [current]
    if len(elig):
        c_id = coach_ids[int(elig[int(u[3] * len(elig))])]
        if c_id != current:
            return [c_id]
    return []


def _known_coaches(
    u: np.ndarray, elig: np.ndarray, cs: np.ndarray, coach_ids: list[str], exclude: list[str]
) -> list[str]:
    """One or two coaches the candidate knows and asked for, mostly ones who qualify (and
    never one it excludes)."""
    pool = elig if u[5] < 0.75 and len(elig) else cs
    m = min(len(pool), 1 if u[6] < 0.7 else 2)
    first = int(u[7] * len(pool))
    picks = [pool[(first + j) % len(pool)] for j in range(m)]
    return [coach_ids[int(c)] for c in picks if coach_ids[int(c)] not in exclude]


def _meet_last_year_coach(
    k_year: np.ndarray,
    current: list[str | None],
    coach_ids: list[str],
    c_windows: list[Windows],
    k_windows: list[Windows],
) -> None:
    """School-hours variant: give a year-2 candidate a window in common with last year's coach
    (in place), who coached it last year and so could meet it."""
    index = {cid: c for c, cid in enumerate(coach_ids)}
    for k, coach in enumerate(current):
        if k_year[k] == 2 and coach in index:
            k_windows[k] = _with_common_window(k_windows[k], c_windows[index[coach]])


def _start_months(rng: np.random.Generator, twist: Variant, k_year: np.ndarray) -> list[str | None]:
    """Spring starts: some year-1 candidates join mid-year (at least two, so the sample has
    them); the others start with the program."""
    start_month: list[str | None] = [None] * len(k_year)
    year1 = np.flatnonzero(k_year == 1)
    n_spring = min(len(year1), max(2, round(twist.spring_share * len(year1))))
    spring = np.sort(rng.choice(year1, size=n_spring, replace=False))
    starts = twist.spring_months or _START_MONTHS
    months = rng.choice(len(starts), size=len(spring), p=[w for _, w in starts])
    for k, m in zip(spring.tolist(), months.tolist(), strict=True):
        start_month[k] = starts[m][0]
    return start_month


def _name_coach_districts(
    rng: np.random.Generator, pop: _Population, c_district: list[str | None]
) -> None:
    """Districts of coaches without a post (in place): full-time coaches work for a district of
    their region, retired coaches often name the district they retired from."""
    pick = rng.random((len(c_district), 2))
    for c in range(len(c_district)):
        if c_district[c] is None and (pop.kind[c] == "full_time" or pick[c, 0] < 0.5):
            units = pop.region_districts[int(pop.c_region[c])]
            c_district[c] = pop.district_names[units[int(pick[c, 1] * len(units))]]


# --------------------------------------------------------------------------------------------
# Frames


def _candidate_languages(rng: np.random.Generator, n_k: int) -> list[list[str]]:
    """Candidates' languages; about one in ten left empty (not asked on the intake form)."""
    k_lang = _languages(rng, n_k, 2)
    for k in np.flatnonzero(rng.random(n_k) < 0.1).tolist():
        k_lang[k] = []
    return k_lang


@dataclass
class _CoachCells:
    """Coach columns drawn late, which :func:`_coach_frame` takes as they are."""

    coach_ids: list[str]
    names: list[str]
    served: list[list[str]]
    lat: np.ndarray
    lon: np.ndarray
    languages: list[list[str]]
    windows: list[Windows]


@dataclass
class _CandidateCells:
    """Candidate columns drawn late, which :func:`_candidate_frame` takes as they are."""

    names: list[str]
    languages: list[list[str]]
    windows: list[Windows]
    start_month: list[str | None]


def _coach_frame(
    rng: np.random.Generator,
    pop: _Population,
    people: _People,
    prof: _CoachProfiles,
    cells: _CoachCells,
) -> pd.DataFrame:
    """coaches.csv as typed values (CPSEL strengths are drawn here, before candidates')."""
    n_c = len(cells.coach_ids)
    return pd.DataFrame(
        {
            "coach_id": cells.coach_ids,
            "name": cells.names,
            "region": [pop.regions.names[r] for r in pop.c_region],
            "regions_served": cells.served,
            "lat": cells.lat,
            "lon": cells.lon,
            "roles": prof.roles,
            "levels": prof.levels,
            "capacity": prof.capacity.astype(int),
            "certification": prof.cert.astype(str),
            "cnet_current": pd.array(
                [
                    None if gone else bool(v)
                    for v, gone in zip(prof.cnet, prof.cnet_missing, strict=True)
                ],
                dtype="boolean",
            ),
            "admin_years": pd.array(prof.admin_years, dtype="Int64"),
            "languages": cells.languages,
            "cpsel_strengths": _standards(rng, n_c),
            "district": people.c_district,
            "person_id": [p or None for p in people.c_person],
            "available": [_windows_text(w) or None for w in cells.windows],
            "max_hours_per_month": pd.array(prof.max_hours(), dtype="Float64"),
            "cost_per_candidate": prof.cost,
        }
    )


def _candidate_frame(
    rng: np.random.Generator,
    pop: _Population,
    people: _People,
    cont: _Continuity,
    cells: _CandidateCells,
) -> pd.DataFrame:
    """candidates.csv as typed values (CPSEL focus is the last draw of the main generator)."""
    n_k = len(pop.k_region)
    return pd.DataFrame(
        {
            "candidate_id": [f"K{k + 1:05d}" for k in range(n_k)],
            "name": cells.names,
            "region": [pop.regions.names[r] for r in pop.k_region],
            "lat": people.k_lat,
            "lon": people.k_lon,
            "site": people.k_site,
            "district": [pop.district_names[d] for d in pop.k_district],
            "role": [_ROLES[i] for i in pop.k_role],
            "level": people.k_level,
            "person_id": people.k_person,
            "supervisor_id": people.k_super,
            "program_year": pop.k_year.astype(int),
            "current_coach_id": cont.current,
            "languages": cells.languages,
            "cpsel_focus": _standards(rng, n_k),
            "available": [_windows_text(w) or None for w in cells.windows],
            "exclude_coach_ids": cont.exclude,
            "preferred_coach_ids": cont.preferred,
            "start_month": cells.start_month,
        }
    )


def _scatter_sites(candidates: pd.DataFrame, twist: Variant, rng: np.random.Generator) -> None:
    """Move each candidate ~``campus_km`` from its site and drop some coordinates (in place).

    Drawn from a generator of its own, after everything else, so the rest of the program is
    the same as without it."""
    lat, lon = _jitter(
        rng, candidates.lat.to_numpy(float), candidates.lon.to_numpy(float), twist.campus_km
    )
    gone = rng.random(len(candidates)) < twist.no_coordinates
    candidates["lat"] = pd.array(np.where(gone, np.nan, lat), dtype="Float64")
    candidates["lon"] = pd.array(np.where(gone, np.nan, lon), dtype="Float64")


# --------------------------------------------------------------------------------------------
# Writing


def _cell(value: object, column: str) -> str:
    """One contract cell: lists ``;``-joined, booleans ``true``/``false``, missing empty."""
    if column in _LIST_COLUMNS:
        return ";".join(str(v) for v in value) if isinstance(value, list | tuple) else ""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column in _BOOL_COLUMNS or isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:.5f}".rstrip("0")
    return str(value)


def _to_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The frame as contract cells, contract columns first (extra columns are kept)."""
    order = [*columns, *(c for c in frame.columns if c not in columns)]
    return pd.DataFrame(
        {column: [_cell(v, column) for v in frame[column].tolist()] for column in order},
        columns=order,
    )


def write_program(program: GeneratedProgram, out_dir: Path) -> None:
    """Write ``coaches.csv``, ``candidates.csv``, ``org.csv`` and ``program.toml`` to a folder.

    UTF-8, ``\\n`` line ends and fixed number formats, so the same program always gives the
    same bytes (the checked-in sample can be regenerated and diffed).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame, columns in (
        ("coaches.csv", program.coaches, COACH_COLUMNS),
        ("candidates.csv", program.candidates, CANDIDATE_COLUMNS),
        ("org.csv", program.org, ORG_COLUMNS),
    ):
        text = _to_text(frame, columns).to_csv(index=False, lineterminator="\n")
        (out_dir / name).write_text(text, encoding="utf-8", newline="")
    (out_dir / "program.toml").write_text(program.program_toml, encoding="utf-8", newline="")
