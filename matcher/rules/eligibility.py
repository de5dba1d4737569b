"""The contract's eligibility rules 1–9, one named function each, over batches of pairs.

Every rule takes the program view and two equally long index arrays (coach ``ci``, candidate
``ki``) and returns a boolean array: True where the rule allows the pair. The same functions
serve the bulk pass (millions of pairs at statewide size) and the explanation of one
candidate (all coaches against that candidate), so there is one definition of each rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.problem import Candidate, Coach
from matcher.rules.view import (
    CERT_CODES,
    NO_CODE,
    ProgramView,
    WindowTable,
    contains,
    window_table,
)
from solvers.geo import haversine_km

PairRule = Callable[[ProgramView, np.ndarray, np.ndarray], np.ndarray]


def rule_certification(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 1: certified, or in progress (where allowed) with a year-1 candidate."""
    cert = view.c_cert[ci]
    in_progress_ok = (
        view.program.policy.eligibility.allow_in_progress_certification
        & (cert == CERT_CODES["in_progress"])
        & (view.k_year[ki] == 1)
    )
    return (cert == CERT_CODES["certified"]) | in_progress_ok


def rule_network_training(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 2: this year's coach network training done, where the program requires it."""
    if not view.program.policy.eligibility.require_cnet:
        return np.ones(len(ci), dtype=bool)
    return view.c_cnet[ci]


def rule_region(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 3: the candidate's region is the coach's home region or one it serves."""
    return view.c_serves[ci, view.k_region[ki]]


def rule_role(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 4: the coach coaches the candidate's role, where roles must match."""
    if not view.program.policy.eligibility.role_must_match:
        return np.ones(len(ci), dtype=bool)
    return view.c_roles[ci, view.k_role[ki]]


def rule_not_supervisor(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 5: the coach is not the candidate's supervisor (nor anyone above, under "chain")."""
    person = view.c_person[ci]
    chain = view.program.policy.eligibility.supervisor_conflict == "chain"
    keys = view.above_keys if chain else view.direct_keys
    return (person == NO_CODE) | ~contains(keys, ki * view.n_people + person)


def rule_not_excluded(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 6: the candidate has not excluded this coach (an earlier match that did not work)."""
    return ~contains(view.excluded_keys, ki.astype(np.int64) * max(view.n_coaches, 1) + ci)


def pair_km(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Haversine km between coach base and work site; nan where either lacks lat/lon."""
    return haversine_km(view.c_lat[ci], view.c_lon[ci], view.k_lat[ki], view.k_lon[ki])


def rule_travel(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 7: within ``max_travel_km`` where both sides have lat/lon (0 = no limit)."""
    limit = view.program.policy.eligibility.max_travel_km
    if limit == 0:
        return np.ones(len(ci), dtype=bool)
    km = pair_km(view, ci, ki)
    return np.isnan(km) | (km <= limit)


def rule_admin_years(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 8: at least ``min_admin_years`` as administrator, where the coach gives its years."""
    years = view.c_admin_years[ci]
    return np.isnan(years) | (years >= view.program.policy.eligibility.min_admin_years)


def rule_common_time(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Rule 9: where both list windows, some common window is long enough for a session.

    Vectorised over the flat window tables of the view: for each pair, every coach window
    meets every candidate window (a handful each), and the longest overlap decides. Times are
    minutes of the week, so windows on different days overlap by at most zero.
    """
    shortest = min(view.program.policy.coaching.session_minutes)
    c_table = view.c_window_table or window_table(view.c_windows)
    k_table = view.k_window_table or window_table(view.k_windows)
    ok = c_table.free[ci] | k_table.free[ki]
    both = np.flatnonzero(~ok)
    for lo in range(0, len(both), _COMMON_TIME_CHUNK):
        idx = both[lo : lo + _COMMON_TIME_CHUNK]
        ok[idx] = _longest_common(c_table, ci[idx], k_table, ki[idx]) >= shortest
    return ok


_COMMON_TIME_CHUNK = 200_000  # pairs per batch: bounds the (pairs × windows²) arrays


def _longest_common(
    c_table: WindowTable, ci: np.ndarray, k_table: WindowTable, ki: np.ndarray
) -> np.ndarray:
    """Minutes of the longest common window of each pair (0 where they never meet)."""
    c_first, k_first = c_table.offsets[ci], k_table.offsets[ki]
    nc = c_table.offsets[ci + 1] - c_first
    nk = k_table.offsets[ki + 1] - k_first
    combos = nc * nk
    best = np.zeros(len(ci), dtype=np.int64)
    met = np.flatnonzero(combos > 0)
    if len(met) == 0:
        return best
    combos = combos[met]
    pair = np.repeat(np.arange(len(met)), combos)
    first = np.cumsum(combos) - combos
    j = np.arange(len(pair)) - first[pair]
    a = c_first[met][pair] + j // nk[met][pair]
    b = k_first[met][pair] + j % nk[met][pair]
    overlap = np.minimum(c_table.end[a], k_table.end[b]) - np.maximum(
        c_table.start[a], k_table.start[b]
    )
    best[met] = np.maximum(np.maximum.reduceat(overlap, first), 0)
    return best


def _certification_words(coach: Coach, candidate: Candidate, view: ProgramView) -> str:
    if coach.certification == "in_progress":
        if not view.program.policy.eligibility.allow_in_progress_certification:
            return "in coach training, which this program does not allow"
        return "in coach training, and a year-2 candidate needs a certified coach"
    return f"certification {coach.certification}"


def _supervisor_words(coach: Coach, candidate: Candidate, view: ProgramView) -> str:
    if coach.person_id == candidate.supervisor_id:
        return "the candidate's direct supervisor"
    return "in the candidate's reporting chain"


def _travel_words(coach: Coach, candidate: Candidate, view: ProgramView) -> str:
    return f"more than {view.program.policy.eligibility.max_travel_km:g} km away"


def _admin_years_words(coach: Coach, candidate: Candidate, view: ProgramView) -> str:
    return f"fewer than {view.program.policy.eligibility.min_admin_years} years as an administrator"


RuleWords = Callable[[Coach, Candidate, ProgramView], str]


@dataclass(frozen=True)
class Rule:
    """A rule with the words that explain it when it rules a coach out.

    ``ruled_out_as`` is the rule's general phrase (for counts: "does not serve the region");
    ``explain``, where set, says what the rule means for one coach and candidate ("more than
    80 km away"), so a reason names the limit the program set. Both live here, beside the
    check, so a new rule cannot be added without its words.
    """

    number: int
    name: str
    check: PairRule
    ruled_out_as: str
    explain: RuleWords | None = None

    def words(self, coach: Coach, candidate: Candidate, view: ProgramView) -> str:
        """What this rule, failed, means for ``coach`` and ``candidate``."""
        return self.explain(coach, candidate, view) if self.explain else self.ruled_out_as


RULES: tuple[Rule, ...] = (
    Rule(
        1,
        "certification",
        rule_certification,
        "not certified for this candidate",
        _certification_words,
    ),
    Rule(2, "network_training", rule_network_training, "network training not current"),
    Rule(3, "region", rule_region, "does not serve the region"),
    Rule(4, "role", rule_role, "does not coach the role"),
    Rule(
        5,
        "supervisor",
        rule_not_supervisor,
        "in the candidate's reporting chain",
        _supervisor_words,
    ),
    Rule(6, "excluded", rule_not_excluded, "excluded by the candidate"),
    Rule(7, "travel", rule_travel, "too far to travel", _travel_words),
    Rule(
        8, "admin_years", rule_admin_years, "too few years as an administrator", _admin_years_words
    ),
    Rule(9, "common_time", rule_common_time, "no common free time for a session"),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}
RULE_INDEX = {rule.name: i for i, rule in enumerate(RULES)}


def region_role_blocks(view: ProgramView) -> tuple[np.ndarray, np.ndarray]:
    """All (coach, candidate) pairs that pass rules 3 and 4, the cheap and selective ones.

    Grouping candidates by (region, role) and coaches by what they serve keeps the pairs to
    test near the final count instead of nC × nK.
    """
    k_key = view.k_region * 64 + view.k_role
    order = np.argsort(k_key, kind="stable")
    keys, starts = np.unique(k_key[order], return_index=True)
    bounds = [*starts.tolist(), len(order)]
    role_free = not view.program.policy.eligibility.role_must_match
    ci_parts, ki_parts = [], []
    for j, key in enumerate(keys.tolist()):
        region, role = divmod(key, 64)
        if region == NO_CODE:
            continue
        fits = view.c_serves[:, region] & (role_free | view.c_roles[:, role])
        coaches = np.flatnonzero(fits)
        group = order[bounds[j] : bounds[j + 1]]
        if len(coaches) and len(group):
            ci_parts.append(np.tile(coaches, len(group)))
            ki_parts.append(np.repeat(group, len(coaches)))
    if not ci_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(ci_parts), np.concatenate(ki_parts)


def eligible_mask(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """All nine rules together; the most selective first, later ones only on survivors."""
    keep = np.ones(len(ci), dtype=bool)
    for rule in RULES:
        alive = np.flatnonzero(keep)
        if len(alive) == 0:
            break
        keep[alive] = rule.check(view, ci[alive], ki[alive])
    return keep


def failure_bits(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> np.ndarray:
    """Bit masks of failed rules (bit i = ``RULES[i]``), one per (coach, candidate) pair.

    Rule 9, by far the costliest, is tested only where region and role fit (rules 3 and 4):
    for the other pairs it is left unset, since no reason names it for them.
    """
    weights = 1 << np.arange(len(RULES), dtype=np.int64)
    failing = np.zeros((len(ci), len(RULES)), dtype=bool)
    for i, rule in enumerate(RULES):
        if rule.name == "common_time":
            near = ~failing[:, RULE_INDEX["region"]] & ~failing[:, RULE_INDEX["role"]]
            idx = np.flatnonzero(near)
            failing[idx, i] = ~rule.check(view, ci[idx], ki[idx])
        else:
            failing[:, i] = ~rule.check(view, ci, ki)
    return failing.astype(np.int64) @ weights


def rules_of(bits: int) -> list[Rule]:
    """The rules a :func:`failure_bits` mask names, in rule order."""
    return [rule for i, rule in enumerate(RULES) if bits >> i & 1]


def failure_codes(view: ProgramView, candidates: np.ndarray) -> np.ndarray:
    """:func:`failure_bits` of every coach against each candidate, shape (len(candidates),
    coaches).

    One vectorised pass for a whole batch of candidates (the unassigned), in chunks so that
    memory stays small however many there are.
    """
    n_c = view.n_coaches
    out = np.zeros((len(candidates), n_c), dtype=np.int64)
    chunk = max(1, 400_000 // max(n_c, 1))
    for start in range(0, len(candidates), chunk):
        part = np.asarray(candidates[start : start + chunk], dtype=np.int64)
        ci = np.tile(np.arange(n_c), len(part))
        ki = np.repeat(part, n_c)
        out[start : start + len(part)] = failure_bits(view, ci, ki).reshape(len(part), n_c)
    return out


def failed_rules(
    view: ProgramView, candidate: int, codes: np.ndarray | None = None
) -> dict[int, list[Rule]]:
    """For one candidate, every coach's failing rules (empty list = eligible).

    Worked out on demand, for the unassigned only, so it costs nothing at scale; ``codes`` is
    the candidate's row of :func:`failure_codes` when a batch was computed already. Coaches
    fail in few distinct ways, so each way is spelled out once and its list is shared by the
    coaches that fail that way: read the lists, do not modify them.
    """
    if codes is None:
        codes = failure_codes(view, np.array([candidate]))[0]
    ways, way_of = np.unique(codes, return_inverse=True)
    spelled = [rules_of(way) for way in ways.tolist()]
    coaches = range(view.n_coaches)
    return dict(zip(coaches, map(spelled.__getitem__, way_of.tolist()), strict=True))
