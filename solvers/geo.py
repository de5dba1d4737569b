"""Distances between places on the earth, as the contract measures them (haversine, km).

Here, in the mathematics layer, so that both the rules (``matcher.rules``: the travel limit,
the travel score term, the scheduler's travel minutes) and the solvers' own checks (the month
model's travel times) use one formula.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

EARTH_KM = 6371.0
"""The contract's earth radius."""


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km (earth radius 6371 km); nan where a coordinate is missing.
    Scalars or arrays, broadcast as numpy does."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))
