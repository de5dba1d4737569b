"""Eligible pairs and their scores: the input every assignment model works from.

The pair score is the contract's formula, kept term by term (``terms``) so a coordinator can see
why a pairing scored as it did, and the report can break it down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.problem import ProgramData
from matcher.rules.eligibility import eligible_mask, pair_km, region_role_blocks
from matcher.rules.view import NO_CODE, ProgramView, build_view, contains

SCORE_TERMS = ("level", "language", "cpsel", "travel", "continuity", "preference", "same_district")
_POPCOUNT = np.array([bin(i).count("1") for i in range(64)], dtype=np.float64)


@dataclass(frozen=True)
class EligiblePairs:
    """Every eligible (coach, candidate) pair, sorted by candidate then coach.

    ``km`` is nan where a side has no lat/lon. ``terms`` holds each weighted score term, and
    ``score`` their sum.
    """

    view: ProgramView
    coach: np.ndarray
    candidate: np.ndarray
    score: np.ndarray
    km: np.ndarray
    terms: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.coach)

    @property
    def program(self) -> ProgramData:
        return self.view.program

    def subset(self, keep: np.ndarray) -> EligiblePairs:
        """The pairs where ``keep`` is True (e.g. without pairs whose calendars cannot fit)."""
        return EligiblePairs(
            self.view,
            self.coach[keep],
            self.candidate[keep],
            self.score[keep],
            self.km[keep],
            {name: values[keep] for name, values in self.terms.items()},
        )

    def index(self) -> dict[tuple[int, int], int]:
        """(candidate, coach) → pair position."""
        pairs = zip(self.candidate.tolist(), self.coach.tolist(), strict=True)
        return {pair: p for p, pair in enumerate(pairs)}


def score_terms(view: ProgramView, ci: np.ndarray, ki: np.ndarray) -> dict[str, np.ndarray]:
    """The contract's pair score, term by term, each already multiplied by its weight."""
    w = view.program.policy.weights
    level = view.k_level[ki]
    level_hit = (level != NO_CODE) & view.c_levels[ci, np.maximum(level, 0)]
    k_lang = view.k_languages[ki]
    shares = ((view.c_languages[ci] & k_lang) != 0).any(axis=1) & (k_lang != 0).any(axis=1)
    focus = view.k_cpsel[ki]
    overlap = _POPCOUNT[focus & view.c_cpsel[ci]] / np.maximum(_POPCOUNT[focus], 1)
    km = pair_km(view, ci, ki)
    n_c = max(view.n_coaches, 1)
    preferred = contains(view.preferred_keys, ki.astype(np.int64) * n_c + ci)
    district = view.c_district[ci]
    same_district = (district != NO_CODE) & (district == view.k_district[ki])
    return {
        "level": w.level * level_hit,
        "language": w.language * shares,
        "cpsel": w.cpsel * overlap,
        "travel": -w.travel_per_100km * np.nan_to_num(km) / 100.0,
        "continuity": w.continuity * (view.k_current_coach[ki] == ci),
        "preference": w.preference * preferred,
        "same_district": w.same_district * same_district,
    }


def build_pairs(program: ProgramData, view: ProgramView | None = None) -> EligiblePairs:
    """All eligible pairs of the program with their scores."""
    view = view or build_view(program)
    ci, ki = region_role_blocks(view)
    keep = eligible_mask(view, ci, ki)
    ci, ki = ci[keep], ki[keep]
    order = np.lexsort((ci, ki))
    ci, ki = ci[order].astype(np.int64), ki[order].astype(np.int64)
    terms = {name: np.asarray(v, dtype=np.float64) for name, v in score_terms(view, ci, ki).items()}
    score = np.sum([terms[t] for t in SCORE_TERMS], axis=0) if len(ci) else np.zeros(0)
    return EligiblePairs(view, ci, ki, score, pair_km(view, ci, ki), terms)
