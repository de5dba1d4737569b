"""Whether one coach's pairs can all meet their minimums, date by date, with travel: exact
enough to prove *no*, and the cuts those proofs give the time relaxation.

Why
---
The time relaxation (:mod:`solvers.timed_assign`) counts a coach's free minutes per piece of
its week. It cannot see that sessions are whole and that a coach who moves between sites
loses the travel time on that date: three Monday-only pairs at three sites, each free
14:30-17:00 and each owing 180 minutes a month, fit its rows (600 >= 540 minutes over four
Mondays) but no calendar holds them, since a Monday holds either one pair for 150 minutes or
two for 60 each plus the drive between them.

Day patterns
------------
Per weekday, a coach's pairs' usable segments join into *blocks*: maximal intervals of time
in which some pair of the group may meet. A session lies inside one of its pair's segments,
hence inside one block. A *day pattern* of a block is what one date can give each pair inside
it: the minutes of a sequence of sessions, each of an allowed length, inside its pair's
segments, not overlapping, with the travel time between two sessions at different places
(started as early as possible, which loses no sequence). Only patterns no other pattern beats
for every pair are kept. A block whose sequences are too many to list (a long free day) is
*bulk*: it gives at most the sessions that fit in it, shared as the pairs like, as in the
relaxation's own rows. Inside it, the blocks of its *narrow* pairs (the widest left out until
the rest can be listed) keep their patterns: on any date those pairs' sessions alone form a
sequence of their own block, so one pair free all day cannot hide three sites sharing one
afternoon. A narrow pair's share of the bulk block is bounded by all its inner blocks
*together* (a morning and an afternoon add up), never by one of them alone: bounding it by
each block separately once proved calendars impossible that exist.

Month model
-----------
Per month, each block chooses a pattern for each of its weekday's usable dates in that month;
a pair's minutes in the month are what its patterns and bulk blocks give it, at most its
monthly maximum; they must reach its monthly minimum from its first month on, sum to its
yearly minimum, and the coach's minutes stay within its monthly cap. Every valid calendar
gives such a choice (its sessions per block and date form patterns, each no better than a kept
one), so when the model is infeasible no calendar exists: a proof, not a heuristic verdict.
What it leaves out (travel between blocks, the start grid, the candidates' other sessions)
only makes it easier to satisfy, so it stays a relaxation.

Cuts
----
Each pair's minimums are switched on by an assumption literal; when CP-SAT proves the group
infeasible it names a sufficient subset of those literals, which is then shrunk by deletion.
No roster can give the coach all pairs of such a *core*: ``Σ x[p] <= |core| - 1`` over the core
is a valid row of the time relaxation (a logic-based Benders cut). :func:`fit_cuts` finds them
for a roster, one coach at a time.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from solvers.geo import haversine_km

from .bulk_days import fill_dates
from .calendar import pack
from .problem import TimeWindow

PATTERN_STATES = 2000
"""Most search states listed per block before it is treated as bulk (a long free day with
many pairs has too many sequences; there travel is a small share of the time anyway)."""
SHRINK_WORK = 0.5
"""CP-SAT deterministic seconds per trial while a core is shrunk (many trials per core)."""
PATTERN_SPREAD = 40
"""A block whose pairs times the sessions it can hold exceed this is bulk without a search
(the search would hit :data:`PATTERN_STATES` after spending the time)."""


@dataclasses.dataclass(frozen=True)
class FitGroup:
    """One coach's pairs as plain data (local indices ``0..n-1``).

    - ``segments[i]``: pair ``i``'s usable weekly segments (normalised, each at least the
      shortest session long);
    - ``travel[i][j]``: whole minutes the coach needs between a session of ``i`` and one of
      ``j`` on one date (0 at one place or where unknown);
    - ``dates[d, m]``: usable dates of weekday ``d`` in month ``m``;
    - ``first_month[i]``, ``min_month``, ``max_month`` (0 = none), ``min_total[i]``,
      ``coach_cap`` (monthly minutes, -1 = none): the hour rules.
    """

    segments: tuple[tuple[TimeWindow, ...], ...]
    travel: tuple[tuple[int, ...], ...]
    dates: np.ndarray
    session_lengths: tuple[int, ...]
    first_month: tuple[int, ...]
    min_month: int
    max_month: int
    min_total: tuple[int, ...]
    coach_cap: int = -1

    @property
    def n_months(self) -> int:
        return int(self.dates.shape[1])


@dataclasses.dataclass(frozen=True)
class Block:
    """A maximal interval of one weekday in which some pairs of the group may meet."""

    weekday: int
    start: int
    end: int
    pairs: tuple[int, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...]  # per pair of ``pairs``: its segments here


def blocks(segments: tuple[tuple[TimeWindow, ...], ...], join_gap: int = 0) -> list[Block]:
    """The group's blocks, by weekday and start. Segments closer than ``join_gap`` minutes
    (the longest travel between two of the group's places) join one block, so that two
    sessions in different blocks are always far enough apart for any drive between them."""
    by_day: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for i, segs in enumerate(segments):
        for w in segs:
            by_day[w.weekday].append((w.start, w.end, i))
    out: list[Block] = []
    for d in sorted(by_day):
        run: list[tuple[int, int, int]] = []
        end = -1
        for s, e, i in sorted(by_day[d]):
            if run and s > end and s - end >= join_gap:  # a gap: the next block starts
                out.append(_block(d, run))
                run = []
            end = e if not run else max(end, e)
            run.append((s, e, i))
        out.append(_block(d, run))
    return out


def _block(weekday: int, run: list[tuple[int, int, int]]) -> Block:
    members = sorted({i for _, _, i in run})
    spans = tuple(tuple(sorted((s, e) for s, e, i in run if i == p)) for p in members)
    return Block(
        weekday, min(s for s, _, _ in run), max(e for _, e, _ in run), tuple(members), spans
    )


Sequence = tuple[tuple[int, int, int], ...]
"""Sessions of one date in a block: ``(pair position in the block, start, minutes)``."""


def day_patterns(
    block: Block, lengths: tuple[int, ...], travel: tuple[tuple[int, ...], ...]
) -> list[tuple[int, ...]] | None:
    """The undominated minute vectors (one entry per pair of ``block.pairs``) one date can
    give inside the block, or ``None`` when there are too many sequences to list."""
    found = day_sequences(block, lengths, travel)
    return None if found is None else [v for v, _ in found]


def day_sequences(
    block: Block, lengths: tuple[int, ...], travel: tuple[tuple[int, ...], ...]
) -> list[tuple[tuple[int, ...], Sequence]] | None:
    """Each undominated vector with one sequence of sessions that gives it (see
    :func:`_patterns`); cached, since a coach is checked again with the same pairs."""
    local = tuple(tuple(travel[a][b] for b in block.pairs) for a in block.pairs)
    key = dataclasses.replace(block, pairs=tuple(range(len(block.pairs))))
    return _patterns(key, tuple(sorted(set(lengths))), local)


@functools.lru_cache(maxsize=4096)
def _patterns(
    block: Block, lengths: tuple[int, ...], travel: tuple[tuple[int, ...], ...]
) -> list[tuple[tuple[int, ...], Sequence]] | None:
    """Undominated minute vectors of one date inside the block, each with a sequence that
    gives it, or ``None`` when there are more than :data:`PATTERN_STATES` states.

    Depth-first over sequences of sessions, each started as early as its pair's segments and
    the travel from the previous session allow: any feasible sequence stays feasible when its
    sessions move earlier, so listing earliest starts loses none.
    """
    n = len(block.pairs)
    if n * ((block.end - block.start) // min(lengths)) > PATTERN_SPREAD:
        return None  # a long block with many pairs: too many sequences to be worth listing
    root = (block.start, -1, (0,) * n)
    path: dict[tuple[int, int, tuple[int, ...]], Sequence] = {root: ()}
    seen: set[tuple[int, int, tuple[int, ...]]] = set()
    first: dict[tuple[int, ...], Sequence] = {}
    stack = [root]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        if len(seen) > PATTERN_STATES:
            return None
        t, last, vec = state
        first.setdefault(vec, path[state])
        for j in range(n):
            ready = t if last < 0 else t + travel[last][j]  # the key's pairs are 0..n-1
            for length in lengths:
                start = _earliest(block.spans[j], ready, length)
                if start is None:
                    break  # longer sessions fit no better
                grown = (*vec[:j], vec[j] + length, *vec[j + 1 :])
                child = (start + length, j, grown)
                if child not in path:
                    path[child] = (*path[state], (j, start, length))
                    stack.append(child)
    return [(v, first[v]) for v in _undominated(set(first))]


def _earliest(spans: tuple[tuple[int, int], ...], ready: int, length: int) -> int | None:
    for s, e in spans:
        start = max(s, ready)
        if start + length <= e:
            return start
    return None


def _undominated(vectors: set[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Vectors no other vector equals or beats in every entry (sorted, for determinism)."""
    ordered = np.array(sorted(vectors, key=lambda v: (-sum(v), v)), dtype=np.int64)
    kept = np.zeros(ordered.shape, dtype=np.int64)
    n = 0
    for v in ordered:  # by falling sum: a vector can only be beaten by one before it
        if n and (kept[:n] >= v).all(axis=1).any():
            continue
        kept[n] = v
        n += 1
    return sorted(tuple(int(a) for a in v) for v in kept[:n])


@dataclasses.dataclass(frozen=True)
class FitCheck:
    """``fits``: True (a date choice exists), False (proven: no calendar exists) or None
    (undecided within the limit); ``core``: when False, local pairs that cannot all be met."""

    fits: bool | None
    core: tuple[int, ...] = ()


def check_group(
    group: FitGroup,
    members: tuple[int, ...] | None = None,
    *,
    work_limit: float = 2.0,
    shrink: bool = True,
) -> FitCheck:
    """Whether the ``members`` (default: all) can all meet their minimums; see the module
    docstring. ``work_limit``: CP-SAT deterministic seconds per solve."""
    members = tuple(range(len(group.segments))) if members is None else members
    model, assume = _month_model(group, members)
    fits, core = _solve(model, assume, work_limit)
    if fits is not False or not shrink:
        return FitCheck(fits, core)
    return FitCheck(False, _shrink(group, core, work_limit))


def most_members(
    group: FitGroup, members: tuple[int, ...] | None = None, *, work_limit: float = 2.0
) -> int:
    """A proven upper bound on how many of the ``members`` (default: all) can meet their
    minimums together: the month model with each member optional, maximising how many are
    met (CP-SAT's proven bound where the limit stops it first, so always valid)."""
    members = tuple(range(len(group.segments))) if members is None else members
    model, assume = _month_model(group, members)
    model.maximize(sum(assume.values()))
    solver = cp_model.CpSolver()
    _parameters(solver, work_limit)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return min(len(members), math.floor(solver.best_objective_bound + 1e-6))
    return len(members)  # undecided: no claim


def confined(group: FitGroup, core: tuple[int, ...]) -> tuple[int, ...]:
    """The members whose every segment lies inside a block of the ``core``'s segments: they
    can only ever meet in the time the core's pairs compete for."""
    farthest = max((max(row) for row in group.travel), default=0)
    inside = set(core)
    spans = blocks(
        tuple(group.segments[i] if i in inside else () for i in range(len(group.segments))),
        farthest,
    )
    out = []
    for i, segs in enumerate(group.segments):
        if segs and all(
            any(b.weekday == w.weekday and b.start <= w.start and w.end <= b.end for b in spans)
            for w in segs
        ):
            out.append(i)
    return tuple(out)


def _parameters(solver: cp_model.CpSolver, work_limit: float) -> None:
    solver.parameters.num_workers = 1  # cores need one worker; one worker is deterministic
    solver.parameters.max_deterministic_time = work_limit
    solver.parameters.random_seed = 0
    solver.parameters.linearization_level = 2  # the minute sums are knapsack-like rows


def _shrink(group: FitGroup, core: tuple[int, ...], work_limit: float) -> tuple[int, ...]:
    """Drop members from a core while the rest is still proven infeasible (a smaller core is
    a stronger cut). A proof names its own core, often smaller than the trial: the search
    goes on from there. Each trial gets at most :data:`SHRINK_WORK` (undecided keeps the
    member: the core stays valid, only less sharp)."""
    kept = list(core)
    for i in core:
        if len(kept) <= 1:
            break
        if i not in kept:
            continue
        trial = tuple(p for p in kept if p != i)
        model, assume = _month_model(group, trial)
        fits, named = _solve(model, assume, min(work_limit, SHRINK_WORK))
        if fits is False:
            kept = [p for p in trial if p in named] if named else list(trial)
    return tuple(kept)


def _solve(
    model: cp_model.CpModel, assume: dict[int, cp_model.IntVar], work_limit: float
) -> tuple[bool | None, tuple[int, ...]]:
    model.add_assumptions(list(assume.values()))
    solver = cp_model.CpSolver()
    _parameters(solver, work_limit)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True, ()
    if status != cp_model.INFEASIBLE:
        return None, ()
    by_index = {var.index: i for i, var in assume.items()}
    found = solver.sufficient_assumptions_for_infeasibility()
    core = tuple(sorted(by_index[v] for v in found if v in by_index))
    return False, core or tuple(sorted(assume))


_Use = tuple[Block, list[Sequence], list[cp_model.IntVar]]
"""A listed block: its sequences and how many dates of the month use each."""


@dataclasses.dataclass
class _MonthModel:
    """The CP-SAT model, each member's assumption literal, and per (month, block) the
    patterns and how many dates use each (to read a calendar back from a solution)."""

    model: cp_model.CpModel
    assume: dict[int, cp_model.IntVar]
    uses: list[tuple[int, Block, list[Sequence], list[cp_model.IntVar]]]
    bulk: list[tuple[int, Block, list[cp_model.IntVar], list[_Use]]] = dataclasses.field(
        default_factory=list
    )
    """Per (month, bulk block): each of its pairs' share, in units, and its inner blocks'
    patterns and counts (see :func:`_inner_blocks`, :func:`dated_sessions`)."""
    unit: int = 1
    got: dict[tuple[int, int], cp_model.IntVar] = dataclasses.field(default_factory=dict)
    """Per (month, member): the minutes that count, in units (at most the monthly maximum)."""


def _month_model(
    group: FitGroup, members: tuple[int, ...]
) -> tuple[cp_model.CpModel, dict[int, cp_model.IntVar]]:
    built = _build_month_model(group, members)
    return built.model, built.assume


def _build_month_model(group: FitGroup, members: tuple[int, ...]) -> _MonthModel:
    """The month model over ``members`` (module docstring).

    Minutes are counted in units of the session lengths' greatest common divisor: every
    calendar's minutes are whole units, so a minimum rounds up and a maximum down without
    losing a calendar, and CP-SAT's domains shrink that many times."""
    model = cp_model.CpModel()
    assume = {i: model.new_bool_var(f"a{i}") for i in members}
    segs = tuple(group.segments[i] if i in assume else () for i in range(len(group.segments)))
    lengths = tuple(sorted(group.session_lengths))
    unit = math.gcd(*lengths)
    farthest = max((max(row) for row in group.travel), default=0)
    layout = [(b, day_sequences(b, lengths, group.travel)) for b in blocks(segs, farthest)]
    inner = {b: _inner_blocks(b, lengths, group.travel, farthest) for b, p in layout if p is None}
    built = _MonthModel(model, assume, [], unit=unit)
    low_month = -(-group.min_month // unit)
    top = group.max_month // unit if group.max_month else None
    yearly: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for m in range(group.n_months):
        given: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
        for block, patterns in layout:
            n = int(group.dates[block.weekday, m])
            if n > 0:
                counts = _block_terms(model, block, patterns, n, lengths, unit, given)
                if patterns is not None:
                    built.uses.append((m, block, [q for _, q in patterns], counts))
                else:
                    uses = _inner_terms(model, inner[block], n, lengths, unit, block, counts)
                    built.bulk.append((m, block, counts, uses))
        month: list[cp_model.IntVar] = []
        for i in members:
            if group.first_month[i] > m or not given[i]:
                continue
            # what counts: at most what the patterns give (a kept pattern may give more than
            # the calendar it stands for) and at most the pair's monthly maximum
            got = model.new_int_var(0, top if top is not None else 10**6, "")
            model.add(got <= sum(given[i]))
            model.add(got >= low_month).only_enforce_if(assume[i])
            built.got[m, i] = got
            month.append(got)
            yearly[i].append(got)
        for i in members:
            if group.first_month[i] <= m and not given[i] and low_month > 0:
                model.add_bool_or([assume[i].Not()])  # nothing to meet in: cannot run
        if group.coach_cap >= 0 and month:
            model.add(sum(month) <= group.coach_cap // unit)
    for i in members:
        need = -(-group.min_total[i] // unit)
        if need > 0:
            total = sum(yearly[i]) if yearly[i] else 0
            model.add(total >= need).only_enforce_if(assume[i])
    return built


def _inner_blocks(
    block: Block,
    lengths: tuple[int, ...],
    travel: tuple[tuple[int, ...], ...],
    join_gap: int,
) -> list[tuple[Block, list[tuple[tuple[int, ...], Sequence]]]]:
    """Inside a bulk block, the blocks of its *narrow* pairs, each with its sequences listed.

    Why: one pair free all day makes a whole day bulk, and the bulk row (minutes that fit
    back to back) then lets three pairs at three sites share a 150-minute afternoon as if no
    drive were needed. Leaving out the widest pairs, one at a time, until the rest's blocks
    can all be listed, keeps that afternoon exact: on any date, the sessions of those pairs
    alone form a sequence of their own block (the travel rule holds between every two
    sessions of a date, so what the wide pairs do between them only makes it harder).

    The blocks of two or more pairs are returned; a one-pair block needs no listing (what one
    pair gets there is its own segments' room). A narrow pair may meet in several blocks on
    one date (a morning and an afternoon): its share of the bulk block is bounded by all of
    them together (:func:`_inner_terms`)."""
    width = {
        i: sum(e - s for s, e in spans) for i, spans in zip(block.pairs, block.spans, strict=True)
    }
    narrow = sorted(block.pairs, key=lambda i: (width[i], i))
    while len(narrow) >= 2:
        segs = {
            i: tuple(TimeWindow(block.weekday, s, e) for s, e in spans)
            for i, spans in zip(block.pairs, block.spans, strict=True)
            if i in narrow
        }
        top = max(block.pairs) + 1
        found = [
            (b, day_sequences(b, lengths, travel))
            for b in blocks(tuple(segs.get(i, ()) for i in range(top)), join_gap)
            if len(b.pairs) >= 2
        ]
        if all(q is not None for _, q in found):
            return [(b, q) for b, q in found if q is not None]
        narrow.pop()  # the widest left
    return []


def _inner_terms(
    model: cp_model.CpModel,
    inner: list[tuple[Block, list[tuple[tuple[int, ...], Sequence]]]],
    n: int,
    lengths: tuple[int, ...],
    unit: int,
    block: Block,
    shares: list[cp_model.IntVar],
) -> list[_Use]:
    """Each listed inner block's ``n`` dates take one of its patterns each. A narrow pair's
    share of the bulk block is at most what the chosen patterns of *all* its listed blocks
    give it, plus the room of its segments outside them (its one-pair blocks): its segments
    lie there and nowhere else in the bulk block."""
    uses: list[_Use] = []
    given: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    listed: dict[int, list[Block]] = defaultdict(list)
    for b, patterns in inner:
        counts = [model.new_int_var(0, n, "") for _ in patterns]
        model.add(sum(counts) <= n)
        for j, i in enumerate(b.pairs):
            listed[i].append(b)
            given[i].extend(
                (v[j] // unit) * c for (v, _), c in zip(patterns, counts, strict=True) if v[j]
            )
        uses.append((b, [q for _, q in patterns], counts))
    for j, i in enumerate(block.pairs):
        if i not in given:
            continue  # a wide pair: its own share row holds it
        alone = sum(
            pack(e - s, lengths)
            for s, e in block.spans[j]
            if not any(b.start <= s and e <= b.end for b in listed[i])
        )
        model.add(shares[j] <= sum(given[i]) + alone // unit * n)
    return uses


def _block_terms(
    model: cp_model.CpModel,
    block: Block,
    patterns: list[tuple[tuple[int, ...], Sequence]] | None,
    n: int,
    lengths: tuple[int, ...],
    unit: int,
    given: dict[int, list[cp_model.LinearExprT]],
) -> list[cp_model.IntVar]:
    """What ``n`` dates of one block can give each of its pairs (in units), into ``given``;
    returns the pattern counts, or for a bulk block each pair's share."""
    if patterns is not None:
        counts = [model.new_int_var(0, n, "") for _ in patterns]
        model.add(sum(counts) <= n)
        for j, i in enumerate(block.pairs):
            terms = [(v[j] // unit) * c for (v, _), c in zip(patterns, counts, strict=True) if v[j]]
            if terms:
                given[i].append(sum(terms))
        return counts
    room = pack(block.end - block.start, lengths) // unit * n
    shares = []
    for j, i in enumerate(block.pairs):
        own = sum(pack(e - s, lengths) for s, e in block.spans[j]) // unit * n
        y = model.new_int_var(0, min(own, room), "")
        shares.append(y)
        given[i].append(y)
    model.add(sum(shares) <= room)
    return shares


def dated_sessions(
    group: FitGroup, *, work_limit: float = 2.0
) -> list[tuple[int, int, int, int, int, int]] | None:
    """A date choice that meets every pair's minimums, as sessions
    ``(month, weekday, k-th usable date of that weekday in the month, pair, start, minutes)``,
    or ``None`` when none was found.

    The first choice found is taken (no objective: the caller drops what the minimums do not
    need). A listed block's dates take the chosen sequences; a bulk block's minutes per pair
    are placed on its dates by :func:`.bulk_days.fill_dates`, which may place less than the
    model counted. So a caller checks the result against every rule and every minimum (travel
    between sessions that are not consecutive, caps) before using it."""
    members = tuple(range(len(group.segments)))
    built = _build_month_model(group, members)
    model = built.model
    for a in built.assume.values():
        model.add(a == 1)
    # the fewest minutes that count: a bulk block then places what the minimums need, not
    # whatever the rows would allow
    model.minimize(sum(built.got.values()))
    solver = cp_model.CpSolver()
    _parameters(solver, work_limit)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out: list[tuple[int, int, int, int, int, int]] = []
    for m, block, sequences, counts in built.uses:
        k = 0
        for seq, c in zip(sequences, counts, strict=True):
            for _ in range(solver.value(c)):
                if not seq:
                    continue
                out.extend(
                    (m, block.weekday, k, block.pairs[j], start, length) for j, start, length in seq
                )
                k += 1
    # a bulk block places only what the month still needs after the listed blocks' sessions
    # (the minutes that count, at most the pair's maximum), shared as the model shared it
    owed = defaultdict(int, {key: solver.value(v) * built.unit for key, v in built.got.items()})
    for m, _, _, i, _, length in out:
        owed[m, i] -= length
    for m, block, shares, inner in built.bulk:
        out.extend(_bulk_sessions(solver, built, group, m, block, shares, inner, owed))
    return out


def _bulk_sessions(
    solver: cp_model.CpSolver,
    built: _MonthModel,
    group: FitGroup,
    m: int,
    block: Block,
    shares: list[cp_model.IntVar],
    inner: list[_Use],
    owed: dict[tuple[int, int], int],
) -> list[tuple[int, int, int, int, int, int]]:
    """One bulk block's sessions in month ``m``: its inner blocks' chosen sequences date by
    date (each session only while its pair still owes minutes, so the rest of the day stays
    free), then what its pairs still owe, placed around them: at most each pair's share of
    the block, less what its fixed sessions there already gave it (they are part of it)."""
    dates = int(group.dates[block.weekday, m])
    position = {i: j for j, i in enumerate(block.pairs)}
    fixed: list[list[tuple[int, int, int]]] = [[] for _ in range(dates)]
    inside: dict[int, int] = defaultdict(int)  # minutes the fixed sessions give each pair
    for sub, sequences, counts in inner:
        used = (
            seq for seq, c in zip(sequences, counts, strict=True) for _ in range(solver.value(c))
        )
        for k, seq in enumerate(q for q in used if q):
            for j, t, ln in seq:  # a sequence less some sessions is still one (triangle)
                if owed[m, sub.pairs[j]] > 0:
                    fixed[k].append((position[sub.pairs[j]], t, ln))
                    owed[m, sub.pairs[j]] -= ln
                    inside[sub.pairs[j]] += ln
    demand = []
    for i, y in zip(block.pairs, shares, strict=True):
        # the pair's share of the block counts its fixed sessions: only the rest is placed
        take = max(0, min(solver.value(y) * built.unit - inside[i], owed[m, i]))
        owed[m, i] -= take
        demand.append(take)
    local = [[group.travel[a][b] for b in block.pairs] for a in block.pairs]
    lengths = tuple(sorted(group.session_lengths))
    placed = fill_dates(block.spans, local, lengths, demand, [tuple(d) for d in fixed])
    return [
        (m, block.weekday, k, block.pairs[j], start, ln)
        for k, day in enumerate(placed)
        for j, start, ln in day
    ]


def travel_table(xy: np.ndarray, site: np.ndarray, kmh: float) -> tuple[tuple[int, ...], ...]:
    """Whole minutes between places (``xy`` rows of lat, lon, NaN where unknown; ``site`` a
    named-site id per place, -1 none), never more than the contract asks: 0 at one named site
    or where a coordinate is missing, else the haversine km at ``kmh``, rounded up only past
    floating-point noise (the gap between two whole-minute sessions is whole)."""
    n = len(xy)
    if kmh <= 0 or n == 0:
        return tuple((0,) * n for _ in range(n))
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    km = haversine_km(xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1])
    minutes = np.ceil(np.nan_to_num(km, nan=0.0) / kmh * 60 - 1e-6).clip(min=0).astype(np.int64)
    minutes[(site[a] >= 0) & (site[a] == site[b])] = 0
    np.fill_diagonal(minutes, 0)
    return tuple(tuple(int(v) for v in row) for row in minutes)
