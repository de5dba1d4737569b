"""What ``validate`` tells a coordinator before any roster exists: which rule empties the pair
list, and how many candidates of each region × role the coaches can really take.

Both answers come from the same rule table (:data:`matcher.rules.eligibility.RULES`) and
eligible pairs that ``assign`` uses, so ``validate`` cannot promise room that ``assign`` then
does not find. A coach serving several regions or roles has one set of places: the per-group
figures are max-flows over the eligible pairs (:func:`solvers.coverage.max_coverage`), not
sums of places that count that coach in every group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.rules.eligibility import RULES, Rule, region_role_blocks
from matcher.rules.pairs import EligiblePairs
from matcher.rules.view import ProgramView
from solvers.coverage import max_coverage

FEW_PAIRS_SHARE = 0.5
"""Below this share of candidates with at least one eligible coach, ``validate`` warns."""


@dataclass(frozen=True)
class RuleBlock:
    """How many of the pairs whose region and role fit (rules 3 and 4) one rule rules out."""

    rule: Rule
    ruled_out: int
    considered: int

    @property
    def share(self) -> float:
        return self.ruled_out / self.considered if self.considered else 0.0


def blocking_rules(view: ProgramView) -> list[RuleBlock]:
    """Every rule but 3 and 4, with the pairs it rules out among those whose region and role
    fit, most first (each rule counted on its own: a pair can fail several). Empty when no
    coach serves any candidate's region and role: then rules 3 and 4 are the whole answer."""
    ci, ki = region_role_blocks(view)
    if len(ci) == 0:
        return []
    blocks = [
        RuleBlock(rule, int((~rule.check(view, ci, ki)).sum()), len(ci))
        for rule in RULES
        if rule.name not in ("region", "role")
    ]
    return sorted(blocks, key=lambda b: (-b.ruled_out, b.rule.number))


def without_region_role_coach(view: ProgramView) -> int:
    """Candidates whom no coach serves in their region and role (rules 3 and 4)."""
    _, ki = region_role_blocks(view)
    return len(view.program.candidates) - len(np.unique(ki))


def few_pairs(pairs: EligiblePairs) -> bool:
    """Whether so few candidates have an eligible coach that the program is likely mis-set
    (e.g. every coach's network training reset by ``rollover``)."""
    n = len(pairs.program.candidates)
    with_coach = len(np.unique(pairs.candidate))
    return n > 0 and (len(pairs) == 0 or with_coach < FEW_PAIRS_SHARE * n)


@dataclass(frozen=True)
class GroupRoom:
    """One region × role: its candidates against the room the coaches really have for them.

    ``places_reachable``: places of the coaches serving the group (a coach shared with other
    groups counts fully here too). ``placeable``: the most of its candidates placed if no other
    group needed the same coaches. ``placed_surely``: placed in every roster that places the
    most candidates overall (the places other groups cannot do without are taken out).
    """

    region: str
    role: str
    candidates: int
    without_eligible_coach: int
    coaches: int
    places_reachable: int
    placeable: int
    placed_surely: int


def group_room(pairs: EligiblePairs, places: np.ndarray) -> tuple[int, list[GroupRoom]]:
    """(the most candidates any roster places, each region × role's room), by region, role."""
    program = pairs.program
    cands, coaches = program.candidates, program.coaches
    n_c, n_k = len(coaches), len(cands)

    def cover(mask: np.ndarray | None) -> int:
        return max_coverage(n_c, n_k, pairs.coach, pairs.candidate, places, mask)

    total = cover(None)
    with_pair = np.zeros(n_k, dtype=bool)
    with_pair[pairs.candidate] = True
    groups: dict[tuple[str, str], list[int]] = {}
    for i, k in enumerate(cands):
        groups.setdefault((k.region, k.role), []).append(i)
    rows = []
    for (region, role), members in sorted(groups.items()):
        mask = np.zeros(n_k, dtype=bool)
        mask[members] = True
        able = [j for j, c in enumerate(coaches) if region in c.serves and role in c.roles]
        rows.append(
            GroupRoom(
                region,
                role,
                len(members),
                int((~with_pair[members]).sum()),
                len(able),
                int(places[able].sum()) if able else 0,
                cover(mask),
                total - cover(~mask),
            )
        )
    return total, rows
