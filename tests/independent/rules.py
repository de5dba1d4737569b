"""Eligibility rules 1–9 and the pair score, transcribed one by one from the contract.

Kept as plain ``if`` statements that each name their rule, so a failing test points at
the rule and a reviewer can hold each branch against the contract's wording.
"""

from __future__ import annotations

from .program import IndependentProgram, Window, fmt_hhmm


def _meeting_overlap_ok(
    coach_windows: list[Window],
    cand_windows: list[Window],
    weekdays: set[int],
    day_start: int,
    day_end: int,
    shortest: int,
) -> bool:
    """Rule 9: some coach window and candidate window on one allowed weekday overlap,
    clipped to day_start..day_end, for at least the shortest session length."""
    for wd_c, start_c, end_c in coach_windows:
        if wd_c not in weekdays:
            continue
        for wd_k, start_k, end_k in cand_windows:
            if wd_k != wd_c:
                continue
            start = max(start_c, start_k, day_start)
            end = min(end_c, end_k, day_end)
            if end - start >= shortest:
                return True
    return False


def why_ineligible(program: IndependentProgram, coach_id: str, candidate_id: str) -> list[str]:
    """Every rule (1–9) the pair breaks, as ``"rule N: ..."`` strings; empty = eligible."""
    c = program.coaches[coach_id]
    k = program.candidates[candidate_id]
    rules = program.config["eligibility"]
    broken: list[str] = []

    # 1. certified, or in_progress where allowed and k is in program year 1
    broken.extend(_rule_1_certification(program, coach_id, candidate_id))

    # 2. cnet_current where require_cnet
    if rules["require_cnet"] and not c.cnet_current:
        broken.append("rule 2: coach has not completed CNET this year")

    # 3. region
    if k.region != c.region and k.region not in c.regions_served:
        broken.append(f"rule 3: coach does not serve region {k.region!r}")

    # 4. role
    if rules["role_must_match"] and k.role not in c.roles:
        broken.append(f"rule 4: coach does not coach role {k.role!r}")

    # 5. supervisor conflict
    broken.extend(_rule_5_supervisor(program, coach_id, candidate_id))

    # 6. excluded
    if coach_id in k.exclude_coach_ids:
        broken.append("rule 6: candidate excludes this coach")

    # 7. distance
    limit = float(rules["max_travel_km"])
    km = program.distance_km(coach_id, candidate_id)
    if km is not None and limit != 0 and km > limit:
        broken.append(f"rule 7: distance {km:.1f} km exceeds max_travel_km {limit:g}")

    # 8. admin years
    min_years = rules["min_admin_years"]
    if c.admin_years is not None and c.admin_years < min_years:
        broken.append(f"rule 8: coach admin_years {c.admin_years} < {min_years}")

    # 9. a common window long enough for the shortest session
    broken.extend(_rule_9_common_window(program, coach_id, candidate_id))
    return broken


# Rules with more than one branch, each in its own function so that ``why_ineligible`` reads
# as the contract's list of rules 1–9 and each branch can still be held against its wording.


def _rule_1_certification(
    program: IndependentProgram, coach_id: str, candidate_id: str
) -> list[str]:
    """Rule 1: certified, or in_progress where allowed and the candidate is in program year 1."""
    c = program.coaches[coach_id]
    k = program.candidates[candidate_id]
    rules = program.config["eligibility"]
    broken: list[str] = []
    if c.certification == "certified":
        pass
    elif c.certification == "in_progress":
        if not rules["allow_in_progress_certification"]:
            broken.append("rule 1: coach certification in_progress is not allowed")
        elif k.program_year != 1:
            broken.append("rule 1: in_progress coach may take year 1 candidates only")
    else:
        broken.append(f"rule 1: coach certification is {c.certification!r}")
    return broken


def _rule_5_supervisor(program: IndependentProgram, coach_id: str, candidate_id: str) -> list[str]:
    """Rule 5: the coach is neither the candidate's direct supervisor nor, where the conflict
    rule is ``chain``, anyone above the candidate in the supervision chain."""
    c = program.coaches[coach_id]
    rules = program.config["eligibility"]
    broken: list[str] = []
    if c.person_id:
        if c.person_id in program.direct[candidate_id]:
            broken.append("rule 5: coach is the candidate's direct supervisor")
        elif (
            str(rules["supervisor_conflict"]).lower() == "chain"
            and c.person_id in program.above[candidate_id]
        ):
            broken.append("rule 5: coach is above the candidate in the supervision chain")
    return broken


def _rule_9_common_window(
    program: IndependentProgram, coach_id: str, candidate_id: str
) -> list[str]:
    """Rule 9: a common window long enough for the shortest session (only checked when both
    coach and candidate give windows: no windows means free all day)."""
    c = program.coaches[coach_id]
    k = program.candidates[candidate_id]
    broken: list[str] = []
    if c.available and k.available:
        shortest = min(program.session_minutes)
        if not _meeting_overlap_ok(
            c.available,
            k.available,
            program.weekdays,
            program.day_start,
            program.day_end,
            shortest,
        ):
            broken.append(
                f"rule 9: no common window of {shortest} min on an allowed weekday within "
                f"{fmt_hhmm(program.day_start)}-{fmt_hhmm(program.day_end)}"
            )
    return broken


def eligible(program: IndependentProgram, coach_id: str, candidate_id: str) -> bool:
    """True when the pair satisfies all of rules 1–9."""
    return not why_ineligible(program, coach_id, candidate_id)


def pair_score(program: IndependentProgram, coach_id: str, candidate_id: str) -> float:
    """The contract's pair score (computed for any pair, eligible or not)."""
    c = program.coaches[coach_id]
    k = program.candidates[candidate_id]
    w = {key: float(value) for key, value in program.config["weights"].items()}
    score = 0.0
    if k.level and k.level in c.levels:
        score += w["level"]
    if k.languages and set(k.languages) & set(c.languages):
        score += w["language"]
    if k.cpsel_focus:
        score += w["cpsel"] * len(k.cpsel_focus & c.cpsel_strengths) / len(k.cpsel_focus)
    km = program.distance_km(coach_id, candidate_id)
    if km is not None:
        score -= w["travel_per_100km"] * km / 100
    if k.current_coach_id and coach_id == k.current_coach_id:
        score += w["continuity"]
    if coach_id in k.preferred_coach_ids:
        score += w["preference"]
    if c.district and k.district and c.district == k.district:
        score += w["same_district"]
    return score


def eligible_pairs(program: IndependentProgram) -> dict[tuple[str, str], float]:
    """``(coach_id, candidate_id) -> pair score`` for every eligible pair."""
    pairs: dict[tuple[str, str], float] = {}
    for candidate_id in program.candidates:
        for coach_id in program.coaches:
            if eligible(program, coach_id, candidate_id):
                pairs[(coach_id, candidate_id)] = pair_score(program, coach_id, candidate_id)
    return pairs
