"""Plain data of one coach's calendar problem and its result.

Everything here is mathematics, not coaching: *pairs* are demands for session minutes, *sites*
are indices into a travel-time matrix, *days* are dates, *months* are calendar spans. The domain
side (``matcher``) translates a program into these dataclasses and the result back into rows.
All times are whole minutes since midnight; weekdays are ``date.weekday()`` numbers (0 = Monday).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class TimeWindow:
    """A weekly window ``[start, end)`` on one weekday, in minutes since midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class MonthSpan:
    """The calendar span of one program month, both ends inclusive.

    The solver needs the span, not only the coaching days inside it: a month's *nominal* dates
    (before blackouts) tell a narrow window apart from a blackout-heavy month, and the span's
    first day is when a pair starting that month starts (for the 30-day rule).
    """

    first: dt.date
    last: dt.date

    @classmethod
    def calendar_month(cls, year: int, month: int) -> MonthSpan:
        """The whole calendar month, e.g. ``MonthSpan.calendar_month(2026, 8)``."""
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(dt.date(year, month, 1), following - dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


@dataclass(frozen=True)
class PairDemand:
    """One coach–candidate pair: where it meets, when both are free, and how much it needs.

    ``windows`` are the weekly windows in which *both* sides are free, already clipped to the
    day hours and the allowed weekdays (overlapping or touching windows are merged by the
    solver). ``max_minutes_per_month`` of ``None`` means no limit. ``min_minutes_total`` is
    the yearly minimum, already pro-rated for a late start by the caller. A pair whose
    ``first_month`` lies beyond the last month starts after the year: it gets no sessions and
    owes no minimum.
    """

    pair_id: int
    site: int
    windows: tuple[TimeWindow, ...]
    first_month: int = 0
    min_minutes_per_month: int = 0
    max_minutes_per_month: int | None = None
    min_minutes_total: int = 0


@dataclass(frozen=True)
class ScheduleWeights:
    """Objective weights (points; lower total is better). Defaults rank the goals so:

    1. minimums first, pairs before minutes: each pair left short of any minimum costs
       ``short_pair``, more than all shortfall minutes together, then one minute short costs
       more than any calendar nicety can gain. ``plan`` treats a pair with any shortfall as
       failed and moves it, so a crowded coach should serve as many pairs *fully* as its
       week holds (five pairs complete and one left for ``plan`` to move) rather than spread
       the shortage (six pairs each two hours short, all six failed);
    2. a steady rhythm: a pair needing a second standing slot, or sharing its slot on
       alternate weeks, pays once per slot;
    3. the coach's week: each weekday in use and each minute of travel between two sites
       booked on the same weekday (a standing-week proxy for kilometres: it pulls nearby
       sites onto the same day and far ones apart);
    4. a prompt start: each day between the pair's start and its first session, much more
       beyond ``start_deadline_days`` (the state standard: coaching within 30 days);
    5. economy: each session and each minute beyond what the minimums need.

    Spreading sessions through a month is not weighted: dates are placed evenly by
    construction (see the package docstring).
    """

    short_pair: float | None = None
    """Points per pair missing any minimum; ``None`` (the default) = automatic: one point more
    than the coach's whole possible shortfall (every pair with nothing), so it dominates. A
    number is used as given (``0`` restores the old objective: shortfall minutes only)."""
    shortfall_minute: float = 1000.0
    year_shortfall_minute: float = 1000.0
    extra_slot: float = 20.0
    alternate_week: float = 2.0
    weekday: float = 10.0
    travel_minute: float = 0.1
    start_delay_day: float = 0.2
    late_start_day: float = 5.0
    start_deadline_days: int = 30
    session: float = 0.5
    minute: float = 0.01


@dataclass(frozen=True)
class CoachScheduleProblem:
    """One coach's year: coaching days, months, session lengths, pairs and travel times.

    - ``days``: the dates the coach may coach (allowed weekdays, no blackout, no coach
      meeting), sorted, each inside exactly one of ``months``.
    - ``months``: the program months in order; a pair's ``first_month`` indexes this tuple.
    - ``session_lengths``: allowed session minutes, e.g. ``(60, 90, 120)``.
    - ``travel_minutes[a][b]``: whole minutes (rounded up) from site ``a`` to site ``b``.
      Two sessions at one site need no gap; at different sites they need this gap whenever
      they fall on one day, consecutive or not.
    - ``coach_max_minutes_per_month``: the coach's monthly cap, ``None`` = no cap.
    - ``start_step``: standing appointments start at a window's start or a multiple of
      ``start_step`` minutes after it (windows on the quarter hour give quarter-hour starts;
      a window of 15:10-16:10 still holds a 60-minute session at 15:10).
    - ``max_slots_per_pair``: 1 or 2, the most standing slots one pair may get (on distinct
      weekdays); a second is offered only to a pair whose windows cannot meet its minimums
      with one.
    - ``alternate_weeks``: allow standing slots that run every other week, so that two pairs
      may share one weekly time on alternating weeks when the coach's week is full.
    """

    days: tuple[dt.date, ...]
    months: tuple[MonthSpan, ...]
    session_lengths: tuple[int, ...]
    pairs: tuple[PairDemand, ...]
    travel_minutes: tuple[tuple[int, ...], ...]
    coach_max_minutes_per_month: int | None = None
    weights: ScheduleWeights = field(default_factory=ScheduleWeights)
    start_step: int = 15
    max_slots_per_pair: int = 2
    alternate_weeks: bool = True

    def validate(self) -> None:
        """Raise ``ValueError`` on data the solver cannot interpret (a caller's bug)."""
        self._validate_calendar()
        self._validate_settings()
        self._validate_pair_ids()
        n_sites = self._validate_travel()
        self._validate_pairs(n_sites)
        if self.coach_max_minutes_per_month is not None and self.coach_max_minutes_per_month < 0:
            raise ValueError("coach_max_minutes_per_month must be non-negative")

    def _validate_calendar(self) -> None:
        """Days and months in order without overlap: the solver indexes months by position
        and assigns each day to its month in one sweep, which needs both sorted."""
        if any(b <= a for a, b in zip(self.days, self.days[1:], strict=False)):
            raise ValueError("days must be sorted and distinct")
        for a, b in zip(self.months, self.months[1:], strict=False):
            if a.last >= b.first:
                raise ValueError("months must be in order and must not overlap")
        for m in self.months:
            if m.last < m.first:
                raise ValueError(f"month span {m} ends before it starts")

    def _validate_settings(self) -> None:
        """Session lengths, start grid and slot count: the domains the model's variables are
        built from, so a zero, a duplicate or an out-of-range value would break the model."""
        lengths = self.session_lengths
        if not lengths or any(v <= 0 for v in lengths) or len(set(lengths)) != len(lengths):
            raise ValueError("session_lengths must be distinct positive minutes")
        if self.start_step <= 0:
            raise ValueError("start_step must be positive")
        if self.max_slots_per_pair not in (1, 2):
            raise ValueError("max_slots_per_pair must be 1 or 2")

    def _validate_pair_ids(self) -> None:
        """Unique pair ids: sessions and shortfalls name their pair by id alone."""
        ids = [p.pair_id for p in self.pairs]
        if len(set(ids)) != len(ids):
            raise ValueError("pair_id values must be unique")

    def _validate_travel(self) -> int:
        """A square, non-negative travel matrix (the gap rule reads it both ways); returns its
        number of sites, which bounds the pairs' site indices."""
        n_sites = len(self.travel_minutes)
        if any(len(row) != n_sites for row in self.travel_minutes):
            raise ValueError("travel_minutes must be square")
        if any(v < 0 for row in self.travel_minutes for v in row):
            raise ValueError("travel_minutes must be non-negative")
        return n_sites

    def _validate_pairs(self, n_sites: int) -> None:
        """Each pair's site, first month and window weekdays: indices the solver uses
        unchecked into the travel matrix, the months and the week."""
        for p in self.pairs:
            if not 0 <= p.site < n_sites:
                raise ValueError(f"pair {p.pair_id}: site {p.site} has no travel_minutes row")
            if p.first_month < 0:
                raise ValueError(f"pair {p.pair_id}: negative first_month")
            for w in p.windows:
                if not 0 <= w.weekday <= 6:
                    raise ValueError(f"pair {p.pair_id}: weekday {w.weekday} not in 0..6")


STANDING = "standing"
"""A session of the pair's standing weekly appointment."""
MAKEUP = "make-up"
"""A one-off session added where the standing week misses a minimum (see :mod:`.makeup`)."""
LENGTHENED = "lengthened"
"""A standing session made longer on that one date to make up minutes."""
DATED = "dated"
"""A session of a calendar placed date by date, where no standing week met every minimum
(see :mod:`.dated`)."""
SESSION_KINDS = (STANDING, MAKEUP, LENGTHENED, DATED)


@dataclass(frozen=True)
class Session:
    """One session of a pair: a date and ``[start, end)`` in minutes since midnight.

    ``kind`` says where it comes from: the standing week, a make-up, or a lengthened standing
    session (``SESSION_KINDS``)."""

    pair_id: int
    day: dt.date
    start: int
    end: int
    kind: str = STANDING

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def makeup(self) -> bool:
        """Whether the session is off the standing week (a make-up or lengthened)."""
        return self.kind != STANDING


# Shortfall causes, most fundamental first. The first that applies is reported.
NO_COMMON_WINDOW = "no_common_window"
"""The pair has no weekly window long enough for the shortest session on a coaching weekday."""
PAIR_MAX_BELOW_MIN = "pair_max_below_min"
"""The pair's own monthly maximum is below its minimum (or below the shortest session)."""
NARROW_WINDOWS = "narrow_windows"
"""Even with every date of the month (no blackouts) the common windows hold too few minutes."""
TOO_FEW_DAYS = "too_few_days"
"""The windows would suffice in a full month; blackouts and meetings leave too few dates."""
COACH_HOUR_CAP = "coach_hour_cap"
"""It fits the pair's windows alone, but the coach's monthly hour cap is used up: the pair's
standing slots had a date free, yet what is left of the cap holds not even its shortest
session."""
COACH_TIME_TAKEN = "coach_time_taken"
"""It fits the pair's windows alone, but the coach's other pairs hold that time."""
STANDING_SLOT_LIMIT = "standing_slot_limit"
"""It fits the windows only with irregular sessions; standing weekly slots cannot reach it (with
the make-up pass on: no other pair holds the pair's windows, yet the pass's start grid and
budget did not reach the minimum)."""


@dataclass(frozen=True)
class Shortfall:
    """A minimum the schedule does not meet, with the numbers that explain why.

    ``month`` is the program month index, or ``None`` for the yearly minimum.

    - ``alone_max_minutes``: most minutes the pair's windows hold on the usable dates
      (this month, or the year from its first month) with no other pair and no coach cap,
      sessions packed back to back, within its own monthly maximum;
    - ``nominal_max_minutes``: the same on every date of the span(s), blackouts ignored;
    - ``usable_days`` / ``nominal_days``: dates on which the pair has a window, with and
      without blackouts;
    - ``coach_minutes`` / ``coach_max_minutes``: what the coach has booked in total that
      month (all pairs) and its cap (``None`` = no cap; both ``None`` for the year).
    """

    pair_id: int
    month: int | None
    scheduled_minutes: int
    required_minutes: int
    cause: str
    alone_max_minutes: int
    nominal_max_minutes: int
    usable_days: int
    nominal_days: int
    coach_minutes: int | None
    coach_max_minutes: int | None

    @property
    def missing_minutes(self) -> int:
        return self.required_minutes - self.scheduled_minutes


@dataclass(frozen=True)
class StandingSlot:
    """A pair's recurring appointment: weekday, time, and every week or alternate weeks.

    ``parity`` is ``None`` for every week, else the week parity used: weeks are counted from
    the Monday on or before the first coaching day, and parity is that count modulo 2.
    """

    pair_id: int
    weekday: int
    start: int
    end: int
    parity: int | None


@dataclass(frozen=True)
class CoachScheduleResult:
    """The coach's calendar and how good it is.

    ``status`` is ``optimal`` (proven best standing-week calendar: least shortfall, then the
    least rest of the objective), ``feasible`` (a valid calendar; a time limit stopped the
    proof, or the coach's cap trimmed the counts) or ``infeasible`` (never expected: every
    minimum is soft). ``objective``/``bound`` are in :class:`ScheduleWeights` points; the
    bound holds at the least shortfall found. ``slots`` are the standing appointments the
    sessions come from. ``travel_days`` counts dates with at least one session;
    ``travel_minutes`` adds up the travel the coach needs between consecutive sessions at
    different sites (home trips are not known here). ``stats``: solver figures (phases run,
    deterministic time, branches, ...), for benchmarks.
    """

    status: str
    sessions: tuple[Session, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: float
    bound: float
    solve_seconds: float
    slots: tuple[StandingSlot, ...] = ()
    travel_days: int = 0
    travel_minutes: int = 0
    stats: dict[str, float] = field(default_factory=dict)
