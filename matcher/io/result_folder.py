"""Result folders: what ``assign``, ``schedule`` and ``plan`` leave behind, written as a whole.

A result folder must never contradict itself: a roster.csv from one run beside a schedule.csv
of another would send coaches to the wrong candidates. So every command stages its files
(:func:`matcher.io.output.staged_folder`) and moves them in at once, and then removes what an
earlier run left that the new files make wrong (a schedule of an older roster, the calendar of
a coach who has no sessions now). The CLI and the library (:func:`write_result`) share these
functions, so a script gets exactly the folder the command would write.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.io.calendars import write_calendars
from matcher.io.output import staged_folder
from matcher.io.workbook import csv_safe
from matcher.io.writers import (
    add_schedule_sheet,
    alternates_frame,
    schedule_frame,
    schedule_summary,
    shortfall_frame,
    summary_dict,
    write_roster_csv,
    write_roster_xlsx,
    write_summary,
)
from matcher.problem import ProgramData
from matcher.results import AssignmentResult
from matcher.scheduling.check import require_valid_schedule
from matcher.scheduling.late_start import late_start_frame

if TYPE_CHECKING:
    from matcher.planning.loop import PlanResult
    from matcher.rules.view import ProgramView
    from matcher.scheduling.sessions import ScheduleResult

SCHEDULE_FILES = ("schedule.csv", "short_hours.csv", "late_start.csv")
"""Files a schedule writes beside ``calendars/``; a new roster makes them wrong."""


@contextlib.contextmanager
def staged_roster(
    out_dir: Path,
    program: ProgramData,
    result: AssignmentResult,
    summary: dict,
    *,
    alternates: int = 0,
    xlsx: bool = True,
    redact: bool = False,
    no_fit: dict | None = None,
    view: ProgramView | None = None,
) -> Iterator[Path]:
    """Stage a roster's files for ``out_dir`` and yield the staging folder.

    ``assign``, ``plan`` and the library's :func:`write_result` all write a roster:
    roster.csv, why.csv, alternates.csv (with ``alternates``), roster.xlsx (with ``xlsx``) and
    summary.json. One writer keeps the result folders alike, so a change to a roster file
    cannot reach one command and miss the other. why.csv (and roster.xlsx's Why sheet) say why
    each candidate has its coach (``no_fit``: pairs whose calendars cannot fit, from ``plan``).
    The ``with`` body adds the command's own files to the stage (``plan``: the schedule) and
    may still add to ``summary``: summary.json is written when the body ends, then every file
    moves into ``out_dir`` at once, or none does if a write fails. ``view``: the program's
    :class:`~matcher.rules.view.ProgramView` where the caller has one (the eligible pairs').
    """
    from matcher.assignment.why import why_of_result

    why = why_of_result(program, result, no_fit, view)
    with staged_folder(out_dir) as stage:
        roster = write_roster_csv(result, stage / "roster.csv")
        why.to_csv(stage / "why.csv", index=False)
        if alternates:
            alternates_frame(result).to_csv(stage / "alternates.csv", index=False)
        if xlsx:
            write_roster_xlsx(
                program,
                result,
                summary,
                stage / "roster.xlsx",
                redact=redact,
                why=why,
                roster=roster,
            )
        yield stage
        write_summary(summary, stage / "summary.json")


def stage_schedule_files(
    program: ProgramData,
    sched: ScheduleResult,
    stage: Path,
    summary: dict,
    *,
    xlsx_from: Path | None,
    xlsx: bool,
    redact: bool = False,
) -> set[str]:
    """Write a schedule's files into ``stage`` and its figures into ``summary``.

    schedule.csv, short_hours.csv (only when a pair-month is short), one iCalendar file per
    coach and, with ``xlsx``, a Schedule sheet added to the workbook at ``xlsx_from``. Returns
    the names of the calendar files written, for :func:`drop_stale_schedule_files`.
    """
    # location is the candidate's site, input text: guarded against formula injection
    csv_safe(schedule_frame(sched), ["location"]).to_csv(stage / "schedule.csv", index=False)
    if sched.shortfalls:
        shortfall_frame(sched).to_csv(stage / "short_hours.csv", index=False)
    if sched.late_starts:
        late_start_frame(sched.late_starts).to_csv(stage / "late_start.csv", index=False)
    written = write_calendars(program, sched, stage / "calendars", redact=redact)
    summary["schedule"] = schedule_summary(sched, program.policy.schedule.start_deadline_days)
    if xlsx:
        add_schedule_sheet(xlsx_from, sched, stage / "roster.xlsx", program=program, redact=redact)
    return {path.name for path in written}


def drop_stale_schedule_files(out_dir: Path, sched: ScheduleResult, calendars: set[str]) -> None:
    """After the new files are in place: remove what an earlier schedule in this folder left
    and this one did not replace (short_hours.csv once nothing is short, the calendars of
    coaches without sessions now), so no file contradicts schedule.csv."""
    if not sched.shortfalls:
        (out_dir / "short_hours.csv").unlink(missing_ok=True)
    if not sched.late_starts:
        (out_dir / "late_start.csv").unlink(missing_ok=True)
    folder = out_dir / "calendars"
    if folder.is_dir():
        for path in folder.glob("*.ics"):
            if path.name not in calendars:
                path.unlink()


def drop_outdated_schedule(out_dir: Path, *, keep_alternates: bool) -> list[str]:
    """A new roster makes an earlier schedule in the same folder wrong: remove it, so no file
    in the result folder contradicts roster.csv (run ``schedule`` again for a new one).

    Returns what was removed, so the caller can say so.
    """
    stale = [*SCHEDULE_FILES, *([] if keep_alternates else ["alternates.csv"])]
    removed = [name for name in stale if (out_dir / name).is_file()]
    for name in removed:
        (out_dir / name).unlink()
    if (out_dir / "calendars").is_dir():
        count = sum(1 for _ in (out_dir / "calendars").glob("*.ics"))
        shutil.rmtree(out_dir / "calendars")
        removed.append(f"calendars/ ({count} file{'' if count == 1 else 's'})")
    return removed


def write_schedule_result(
    out_dir: Path,
    program: ProgramData,
    sched: ScheduleResult,
    *,
    assignment: dict[str, str] | None = None,
    xlsx: bool = True,
    redact: bool = False,
) -> dict:
    """Add a schedule to a result folder (``coachmatch schedule``): its files, the Schedule
    sheet in the folder's roster.xlsx, and its figures merged into summary.json. Returns the
    summary written.

    The calendar is checked against every hard schedule rule first (``assignment``: the
    roster it was made for); one that breaks a rule raises
    :class:`~matcher.errors.ScheduleRuleError` and nothing is written."""
    require_valid_schedule(program, sched.sessions, assignment)
    old_summary = out_dir / "summary.json"
    summary = json.loads(old_summary.read_text()) if old_summary.exists() else {}
    summary.setdefault("program", str(program.source.resolve()) if program.source else None)
    with staged_folder(out_dir) as stage:
        calendars = stage_schedule_files(
            program,
            sched,
            stage,
            summary,
            xlsx_from=out_dir / "roster.xlsx",
            xlsx=xlsx,
            redact=redact,
        )
        write_summary(summary, stage / "summary.json")
    drop_stale_schedule_files(out_dir, sched, calendars)
    return summary


def write_result(
    out_dir: Path,
    program: ProgramData,
    result: AssignmentResult | PlanResult,
    *,
    summary: dict | None = None,
    alternates: int = 0,
    xlsx: bool = True,
    redact: bool = False,
    on_removed: Callable[[list[str]], None] | None = None,
    view: ProgramView | None = None,
) -> dict:
    """Write a roster (from :func:`matcher.assign`) or a plan (roster and calendars, from
    :func:`matcher.plan`) as a result folder, exactly as the CLI does; returns the summary.

    ``summary`` defaults to the result's own (:func:`matcher.io.writers.summary_dict`, and for
    a plan its rounds and bound). A schedule of an existing roster goes through
    :func:`write_schedule_result`. ``on_removed`` hears what a new roster removed from the
    folder (an earlier schedule's files), so the caller can say so. ``view``: the program's
    :class:`~matcher.rules.view.ProgramView`, where the caller has one (``pairs.view`` of
    :func:`matcher.rules.pairs.build_pairs`), so why.csv does not build it again.
    """
    from matcher.planning.loop import PlanResult, plan_summary

    is_plan = isinstance(result, PlanResult)
    roster = result.assignment if is_plan else result
    if is_plan:  # a broken calendar is refused before anything is written
        require_valid_schedule(program, result.schedule.sessions, roster.mapping())
    if summary is None:
        summary = plan_summary(program, result) if is_plan else summary_dict(program, result)
    no_fit = result.restrictions.forbidden if is_plan else None
    with staged_roster(
        out_dir,
        program,
        roster,
        summary,
        alternates=alternates,
        xlsx=xlsx,
        redact=redact,
        no_fit=no_fit,
        view=view,
    ) as stage:
        if is_plan:
            calendars = stage_schedule_files(
                program,
                result.schedule,
                stage,
                summary,
                xlsx_from=stage / "roster.xlsx",
                xlsx=xlsx,
                redact=redact,
            )
    if is_plan:
        drop_stale_schedule_files(out_dir, result.schedule, calendars)
    else:
        removed = drop_outdated_schedule(out_dir, keep_alternates=bool(alternates))
        if on_removed is not None:
            on_removed(removed)
    return summary
