"""plan's last step: give the candidates left out a free place where a calendar can take them.

The repair rounds learn the calendar from the time relaxation, which is blind to travel and
to the standing week; they end with a roster whose every pair meets its hours, but some coach
may still have a free place and free time that a left-out candidate could use, or a year-2
candidate may sit with a new coach while last year's coach could still take them.

So, in a fixed order (year-2 candidates first where the program says so, then input order),
coverage before continuity as in the roster's own objective:

- **insert**: each candidate without a coach is offered eligible coaches with a free place
  (last year's coach first, then by pair score), at most ``TRIES_PER_CANDIDATE`` of them; a
  year-2 candidate may then take last year's coach by a swap (below);
- **return**: then each year-2 candidate with another coach is offered last year's coach, if
  it has a free place (the place it leaves is free for the next ones), or by a **swap**: one
  of that coach's candidates without a pin or continuity with it (those competing most for
  the coach's week first) moves to another coach with a place;
- **insert** again: the places the returns freed; then, for each candidate still without a
  coach, a **displacement** at one of its first coaches: one of that coach's candidates
  without continuity there moves to a coach with a place, as in a swap (on the generated
  district: 5 more candidates scheduled for ~220 more calendar solves).

An offer is taken only when the coach's whole calendar, with the newcomer, still meets every
monthly and yearly minimum: the per-coach scheduler decides, after a fast necessary test on
the time relaxation's rows (:func:`solvers.timed_assign.week_holds`) and the month model's
date-by-date check with travel (:func:`solvers.timed_cuts.may_fit`). Calendars are cached by
(coach, candidates), so the final schedule re-solves nothing. Coverage and continuity only
grow; each step is deterministic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from matcher.problem import ProgramData
from solvers.timed_assign import TimedAssignProblem, shared_minutes, week_holds
from solvers.timed_cuts import Verdicts, check_sets, may_fit

TRIES_PER_CANDIDATE = 4
"""Coaches a left-out (or moved) candidate is offered (each offer is a calendar solve)."""
SWAP_TRIES = 3
"""Candidates of a coach asked to move so that another candidate can have that coach."""
DISPLACE = True
"""Whether the last insert pass may make room by a swap at any of a candidate's coaches."""
SOLVES_PER_CANDIDATE = 1.0
"""The step's budget: at most this many calendar solves per candidate of the program (a
count of the solves one worker makes, so the roster is the same whatever ``--workers``).
Measured: the sample's fill makes 53 (of 180), the generated district's 809 (of 1,000); the
school-hours sample reaches it (180), ~5 minutes of solves with one worker."""


@dataclass(frozen=True)
class FillOutcome:
    """The roster after the step (candidate index -> coach index) and what changed."""

    mapping: dict[int, int]
    inserted: tuple[int, ...]
    returned: tuple[int, ...]
    offers: int
    """Calendar solves as one worker makes them (more workers also solve a few ahead)."""
    capped: bool = False
    """The step stopped at its budget of calendar solves (SOLVES_PER_CANDIDATE)."""


@dataclass(frozen=True)
class FillInputs:
    """What the step reads: the program's pairs as the time model has them, and the rules
    of the roster (places per coach, pairs that can never meet, continuity pairs)."""

    program: ProgramData
    problem: TimedAssignProblem
    every: list[tuple[int, int]]
    index: dict[tuple[int, int], int]
    places: np.ndarray
    never: set[tuple[int, int]]
    continuity: np.ndarray
    fixed: set[int]
    """Candidates whose pairs are pinned: never moved."""
    verdicts: Verdicts = field(default_factory=Verdicts)
    """Coaches' sets of pairs checked date by date so far (shared with plan's rounds)."""


CalendarsFit = Callable[[list[tuple[int, list[int]]]], list[bool]]
"""``(coach, candidates)`` requests -> whether each coach's calendar with exactly those
candidates meets every minimum (solved in any order, e.g. in parallel)."""


def fill(
    inputs: FillInputs, mapping: dict[int, int], calendars_fit: CalendarsFit, batch: int = 1
) -> FillOutcome:
    """Insert, return and swap candidates as the module docstring says.

    Each candidate's possible moves are tried in their order; ``batch`` of them have their
    calendars solved together (one per worker), and the first that fits is made, so the
    outcome does not depend on ``batch``.
    """
    budget = int(SOLVES_PER_CANDIDATE * len(inputs.program.candidates))
    step = _Step(inputs, dict(mapping), calendars_fit, max(1, batch), budget)
    options = _options(inputs)
    order = [k for k in _order(inputs.program) if k not in inputs.fixed]
    for k in [k for k in order if k not in step.mapping]:  # coverage first
        step.offer(k, options)
    for k in [k for k in order if k in step.mapping]:  # then continuity
        step.offer(k, options)
    for k in [k for k in order if k not in step.mapping]:  # places the returns freed, and
        step.offer(k, options, displace=DISPLACE)  # another coach's candidate making room
    return FillOutcome(
        step.mapping, tuple(step.inserted), tuple(step.returned), step.offers, step.capped
    )


Moves = dict[int, int]
"""Candidate index -> the coach index it moves to."""


@dataclass
class _Step:
    """The roster as the step changes it, and what it has done so far."""

    inputs: FillInputs
    mapping: dict[int, int]
    calendars_fit: CalendarsFit
    batch: int
    budget: int
    inserted: list[int] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)
    offers: int = 0
    capped: bool = False

    def __post_init__(self) -> None:
        self.load = Counter(self.mapping.values())

    def coach(self, p: int) -> int:
        return self.inputs.every[p][1]

    def has_place(self, c: int) -> bool:
        return self.load[c] < int(self.inputs.places[c])

    def offer(self, k: int, options: dict[int, list[int]], displace: bool = False) -> None:
        """One candidate: a place if it has none (last year's coach first, by a swap if need
        be; with ``displace`` at any of its first coaches by a swap), or last year's coach if
        it is with another."""
        last = next((p for p in options[k] if self.inputs.continuity[p]), None)
        if k not in self.mapping:
            if (
                self.first(self.places(k, options[k]))
                or (last is not None and self.first(self.swaps(k, last, options)))
                or (displace and self.first(self.displacements(k, last, options)))
            ):
                self.inserted.append(k)
            return
        if last is None or self.coach(last) == self.mapping[k]:
            return
        if self.first([{k: self.coach(last)}]) or self.first(self.swaps(k, last, options)):
            self.returned.append(k)

    def places(self, k: int, pairs: list[int]) -> list[Moves]:
        """A left-out candidate to its first ``TRIES_PER_CANDIDATE`` coaches with a place."""
        with_place = [p for p in pairs if self.has_place(self.coach(p))]
        return [{k: self.coach(p)} for p in with_place[:TRIES_PER_CANDIDATE]]

    def displacements(self, k: int, last: int | None, options: dict[int, list[int]]) -> list[Moves]:
        """A left-out candidate to one of its first ``TRIES_PER_CANDIDATE`` coaches (other
        than last year's, tried already) whose place or time another candidate gives up by
        moving to a coach with a place (:meth:`swaps`)."""
        out: list[Moves] = []
        for p in options[k][:TRIES_PER_CANDIDATE]:
            if p != last:
                out.extend(self.swaps(k, p, options))
        return out

    def swaps(self, k: int, to: int, options: dict[int, list[int]]) -> list[Moves]:
        """Candidate ``k`` to the coach of pair ``to`` (last year's coach, or in a
        displacement one of its first coaches), whose place (or time) another of that
        coach's candidates gives up by moving to a coach with a place: any without a pin or
        continuity with this coach (each keeps a coach, so coverage holds; a year-2 one may
        even reach its own last coach), those competing most with ``k`` for the coach's
        week first (moving them frees the time ``k`` needs, not just a place), at most
        ``SWAP_TRIES`` of them."""
        c, inputs = self.coach(to), self.inputs
        movable = [
            j
            for j, cc in sorted(self.mapping.items())
            if cc == c and j not in inputs.fixed and not inputs.continuity[inputs.index[(j, c)]]
        ]
        movable.sort(key=lambda j: -shared_minutes(inputs.problem, to, inputs.index[(j, c)]))
        out = []
        for j in movable[:SWAP_TRIES]:
            away = [
                p
                for p in options[j]
                if self.coach(p) != c
                and (self.has_place(self.coach(p)) or self.coach(p) == self.mapping.get(k))
            ]
            out.extend({k: c, j: self.coach(p)} for p in away[:TRIES_PER_CANDIDATE])
        return out

    def first(self, options: list[Moves]) -> bool:
        """Make the first of the moves whose every touched coach keeps its places, the
        program's caps and its time rows, and whose calendars all meet every minimum. The
        cheap tests run only as far as the calendars are asked for: ``batch`` at a time."""
        known: dict[tuple[int, tuple[int, ...]], bool] = {}
        charged: set[tuple[int, tuple[int, ...]]] = set()
        chunk: list[tuple[Moves, dict[int, list[int]]]] = []
        for at, moves in enumerate(options):
            if at % self.batch == 0:
                self.check_ahead(options[at : at + self.batch])
            rosters = self.rosters(moves)
            if rosters is not None:
                chunk.append((moves, rosters))
            if len(chunk) < self.batch and at < len(options) - 1:
                continue
            if chunk and self.ask(chunk, known, charged):
                return True
            if self.capped:
                return False
            chunk = []
        return False

    def ask(
        self,
        chunk: list[tuple[Moves, dict[int, list[int]]]],
        known: dict[tuple[int, tuple[int, ...]], bool],
        charged: set[tuple[int, tuple[int, ...]]],
    ) -> bool:
        """Solve the chunk's calendars together, then take its moves in order as one worker
        would: each is charged the solves one worker would have made for it (its sets not
        asked before in this offer, ``charged``), the budget is checked before each, and the
        first whose calendars all fit is made. So ``offers``, where the budget stops the step
        and the roster do not depend on ``batch``; the solves made ahead are not counted."""
        if self.offers >= self.budget:
            self.capped = True  # a move left untried for want of budget
            return False
        asks = sorted({(c, tuple(m)) for _, r in chunk for c, m in r.items() if m} - set(known))
        answers = self.calendars_fit([(c, list(m)) for c, m in asks])
        known.update(zip(asks, answers, strict=True))
        for moves, rosters in chunk:
            if self.offers >= self.budget:
                self.capped = True
                return False
            sets = {(c, tuple(m)) for c, m in rosters.items() if m}
            self.offers += len(sets - charged)
            charged |= sets
            if all(known[key] for key in sets):
                self.mapping = {**self.mapping, **moves}
                self.load = Counter(self.mapping.values())
                return True
        return False

    def rosters(self, moves: Moves) -> dict[int, list[int]] | None:
        """The touched coaches' candidates after the moves, or None where a coach would
        exceed its places or the program's caps, or fail its time rows, or provably cannot
        meet every minimum (the month model)."""
        rosters = self.cheap_rosters(moves)
        if rosters is None:
            return None
        inputs = self.inputs
        for c, members in rosters.items():
            group = self.group(c, members)
            if members and not may_fit(inputs.problem, group, known=inputs.verdicts):
                return None
        return rosters

    def cheap_rosters(self, moves: Moves) -> dict[int, list[int]] | None:
        """:meth:`rosters` without the month model: places, caps and time rows only."""
        new = {**self.mapping, **moves}
        touched = set(moves.values()) | {self.mapping[k] for k in moves if k in self.mapping}
        rosters = {c: sorted(k for k, cc in new.items() if cc == c) for c in sorted(touched)}
        inputs = self.inputs
        for c, members in rosters.items():
            group = self.group(c, members)
            if len(members) > int(inputs.places[c]) or not _within_group_caps(inputs, group):
                return None
            if members and not week_holds(inputs.problem, group):
                return None
        return rosters

    def group(self, c: int, members: list[int]) -> list[int]:
        """Coach ``c``'s pairs with ``members``, as the time model numbers them."""
        return sorted(self.inputs.index[(k, c)] for k in members)

    def check_ahead(self, options: list[Moves]) -> None:
        """The month model's verdicts for the next ``batch`` moves, checked together (one
        per worker); :meth:`rosters` then finds them known. Verdicts do not depend on when
        they are checked, so the step's outcome does not either."""
        if self.batch <= 1:
            return
        groups = [
            self.group(c, members)
            for moves in options
            for c, members in (self.cheap_rosters(moves) or {}).items()
            if members
        ]
        check_sets(self.inputs.problem, groups, known=self.inputs.verdicts, workers=self.batch)


def _order(program: ProgramData) -> list[int]:
    """Year-2 candidates first where the program puts them first, then input order."""
    first = program.policy.priority.year2_first
    ks = range(len(program.candidates))
    return sorted(ks, key=lambda k: (first and program.candidates[k].program_year != 2, k))


def _options(inputs: FillInputs) -> dict[int, list[int]]:
    """Each candidate's pairs that might meet, continuity first, then by score, then coach."""
    weight = inputs.problem.base.weight
    out: dict[int, list[int]] = defaultdict(list)
    for p, pair in enumerate(inputs.every):
        if pair not in inputs.never:
            out[pair[0]].append(p)
    for ps in out.values():
        ps.sort(key=lambda p: (not inputs.continuity[p], -int(weight[p]), inputs.every[p][1]))
    return out


def _within_group_caps(inputs: FillInputs, group: list[int]) -> bool:
    """Whether one coach's pairs keep the program's caps per coach (year-1 candidates, one
    district), as the assignment model does."""
    for family in inputs.problem.base.groups:
        counts = Counter(int(family.pair_group[p]) for p in group)
        if any(g >= 0 and n > int(family.cap[g]) for g, n in counts.items()):
            return False
    return True
