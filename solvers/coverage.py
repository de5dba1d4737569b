"""The most candidates any roster can place: a max-flow over the eligible pairs.

source → coach (its places) → candidate (one arc per eligible pair) → sink (1 each). Solved
with OR-Tools' max-flow in milliseconds even statewide, so it can be asked many times, e.g. once
per region × role with that group's candidates left out (``validate``'s places figures).
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow


def max_coverage(
    n_coaches: int,
    n_candidates: int,
    pair_coach: np.ndarray,
    pair_candidate: np.ndarray,
    places: np.ndarray,
    candidates: np.ndarray | None = None,
) -> int:
    """Largest number of candidates (of ``candidates``, a boolean mask; all by default) that can
    each get an eligible coach without any coach exceeding its places."""
    keep = (
        np.ones(len(pair_coach), dtype=bool) if candidates is None else candidates[pair_candidate]
    )
    flow = max_flow.SimpleMaxFlow()
    source, sink = n_coaches + n_candidates, n_coaches + n_candidates + 1
    coaches, cands = np.arange(n_coaches), np.arange(n_candidates) + n_coaches
    flow.add_arcs_with_capacity(np.full(n_coaches, source), coaches, places.astype(np.int64))
    flow.add_arcs_with_capacity(
        pair_coach[keep], pair_candidate[keep] + n_coaches, np.ones(int(keep.sum()), dtype=np.int64)
    )
    flow.add_arcs_with_capacity(cands, np.full(n_candidates, sink), np.ones(n_candidates, np.int64))
    if flow.solve(source, sink) != flow.OPTIMAL:  # pragma: no cover - capacities are finite
        raise RuntimeError("max-flow failed")
    return int(flow.optimal_flow())
