"""A columnar view of a program: numpy arrays of codes, for fast vectorised pair rules.

At statewide size (10,000 candidates, 1,800 coaches) the pairs to test run to the millions;
checking them one Python object at a time would take seconds. Every text attribute is coded
once to small integers here, and set-valued ones (roles, languages, CPSEL standards) become
boolean matrices or bit masks, so a rule over any batch of pairs is a few array operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from matcher.problem import LEVELS, ROLES, Candidate, ProgramData
from matcher.windows import Window, clip

CERT_CODES = {"certified": 0, "in_progress": 1, "expired": 2, "none": 3}
NO_CODE = -1
MINUTES_PER_DAY = 24 * 60


def _codes(values: list[str], table: dict[str, int]) -> np.ndarray:
    """Code each value by ``table``, adding new ones; empty text gets ``NO_CODE``."""
    out = np.full(len(values), NO_CODE, dtype=np.int64)
    for i, value in enumerate(values):
        if value:
            out[i] = table.setdefault(value, len(table))
    return out


def _bits(sets: list[frozenset], table: dict, words: int) -> np.ndarray:
    """Set-valued attributes as bit masks, ``words`` 64-bit words per row."""
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for i, items in enumerate(sets):
        for item in items:
            bit = table[item]
            out[i, bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
    return out


@dataclass(frozen=True)
class WindowTable:
    """Everyone's (clipped) weekly windows in flat arrays, for vectorised rule 9.

    Person ``i``'s windows are rows ``offsets[i]:offsets[i + 1]``; times are minutes of the
    week (``weekday * 1440 + minute``), so two windows on different days never overlap by
    more than zero. ``free`` marks people who list no windows at all (free all day).
    """

    free: np.ndarray  # (n,) bool
    offsets: np.ndarray  # (n + 1,) int64
    start: np.ndarray  # (windows,) int64
    end: np.ndarray  # (windows,) int64


def window_table(windows: tuple[tuple[Window, ...] | None, ...]) -> WindowTable:
    """Flatten per-person window tuples (``None`` = free all day) into a :class:`WindowTable`."""
    counts = np.array([0 if w is None else len(w) for w in windows], dtype=np.int64)
    offsets = np.zeros(len(windows) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = [
        (w.weekday * MINUTES_PER_DAY + w.start, w.weekday * MINUTES_PER_DAY + w.end)
        for ws in windows
        if ws is not None
        for w in ws
    ]
    times = np.array(flat, dtype=np.int64).reshape(-1, 2)
    free = np.array([w is None for w in windows], dtype=bool)
    return WindowTable(free, offsets, times[:, 0].copy(), times[:, 1].copy())


@dataclass(frozen=True)
class ProgramView:
    """Arrays over coaches (``c_*``, length nC) and candidates (``k_*``, length nK)."""

    program: ProgramData
    regions: dict[str, int]
    c_serves: np.ndarray  # (nC, nRegions) bool
    c_roles: np.ndarray  # (nC, nRoles) bool
    c_levels: np.ndarray  # (nC, nLevels) bool
    c_cert: np.ndarray
    c_cnet: np.ndarray
    c_admin_years: np.ndarray  # float, nan = not given
    c_lat: np.ndarray
    c_lon: np.ndarray
    c_person: np.ndarray
    c_district: np.ndarray
    c_languages: np.ndarray  # (nC, words) uint64
    c_cpsel: np.ndarray  # 6-bit masks
    c_windows: tuple[tuple[Window, ...] | None, ...]  # None = free all day
    k_region: np.ndarray
    k_role: np.ndarray
    k_level: np.ndarray
    k_year: np.ndarray
    k_lat: np.ndarray
    k_lon: np.ndarray
    k_district: np.ndarray
    k_current_coach: np.ndarray
    k_languages: np.ndarray
    k_cpsel: np.ndarray
    k_windows: tuple[tuple[Window, ...] | None, ...]
    above_keys: np.ndarray  # sorted candidate * n_people + person, for rule 5 "chain"
    direct_keys: np.ndarray  # the same for direct supervisors, for rule 5 "direct"
    excluded_keys: np.ndarray  # sorted candidate * nC + coach
    preferred_keys: np.ndarray  # sorted candidate * nC + coach
    n_people: int
    c_window_table: WindowTable | None = None  # c_windows flattened (built by build_view)
    k_window_table: WindowTable | None = None

    @property
    def n_coaches(self) -> int:
        return len(self.program.coaches)

    @property
    def n_candidates(self) -> int:
        return len(self.program.candidates)


def _cpsel_mask(values: frozenset[int]) -> int:
    return sum(1 << (v - 1) for v in values)


def _clipped_windows(people, coaching) -> tuple[tuple[Window, ...] | None, ...]:
    """Each person's windows clipped to the program's coaching weekdays and hours, so rule 9
    compares only time a session could use; ``None``: lists none, so free all day."""
    weekdays = [
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun").index(d) for d in coaching.weekdays
    ]
    day = (coaching.day_start_minutes, coaching.day_end_minutes)
    return tuple(clip(p.available, weekdays, *day) if p.available else None for p in people)


def _region_codes(coaches, candidates) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Region codes (candidates' regions first, then those only coaches serve), the
    candidates' region codes, and which regions each coach serves, for the region rule."""
    regions: dict[str, int] = {}
    k_region = _codes([k.region for k in candidates], regions)
    for c in coaches:
        for r in sorted(c.serves):
            regions.setdefault(r, len(regions))
    c_serves = np.zeros((len(coaches), len(regions)), dtype=bool)
    for i, c in enumerate(coaches):
        c_serves[i, [regions[r] for r in c.serves]] = True
    return regions, k_region, c_serves


def _role_level_flags(coaches) -> tuple[np.ndarray, np.ndarray]:
    """Which roles and levels each coach takes, as boolean matrices over ROLES and LEVELS."""
    role_codes = {r: i for i, r in enumerate(ROLES)}
    level_codes = {v: i for i, v in enumerate(LEVELS)}
    c_roles = np.zeros((len(coaches), len(ROLES)), dtype=bool)
    c_levels = np.zeros((len(coaches), len(LEVELS)), dtype=bool)
    for i, c in enumerate(coaches):
        c_roles[i, [role_codes[r] for r in c.roles]] = True
        c_levels[i, [level_codes[v] for v in c.levels]] = True
    return c_roles, c_levels


def _person_keys(
    candidates, table: dict[str, frozenset[str]], people: dict[str, int], n_people: int
) -> np.ndarray:
    """Sorted ``candidate * n_people + person`` keys of a supervisor table, so rule 5 is a
    sorted-array lookup; only people who are also coaches can matter."""
    keys = [
        ki * n_people + people[person]
        for ki, k in enumerate(candidates)
        for person in table.get(k.candidate_id, ())
        if person in people
    ]
    return np.sort(np.array(keys, dtype=np.int64))


def _pair_keys(
    candidates, coach_codes: dict[str, int], n_c: int, ids_of: Callable[[Candidate], Iterable[str]]
) -> np.ndarray:
    """Sorted ``candidate * n_c + coach`` keys of each candidate's listed coaches (excluded or
    preferred), so a batch of pairs is checked with one sorted-array lookup."""
    keys = [
        ki * n_c + coach_codes[cid]
        for ki, k in enumerate(candidates)
        for cid in ids_of(k)
        if cid in coach_codes
    ]
    return np.sort(np.array(keys, dtype=np.int64))


def _language_codes(coaches, candidates) -> tuple[dict[str, int], int]:
    """Every language anyone speaks, sorted and coded, and the 64-bit words a mask needs."""
    languages: dict[str, int] = {}
    for item in sorted({x for p in (*coaches, *candidates) for x in p.languages}):
        languages[item] = len(languages)
    return languages, max(1, (len(languages) + 63) // 64)


def _latlon(items, attr: str) -> np.ndarray:
    """A coordinate column, ``nan`` where it is not given (travel then counts as unknown)."""
    return np.array([np.nan if getattr(x, attr) is None else getattr(x, attr) for x in items])


def build_view(program: ProgramData) -> ProgramView:
    """Code the program once; every rule and score then runs on these arrays."""
    coaches, candidates = program.coaches, program.candidates
    regions, k_region, c_serves = _region_codes(coaches, candidates)
    c_roles, c_levels = _role_level_flags(coaches)
    role_codes = {r: i for i, r in enumerate(ROLES)}
    level_codes = {v: i for i, v in enumerate(LEVELS)}
    people: dict[str, int] = {}
    districts: dict[str, int] = {}  # coaches' districts first, then candidates'
    coach_codes = {c.coach_id: i for i, c in enumerate(coaches)}
    c_person = _codes([c.person_id for c in coaches], people)
    n_people, n_c = max(len(people), 1), max(len(coaches), 1)
    languages, words = _language_codes(coaches, candidates)
    c_windows = _clipped_windows(coaches, program.policy.coaching)
    k_windows = _clipped_windows(candidates, program.policy.coaching)
    return ProgramView(
        program=program,
        regions=regions,
        c_serves=c_serves,
        c_roles=c_roles,
        c_levels=c_levels,
        c_cert=np.array([CERT_CODES[c.certification] for c in coaches], dtype=np.int64),
        c_cnet=np.array([c.cnet_current for c in coaches], dtype=bool),
        c_admin_years=np.array(
            [np.nan if c.admin_years is None else c.admin_years for c in coaches], dtype=float
        ),
        c_lat=_latlon(coaches, "lat"),
        c_lon=_latlon(coaches, "lon"),
        c_person=c_person,
        c_district=_codes([c.district for c in coaches], districts),
        c_languages=_bits([c.languages for c in coaches], languages, words),
        c_cpsel=np.array([_cpsel_mask(c.cpsel_strengths) for c in coaches], dtype=np.int64),
        c_windows=c_windows,
        k_region=k_region,
        k_role=np.array([role_codes[k.role] for k in candidates], dtype=np.int64),
        k_level=np.array([level_codes.get(k.level, NO_CODE) for k in candidates], dtype=np.int64),
        k_year=np.array([k.program_year for k in candidates], dtype=np.int64),
        k_lat=_latlon(candidates, "lat"),
        k_lon=_latlon(candidates, "lon"),
        k_district=_codes([k.district for k in candidates], districts),
        k_current_coach=np.array(
            [coach_codes.get(k.current_coach_id, NO_CODE) for k in candidates], dtype=np.int64
        ),
        k_languages=_bits([k.languages for k in candidates], languages, words),
        k_cpsel=np.array([_cpsel_mask(k.cpsel_focus) for k in candidates], dtype=np.int64),
        k_windows=k_windows,
        above_keys=_person_keys(candidates, program.above, people, n_people),
        direct_keys=_person_keys(candidates, program.direct_above, people, n_people),
        excluded_keys=_pair_keys(candidates, coach_codes, n_c, lambda k: k.exclude_coach_ids),
        preferred_keys=_pair_keys(candidates, coach_codes, n_c, lambda k: k.preferred_coach_ids),
        n_people=n_people,
        c_window_table=window_table(c_windows),
        k_window_table=window_table(k_windows),
    )


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Membership of ``keys`` in a sorted key array (binary search, no hashing)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    return sorted_keys[pos] == keys
