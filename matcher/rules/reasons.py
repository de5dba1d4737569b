"""Why a candidate has no coach, in words a coordinator can repeat to a superintendent.

Worked out only for the unassigned, from the same rule functions that built the pairs. Reasons
come with a short code, for counting them in the summary, and a specific sentence naming the
region, role, rules and coaches involved.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from matcher.problem import Coach, ProgramData
from matcher.rules.eligibility import failed_rules
from matcher.rules.view import ProgramView

LISTED = 8  # coach ids named in one reason before "and N more"

REASON_WORDS = {
    "no_coach_in_region": "no coach serves the region",
    "no_coach_for_role": "no coach serves the role in the region",
    "no_eligible_coach": "no eligible coach (rules 1-9)",
    "eligible_coaches_full": "every eligible coach is full",
    "places_to_year2": "eligible coaches full, year-2 candidates first",
    "eligible_coaches_capped": "eligible coaches are at a program cap",
    "no_coach_calendar_fits": "no eligible coach's calendar can give the hours",
    "not_reached": "not placed before the search ended (roster not proven optimal)",
}
"""Plain words for each reason code of :func:`explain_unassigned` (roster.csv and summary.json
keep the codes, for counting; the report and the terminal show these words)."""


def reason_words(code: str) -> str:
    """The plain words of a reason code (the code itself, spaced, if it has none)."""
    return REASON_WORDS.get(code, code.replace("_", " "))


def _ids(coaches: list[Coach]) -> str:
    names = [c.coach_id for c in coaches[:LISTED]]
    more = len(coaches) - LISTED
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _year2_takers(
    view: ProgramView, k: int, full: list[int], holders: dict[int, list[int]] | None
) -> list[int]:
    """Year-2 candidates holding places of the full coaches, when ``k`` is in year 1."""
    if holders is None or view.k_year[k] == 2:
        return []
    return [h for c in full for h in holders.get(c, []) if view.k_year[h] == 2]


def _is_full(c: int, loads: dict[int, int], places: dict[int, int]) -> bool:
    """A coach with no place left in this roster (places may be fewer than its capacity)."""
    return loads.get(c, 0) >= places.get(c, 0)


def _calendar_reason(
    program: ProgramData,
    no_fit: dict[int, str],
    eligible: list[int],
    loads: dict[int, int],
    places: dict[int, int],
) -> tuple[str, str] | None:
    """When coaches were ruled out by their calendars and every other eligible coach is full,
    the calendars are the reason: name each with the scheduler's words. None otherwise."""
    if not no_fit:
        return None
    unfit = "; ".join(f"{program.coaches[c].coach_id} ({why})" for c, why in sorted(no_fit.items()))
    full = [program.coaches[c] for c in eligible if _is_full(c, loads, places)]
    if len(full) != len(eligible):
        return None
    rest = f"; the other eligible coaches are full: {_ids(full)}" if full else ""
    return "no_coach_calendar_fits", f"no eligible coach can meet the hours: {unfit}{rest}"


def _full_reason(
    view: ProgramView,
    k: int,
    full: list[int],
    places: dict[int, int],
    year2_holders: dict[int, list[int]] | None,
) -> tuple[str, str]:
    """Every eligible coach is full: say how many were cut by monthly hours, and whether
    year-2 candidates (who come first) hold the places."""
    program = view.program
    coaches = [program.coaches[c] for c in full]
    capped = [program.coaches[c] for c in full if places[c] < program.coaches[c].capacity]
    hours = f" ({len(capped)} by monthly hours)" if capped else ""
    n = len(full)
    taken = _year2_takers(view, k, full, year2_holders)
    if taken:
        return "places_to_year2", (
            f"{'the only eligible coach is' if n == 1 else f'{n} eligible coaches, all'} "
            f"full{hours}; year-2 candidates, who complete the program this year, come "
            f"first and hold {len(taken)} of their places: {_ids(coaches)}"
        )
    if n == 1:
        return (
            "eligible_coaches_full",
            f"the only eligible coach is full{hours}: {_ids(coaches)}",
        )
    return (
        "eligible_coaches_full",
        f"{n} eligible coaches, all full{hours}: {_ids(coaches)}",
    )


def _eligible_reason(
    view: ProgramView,
    k: int,
    eligible: list[int],
    loads: dict[int, int],
    places: dict[int, int],
    proven: bool,
    year2_holders: dict[int, list[int]] | None,
) -> tuple[str, str]:
    """The candidate has eligible coaches: they are full, the search stopped early, or a
    program cap (first-year or same-district per coach) keeps them out."""
    full = [c for c in eligible if _is_full(c, loads, places)]
    if len(full) == len(eligible):
        return _full_reason(view, k, full, places, year2_holders)
    coaches = [view.program.coaches[c] for c in eligible]
    if not proven:
        return "not_reached", (
            "eligible coaches have room, but the search ended before it placed this candidate "
            "with one of them (the roster is not proven optimal; plan stops after its repair "
            "rounds): " + _ids(coaches)
        )
    return "eligible_coaches_capped", (
        "eligible coaches with room are at a program cap (first-year or same-district "
        "candidates per coach): " + _ids(coaches)
    )


def _ineligible_reason(view: ProgramView, k: int, fails: dict[int, list]) -> tuple[str, str]:
    """No coach is eligible: narrow down from region to role to the first rule each coach
    serving both fails, so the sentence names what a coordinator could change."""
    program = view.program
    cand = program.candidates[k]
    where = f"region {cand.region}"
    serving = [c for c, rules in fails.items() if all(r.name != "region" for r in rules)]
    if not serving:
        return "no_coach_in_region", f"no coach serves {where}"
    relevant = [c for c in serving if all(r.name != "role" for r in fails[c])]
    if not relevant:
        return "no_coach_for_role", f"no coach serves {where} for role {cand.role}"
    first_words = {}
    for c in relevant:
        first = fails[c][0]
        first_words[c] = first.words(program.coaches[c], cand, view)
    scope = f"{where} for role {cand.role}"
    if len(relevant) == 1:
        c = relevant[0]
        return "no_eligible_coach", (
            f"the only coach serving {scope} ({program.coaches[c].coach_id}) is {first_words[c]}"
        )
    counts = Counter(first_words.values())
    parts = "; ".join(f"{words} ({n})" for words, n in sorted(counts.items(), key=lambda x: -x[1]))
    return (
        "no_eligible_coach",
        f"none of the {len(relevant)} coaches serving {scope} is eligible: {parts}",
    )


def explain_unassigned(
    view: ProgramView,
    k: int,
    loads: dict[int, int],
    places: dict[int, int],
    proven: bool,
    no_fit: dict[int, str] | None = None,
    codes: np.ndarray | None = None,
    year2_holders: dict[int, list[int]] | None = None,
) -> tuple[str, str]:
    """(code, sentence) for candidate index ``k`` left without a coach.

    ``no_fit`` names eligible coaches ruled out because their calendars cannot give this
    candidate the hours (found by ``plan``), with the scheduler's reason; ``codes`` is the
    candidate's row of :func:`matcher.rules.eligibility.failure_codes`, if computed in a batch.
    ``year2_holders`` (coach -> candidates holding its places), given where the program puts
    year-2 candidates first, lets a year-1 candidate's "all full" say that year-2 candidates
    took the places.
    """
    fails = failed_rules(view, k, codes)
    no_fit = no_fit or {}
    eligible = [c for c, rules in fails.items() if not rules and c not in no_fit]
    calendar = _calendar_reason(view.program, no_fit, eligible, loads, places)
    if calendar is not None:
        return calendar
    if eligible:
        return _eligible_reason(view, k, eligible, loads, places, proven, year2_holders)
    return _ineligible_reason(view, k, fails)
