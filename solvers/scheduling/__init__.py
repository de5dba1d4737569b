"""One coach's year of coaching sessions, scheduled by CP-SAT over a *standing week*.

Every candidate has exactly one coach, so the year's schedule splits exactly by coach; this
package solves one coach's calendar (:func:`solve_coach_schedule`). Inputs and outputs are the
plain dataclasses of :mod:`solvers.scheduling.problem`; nothing here knows about programs, CSV
files or ids.

Why a standing week, not a date-by-date model
---------------------------------------------
The obvious model has one Boolean per (pair, date, start, length): with ~190 coaching days, a
few windows per pair, a 15-minute start grid and three lengths that is ~10⁴ Booleans per pair,
and every date needs its own overlap and travel constraints. Statewide (~10,000 pairs over
~1,800 coaches, all in under 3 minutes on two cores) leaves ~0.1 s per typical coach — far too
little for that model.

Coaching is a recurring relationship, and the calendar is made of repeating weeks. So each pair
gets a **standing appointment** — weekday, start time and length, inside one of its common
windows — and, per program month, a **number** of that weekday's coaching dates. The standing
week is made conflict-free once (no overlap, travel gaps between sites), and then *every*
subset of dates is conflict-free too: two sessions on one date are two slots of the week. The
standing week is also what the programme wants: the same weekday and time all year is an
appointment candidates and coaches keep.

Given a slot's weekday, week mode and length, the best monthly counts of a pair do not depend
on the other pairs (the coach's monthly cap aside): the fewest sessions that meet each monthly
minimum, then sessions where there is room until the yearly minimum is met — a greedy that is
optimal for one length. So :mod:`.plans` computes, for every (weekday, mode, length) of a pair,
its counts, shortfalls, first session date and whole per-pair cost *before* any search; the
CP-SAT model (:mod:`.model`) only chooses one plan per pair (a Boolean each, ~5-45 per pair)
and places its slot on a week timeline, with optional intervals and ``NoOverlap``. The month
dimension never enters the search, which is what makes the model small (a few dozen variables
per pair) and fast.

Where one weekly slot is not enough:

- **a second standing slot** (on another weekday) is offered to a pair whose windows cannot
  meet its minimums with one (e.g. only Tue and Thu 15:00–16:00); it costs ``extra_slot``;
- **alternate-week slots** run in even or odd weeks only. The week timeline exists once per
  week parity, each with its own ``NoOverlap``, so two pairs can share one weekly time on
  alternating weeks when the coach's week is full; it costs ``alternate_week``.

Travel between two slots at different sites is a pairwise disjunction (``end_a + travel[a][b]
<= start_b`` or the reverse; CP-SAT's ``NoOverlap`` has no setup times), enforced whenever
both can fall on one date — so every two sessions of a date keep the gap, not only consecutive
ones, whatever the travel matrix. Weekdays sit ``day_span`` minutes apart on the timeline (a
day plus the longest travel), so slots on different weekdays satisfy it without any
"same weekday" literal. Starts lie on a ``start_step`` grid anchored at each window's start,
modelled as ``window start + step * q`` to keep every domain contiguous.

The solve, minimums first (a lexicographic objective)
-----------------------------------------------------
Minimums are soft: each plan carries its shortfall, so a calendar always comes back and each
unmet minimum is reported, never hidden. The shortfall is counted in *pairs* first, then in
minutes: a plan that misses any minimum (the empty plan included) pays ``short_pair`` points,
by default one more than all of the coach's pairs could miss together, then
``shortfall_minute`` points per minute missing. Why pairs first: ``plan`` treats every pair
with any shortfall as failed and moves or forbids it, so what counts is how many pairs a
coach serves *fully*. Minutes alone would spread a crowded coach's shortage thinly — six pairs
each two hours short, all six failed — where a week that fully serves five and leaves the
sixth out lets ``plan`` move one candidate. So, lexicographically: (1) the most pairs whose
plan meets every minimum, (2) the least shortfall minutes, (3) the calendar terms below. No
pair can miss less than it misses with the coach to itself, so:

0. a greedy week (least flexible pairs first, each taking the plan and earliest start that add
   least to the objective) over each pair's least-shortfall plans — for a pair that can be
   served fully alone, its full plans only, so a pair that does not fit is left out whole
   rather than squeezed. If it places everyone and costs no more than the trivial lower bound
   (every pair's best plan plus one weekday; the short-pair penalty is part of each plan's
   cost, so the bound holds under the lexicographic objective too), it is returned as optimal
   without calling CP-SAT (a one-pair coach, or pairs sharing one day);
1. only if the greedy leaves a pair out: CP-SAT finds the fewest short pairs, then the least
   total shortfall, the week allows (one objective: the penalty dominates; a pure packing
   problem, which it solves fast without the calendar terms), from the greedy week, over the
   plans whose extra shortfall (penalty included) fits in what the greedy missed;
2. CP-SAT finds the best calendar at that shortfall (capped by a constraint on penalty plus
   minutes: no week under the cap has more short pairs, nor as many with more minutes), over
   the plans that can still take part, hinted with the week found so far.

Then the counts become dates (:func:`.solve.expand`), evenly spread in each month (centred),
except in a pair's first month, where the first date is used so coaching starts promptly;
slots using the same number of one weekday's dates pick the same dates, keeping travel days
few. Where the coach's monthly cap binds, a small CP-SAT model over the fixed week
(:mod:`.counts`) re-chooses each slot's counts and may *shorten* a slot (same start, a shorter
allowed length: the week stays conflict-free), so that the pairs' needs add up to what the cap
holds — e.g. 3 h + 4 h under a 7 h cap, where 120-minute sessions only give 4 h + 2 h; monthly
minimums first, then yearly ones, using the minutes left under the cap. The result is then
"feasible", not "optimal" (the week was chosen without the cap). Every calendar is re-checked
against every hard rule (:func:`find_violations`) before it is returned.

The objective (:class:`~solvers.scheduling.problem.ScheduleWeights`, lower is better): after
the minimums, few extra or alternate-week slots (a steady rhythm); few weekdays in use and
little travel between different-site slots booked on one weekday (a standing-week proxy for
kilometres that groups nearby sites onto one day); an early first session (days from the
pair's start, much more beyond 30 days: the state standard); few sessions and minutes beyond
the minimums.

Each unmet minimum is explained (:class:`~solvers.scheduling.problem.Shortfall`) by the most
fundamental cause that applies: no common window; the pair's own maximum; windows too narrow
even in a full month; too few usable dates (blackouts, meetings); the coach's hour cap (only
when the pair's slots had a date free but the cap's remaining minutes hold not even its shortest
session); the standing-slot structure (the pair misses no more than it would alone); the
coach's other pairs.

Determinism and speed
---------------------
One CP-SAT worker (``num_workers=1``), a fixed ``seed`` and *deterministic* time limits
(``work_limit``); the wall-clock ``time_limit`` is only a safety net. The same problem and seed
give the same calendar on any machine and CPU count, so coaches can run in a process pool.
Probing, symmetry detection and the LP relaxation are switched off: on these models they cost
more than they return. Measured on a shared 2-core machine: a 6-pair coach ≈ 0.03 CPU s, a
22-pair coach ≈ 0.8 CPU s; a statewide-like mix (mean ~6 pairs) ≈ 0.05 CPU s per coach.

Make-up sessions
----------------
A standing week cannot use a one-off date: one 60-minute session a week in 39 usable weeks is
39 h, an hour short of 40; a month that loses its Mondays to blackouts misses its minimum
although Wednesday is free. So after the dates are chosen, :mod:`.makeup` adds one-off
sessions (kind ``make-up``) or lengthens booked ones (kind ``lengthened``) for the pairs still
short, in a small date-level CP-SAT model over only those pairs' options (every hard rule;
the fewest pairs left short first — free time that completes one pair beats the same time
spread over several that all stay short — then monthly minutes, then yearly ones, then few
make-ups). Booked sessions never move or
shrink, so no shortfall grows; ``status``/``objective``/``bound`` stay the standing week's and
the pass's figures go to ``stats``. ``solve_coach_schedule(..., makeup=False)`` skips it.

Not modelled: the coach's trips from home (only travel between sites is known here); the
coach's cap while choosing the week (only while choosing lengths and counts); moving a
standing session to make room for another pair's make-up.
"""

from .makeup import MakeupResult, add_makeups
from .problem import (
    COACH_HOUR_CAP,
    COACH_TIME_TAKEN,
    DATED,
    LENGTHENED,
    MAKEUP,
    NARROW_WINDOWS,
    NO_COMMON_WINDOW,
    PAIR_MAX_BELOW_MIN,
    SESSION_KINDS,
    STANDING,
    STANDING_SLOT_LIMIT,
    TOO_FEW_DAYS,
    CoachScheduleProblem,
    CoachScheduleResult,
    MonthSpan,
    PairDemand,
    ScheduleWeights,
    Session,
    Shortfall,
    StandingSlot,
    TimeWindow,
)
from .solve import default_work_limit, find_violations, solve_coach_schedule

__all__ = [
    "COACH_HOUR_CAP",
    "COACH_TIME_TAKEN",
    "DATED",
    "LENGTHENED",
    "MAKEUP",
    "NARROW_WINDOWS",
    "NO_COMMON_WINDOW",
    "PAIR_MAX_BELOW_MIN",
    "SESSION_KINDS",
    "STANDING",
    "STANDING_SLOT_LIMIT",
    "TOO_FEW_DAYS",
    "CoachScheduleProblem",
    "CoachScheduleResult",
    "MakeupResult",
    "MonthSpan",
    "PairDemand",
    "ScheduleWeights",
    "Session",
    "Shortfall",
    "StandingSlot",
    "TimeWindow",
    "add_makeups",
    "default_work_limit",
    "find_violations",
    "solve_coach_schedule",
]
