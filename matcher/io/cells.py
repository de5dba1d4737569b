"""Parsers and validity tests for single spreadsheet cells.

Each ``is_*`` predicate answers "is this cell acceptable?" for a pandera check, and the matching
``to_*`` converts an accepted cell. Empty cells are acceptable to every predicate: whether a
value is required is decided by the schema, not here.
"""

from __future__ import annotations

import math
import re

from matcher.windows import parse_windows

TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0", ""})
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def split_list(cell: str) -> list[str]:
    """``"a; b;"`` → ``["a", "b"]``: the contract separates list items with ``;``."""
    return [item.strip() for item in cell.split(";") if item.strip()]


def to_float(cell: str) -> float | None:
    return float(cell) if cell else None


def to_int(cell: str) -> int | None:
    return int(float(cell)) if cell else None


def to_bool(cell: str) -> bool:
    return cell.strip().lower() in TRUE_WORDS


def is_bool(cell: str) -> bool:
    return cell.strip().lower() in TRUE_WORDS | FALSE_WORDS


def is_float(cell: str, low: float = -math.inf, high: float = math.inf) -> bool:
    if not cell:
        return True
    try:
        value = float(cell)
    except ValueError:
        return False
    return math.isfinite(value) and low <= value <= high


MAX_COUNT = 1_000_000


def is_int(cell: str, low: int = 0, high: int = MAX_COUNT) -> bool:
    """Whole numbers, also as Excel writes them (``"12.0"``), from ``low`` to ``high``.

    The upper bound keeps a typo (``99999999999999999999``) from overflowing the solvers' arrays.
    """
    if not cell:
        return True
    try:
        value = float(cell)
    except ValueError:
        return False
    return math.isfinite(value) and value == int(value) and low <= value <= high


def is_month(cell: str) -> bool:
    return not cell or bool(_MONTH.match(cell))


def is_windows(cell: str) -> bool:
    return not cell or parse_windows(cell) is not None


def is_choice_list(cell: str, choices: frozenset[str]) -> bool:
    return all(item.lower() in choices for item in split_list(cell))


def is_cpsel_list(cell: str) -> bool:
    return all(item in {"1", "2", "3", "4", "5", "6"} for item in split_list(cell))
