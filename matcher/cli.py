"""The ``coachmatch`` command line (click).

User mistakes — a bad cell, a missing file, an ineligible pin — end with a clear message and
exit code 2 (input) or 3 (the rules cannot all hold), never a traceback, and nothing is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from matcher.errors import InfeasibleError, InputError, OutputError, ScheduleRuleError

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_SHORT_HOURS = 4
EXIT_SCHEDULE_RULES = 5
EXIT_OUTPUT = 6
_VARIANT_NAMES = (
    "default",
    "wide_windows",
    "narrow_windows",
    "spring_starts",
    "blackouts",
    "travel_heavy",
    "school_hours",
)
"""``generate --variant`` choices (the generator's VARIANTS; a test keeps the two equal), listed
here so that ``--help`` does not import numpy and pandas."""

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _fail_input(exc: InputError) -> None:
    # soft_wrap: each problem stays on one line (no break inside a path, a value or "row 12")
    err.print(exc.render(), markup=False, soft_wrap=True)
    sys.exit(EXIT_INPUT)


def _fail_infeasible(exc: InfeasibleError) -> None:
    err.print("The program's requirements cannot all hold:", markup=False, soft_wrap=True)
    for reason in exc.reasons:
        err.print(f"  - {reason}", markup=False, soft_wrap=True)
    sys.exit(EXIT_INFEASIBLE)


def _fail_schedule_rules(exc: ScheduleRuleError) -> None:
    """A calendar that breaks a hard schedule rule was refused (exit 5, nothing written).

    Such a calendar is the tool's bug, never the data's: each line names the rule, the coach
    and the date (ids only), so it can be reported and reproduced."""
    violations = exc.violations
    err.print(
        f"The calendar breaks {len(violations)} hard schedule rule(s); nothing was written "
        "(this is a bug in coachmatch, please report it):",
        markup=False,
        soft_wrap=True,
    )
    for v in violations[:20]:
        err.print(f"  - {v}", markup=False, soft_wrap=True)
    if len(violations) > 20:
        err.print(f"  ... and {len(violations) - 20} more", markup=False)
    sys.exit(EXIT_SCHEDULE_RULES)


def _load(program_dir: Path):
    from matcher.collector import collector_paused
    from matcher.io.loading import load_program

    try:
        with collector_paused():  # loading allocates in bulk: see matcher.collector
            program = load_program(program_dir)
            _spare_long_lived()
    except InputError as exc:
        _fail_input(exc)
    return program


def _spare_long_lived() -> None:
    """Leave the objects alive once the program is loaded out of garbage collection until the
    command ends (``gc.freeze``; ``gc.unfreeze`` when click closes the command's context).

    They live as long as the command anyway: the imported libraries' modules and functions
    and the program (~400,000 objects at state size). CPython's full collections would scan
    them again each time the objects made since grow by a quarter, finding nothing to free:
    with the collector paused while loading, ~0.5 s of a statewide ``assign`` (measured).
    Reference counting still frees them the usual way; only cycles among them wait for the
    command's end. Outside a click context (a library call) nothing is frozen."""
    import gc

    context = click.get_current_context(silent=True)
    if context is None:
        return
    gc.freeze()
    context.call_on_close(gc.unfreeze)


class _Commands(click.Group):
    """The command group; a result folder that cannot be written (any command that writes
    one) ends with a one-line message and exit 6, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OutputError as exc:
            err.print(str(exc), markup=False, soft_wrap=True)
            sys.exit(EXIT_OUTPUT)


@click.group(cls=_Commands)
@click.version_option(package_name="coachmatch")
def main() -> None:
    """Match leadership coaches with credential candidates, provably optimally."""


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option("--all-warnings", is_flag=True, help="Print every data warning, not the first 10.")
def validate(program_dir: Path, all_warnings: bool) -> None:
    """Check a program folder and print a data-quality report."""
    from matcher.report.text import print_validation
    from matcher.rules.pairs import build_pairs

    program = _load(program_dir)
    if print_validation(out, program, build_pairs(program), all_warnings=all_warnings):
        out.print("[green]The program folder is valid.[/]")
    else:
        out.print(
            "[bold red]The files read correctly, but the program cannot be matched "
            "as it stands: see the warning above.[/]",
            soft_wrap=True,
        )


def _load_with_pins(program_dir: Path, pin_file: Path | None):
    """The program and the pairs fixed in advance, or exit 2 naming the bad cell."""
    from matcher.io.rosters import read_pins

    program = _load(program_dir)
    try:
        return program, (read_pins(pin_file, program) if pin_file else [])
    except InputError as exc:
        _fail_input(exc)


def _roster_options(command):
    """The options every roster-making command shares (``assign``, ``plan``)."""
    for option in reversed(_ROSTER_OPTIONS):
        command = option(command)
    return command


def _writable_folder(ctx: click.Context, param: click.Parameter, value: Path | None):
    """``--out`` of a command that writes a folder: checked before any loading or solving, so
    a mistyped path fails at once (exit 2), not after an hour of ``plan``."""
    if value is None:
        return value
    if value.exists() and not value.is_dir():
        raise click.BadParameter(f"{value} is a file, not a folder.", ctx, param)
    ancestor = Path(os.path.abspath(value))
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise click.BadParameter(
            f"{ancestor} is a file: the folder {value} cannot be made inside it.", ctx, param
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{ancestor} cannot be written (permission denied).", ctx, param)
    return value


def _out_folder(*, required: bool = True, help: str | None = None):
    """The ``--out`` option of a command that writes a folder (:func:`_writable_folder`)."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        required=required,
        callback=_writable_folder,
        help=help,
    )


_ROSTER_OPTIONS = [
    _out_folder(help="Result folder (created; files in it are replaced all at once)."),
    click.option(
        "--time-limit",
        type=click.FloatRange(min=0.1),
        default=60.0,
        show_default=True,
        help="Seconds of (deterministic) search for the CP-SAT model.",
    ),
    click.option("--seed", type=int, default=0, show_default=True),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Processes for independent components.",
    ),
    click.option(
        "--pin",
        "pin_file",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help="CSV of candidate_id, coach_id pairs fixed in advance.",
    ),
    click.option(
        "--solver",
        type=click.Choice(["auto", "flow", "cpsat", "greedy"]),
        default="auto",
        show_default=True,
        help="auto: the exact flow unless a term couples pairs.",
    ),
    click.option(
        "--alternates",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Also write alternates.csv with the K next-best coaches per candidate.",
    ),
    click.option(
        "--xlsx/--no-xlsx", default=True, show_default=True, help="Also write roster.xlsx."
    ),
    click.option("--quiet", is_flag=True, help="Print nothing but errors."),
    click.option("--report", "html_report", is_flag=True, help="Also write report.html."),
    click.option("--redact", is_flag=True, help="Write ids instead of candidate and coach names."),
]


def _write_report(out_dir: Path, program_dir: Path, *, redact: bool, quiet: bool) -> None:
    """``--report`` of ``assign`` and ``plan``: report.html of the new result folder, or exit 2
    saying why it cannot be built (the roster files stay written)."""
    from matcher.report.html import ReportError, make_report

    try:
        page = make_report(out_dir, program_dir, redact=redact)
    except ReportError as exc:
        err.print(f"Cannot build the report: {exc}", markup=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
    if not quiet:
        out.print(f"Wrote {page}", markup=False)


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@_roster_options
def assign(
    program_dir: Path,
    out_dir: Path,
    time_limit: float,
    seed: int,
    workers: int,
    pin_file: Path | None,
    solver: str,
    alternates: int,
    xlsx: bool,
    quiet: bool,
    html_report: bool,
    redact: bool,
) -> None:
    """Pair every candidate with a coach, optimally, and write the roster."""
    from matcher.assignment.optimize import assign as run_assign
    from matcher.io.result_folder import write_result
    from matcher.io.writers import summary_dict
    from matcher.rules.pairs import build_pairs

    started = time.perf_counter()
    program, pins = _load_with_pins(program_dir, pin_file)

    progress = None if quiet else _solver_progress()

    solving = time.perf_counter()
    pairs = build_pairs(program)  # built here so that its view serves why.csv too
    try:
        result = run_assign(
            program,
            solver=solver,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            pins=pins,
            alternates=alternates,
            pairs=pairs,
            progress=progress,
        )
    except InfeasibleError as exc:
        _fail_infeasible(exc)
    # solve_seconds counts the eligible pairs too, as when assign() builds them itself
    result = dataclasses.replace(result, solve_seconds=time.perf_counter() - solving)
    summary = summary_dict(program, result)
    summary["total_seconds"] = round(time.perf_counter() - started, 3)
    write_result(
        out_dir,
        program,
        result,
        summary=summary,
        alternates=alternates,
        xlsx=xlsx,
        redact=redact,
        on_removed=None if quiet else _say_removed(out_dir),
        view=pairs.view,
    )
    if html_report:
        _write_report(out_dir, program_dir, redact=redact, quiet=quiet)
    if not quiet:
        from matcher.report.text import print_summary

        print_summary(out, summary)
        out.print(
            f"Wrote {out_dir}/roster.csv and summary.json" + (", roster.xlsx" if xlsx else "")
        )


def _say_removed(out_dir: Path):
    """A callback printing what ``assign`` removed from ``out_dir`` (:func:`_removed_note`)."""

    def say(removed: list[str]) -> None:
        if removed:
            out.print(_removed_note(out_dir, removed), markup=False, soft_wrap=True)

    return say


def _removed_note(out_dir: Path, removed: list[str]) -> str:
    """What ``assign`` removed from a result folder, and why."""
    why = "they belonged to the earlier roster in this folder and no longer match the new one"
    again = []
    if any(not name.startswith("alternates") for name in removed):
        again.append("run coachmatch schedule or plan again for a new calendar")
    if "alternates.csv" in removed:
        again.append("--alternates K writes alternates.csv anew")
    return (
        f"Removed {', '.join(removed)} from {out_dir}: {why}"
        + "".join(f"; {step}" for step in again)
        + "."
    )


def _solver_progress(every: float = 1.0):
    """A progress callback for the solvers: best score and bound so far on stderr, in score
    units (as the summary shows them), at most one line per ``every`` seconds of solving."""
    from solvers.assignment_data import WEIGHT_SCALE

    last = [-math.inf]

    def progress(objective: float, bound: float, seconds: float) -> None:
        if seconds - last[0] < every:
            return
        last[0] = seconds
        shown = "not yet" if bound >= 2**61 else f"{bound / WEIGHT_SCALE:,.2f}"
        err.print(
            f"  {seconds:6.1f} s  best {objective / WEIGHT_SCALE:,.2f}  bound {shown}",
            markup=False,
        )

    return progress


def _progress_bar(total: int, quiet: bool):
    """A progress bar over coaches on stderr; returns (context, on_done callback)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    if quiet or total == 0:
        return contextlib.nullcontext(), None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("scheduling coaches", total=total)
    return bar, lambda n: bar.update(task, completed=n)


def _print_schedule(summary: dict, quiet: bool) -> None:
    if quiet:
        return
    info = summary["schedule"]
    out.print(
        f"Scheduled {info['sessions']} sessions ({info['hours']:.0f} h) for {info['coaches']} "
        f"coaches; solver time per coach: median {info['coach_seconds_median']:.3f} s, "
        f"max {info['coach_seconds_max']:.3f} s, total {info['coach_seconds_total']:.1f} s."
    )
    if info.get("makeup_sessions") or info.get("lengthened_sessions") or info.get("dated_sessions"):
        dated = info.get("dated_sessions", 0)
        out.print(
            f"Off the standing week: {info['makeup_sessions']} make-up sessions, "
            f"{info['lengthened_sessions']} lengthened"
            + (f", {dated} set date by date on crowded coaches" if dated else "")
            + " (schedule.csv column kind)."
        )
    late = info["late_start"]
    if late["count"]:
        out.print(
            f"[yellow]{late['count']} pairs begin later than {late['deadline_days']} days "
            "after their start (late_start.csv):[/]"
        )
        for item in late["pairs"][:10]:
            when = item["first_session"] or "no session"
            line = f"  - {item['candidate_id']} with {item['coach_id']}, from {item['start']}: "
            out.print(f"{line}{when}; {item['reason']}", markup=False)
    short = info["pair_months_short"]
    if not short:
        out.print("[green]Every assigned pair meets its monthly and yearly minimum hours.[/]")
        return
    pairs = len({(item["candidate_id"], item["coach_id"]) for item in short})
    out.print(f"[yellow]{len(short)} pair-months of {pairs} pairs miss their minimum hours:[/]")
    for item in short[:15]:
        line = f"  - {item['candidate_id']} with {item['coach_id']}, {item['month']}: "
        out.print(line + item["reason"], markup=False)
    if len(short) > 15:
        out.print(f"  ... and {len(short) - 15} more (short_hours.csv)")
    if "plan" not in summary:  # a paper roster: plan is the command that fixes it
        out.print(
            "coachmatch plan assigns and schedules together, re-matching these pairs until "
            "every assigned pair meets its hours.",
            soft_wrap=True,
        )


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option(
    "--roster",
    "roster_csv",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="roster.csv of an earlier assign (or edited by hand).",
)
@_out_folder()
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes: coaches are scheduled in parallel.",
)
@click.option("--scheduler", help="Address of a Dask distributed scheduler to run coaches on.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 4 when a pair-month misses its minimum or a pair's first session is late.",
)
@click.option("--xlsx/--no-xlsx", default=True, show_default=True)
@click.option("--quiet", is_flag=True)
@click.option("--redact", is_flag=True, help="Write ids instead of candidate and coach names.")
def schedule(
    program_dir: Path,
    roster_csv: Path,
    out_dir: Path,
    seed: int,
    workers: int,
    scheduler: str | None,
    strict: bool,
    xlsx: bool,
    quiet: bool,
    redact: bool,
) -> None:
    """Schedule a year of sessions for every pair of a roster."""
    from matcher.io.result_folder import write_schedule_result
    from matcher.io.rosters import read_program_roster
    from matcher.scheduling.sessions import schedule as run_schedule

    program = _load(program_dir)
    try:
        mapping = read_program_roster(roster_csv, program)
    except InputError as exc:
        _fail_input(exc)
    bar, on_done = _progress_bar(len(set(mapping.values())), quiet)
    with bar:
        sched = run_schedule(
            program, mapping, seed=seed, workers=workers, scheduler=scheduler, on_done=on_done
        )
    try:
        summary = write_schedule_result(
            out_dir, program, sched, assignment=mapping, xlsx=xlsx, redact=redact
        )
    except ScheduleRuleError as exc:
        _fail_schedule_rules(exc)
    _print_schedule(summary, quiet)
    if strict and (sched.shortfalls or sched.late_starts):
        sys.exit(EXIT_SHORT_HOURS)


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@_roster_options
@click.option("--scheduler", help="Address of a Dask distributed scheduler to run coaches on.")
@click.option(
    "--max-rounds",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Most assign-and-schedule rounds; pairs still short after them leave the roster.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 4 when a pair-month misses its minimum or a pair's first session is late.",
)
def plan(
    program_dir: Path,
    out_dir: Path,
    time_limit: float,
    seed: int,
    workers: int,
    scheduler: str | None,
    pin_file: Path | None,
    solver: str,
    alternates: int,
    max_rounds: int,
    strict: bool,
    xlsx: bool,
    quiet: bool,
    html_report: bool,
    redact: bool,
) -> None:
    """Assign, schedule, and re-match until every assigned pair meets its hours."""
    from matcher.io.result_folder import write_result
    from matcher.planning.loop import plan as run_plan
    from matcher.planning.loop import plan_summary
    from matcher.report.text import print_plan, print_summary

    started = time.perf_counter()
    program, pins = _load_with_pins(program_dir, pin_file)

    def on_round(step: dict) -> None:
        if not quiet:
            err.print(
                f"  round {step['round']}: {step['assigned']} assigned, "
                f"{step['pair_months_short']} pair-months short",
                markup=False,
            )

    try:
        result = run_plan(
            program,
            solver=solver,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            pins=pins,
            alternates=alternates,
            max_rounds=max_rounds,
            on_round=on_round,
        )
    except InfeasibleError as exc:
        _fail_infeasible(exc)
    summary = plan_summary(program, result)
    summary["total_seconds"] = round(time.perf_counter() - started, 3)
    try:
        write_result(
            out_dir,
            program,
            result,
            summary=summary,
            alternates=alternates,
            xlsx=xlsx,
            redact=redact,
        )
    except ScheduleRuleError as exc:
        _fail_schedule_rules(exc)
    if not quiet:
        print_summary(out, summary)
        print_plan(out, summary["plan"])
    if html_report:
        _write_report(out_dir, program_dir, redact=redact, quiet=quiet)
    _print_schedule(summary, quiet)
    if strict and (result.schedule.shortfalls or result.schedule.late_starts):
        sys.exit(EXIT_SHORT_HOURS)


@main.command()
@click.option(
    "--size",
    type=click.Choice(["sample", "district", "county", "state"]),
    default="sample",
    show_default=True,
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--variant",
    type=click.Choice(list(_VARIANT_NAMES)),
    default="default",
    show_default=True,
    help="A hard case: wider or narrower windows, spring starts, a busy calendar, spread-out "
    "sites, or school hours.",
)
@_out_folder()
def generate(size: str, seed: int, variant: str, out_dir: Path) -> None:
    """Write a realistic synthetic program folder."""
    from matcher.io.output import staged_folder
    from matcher.synthetic.generator import generate_program, write_program

    program = generate_program(size, seed, variant)
    with staged_folder(out_dir) as stage:
        write_program(program, stage)
    kind = size if variant == "default" else f"{size} ({variant})"
    out.print(
        f"Wrote a {kind} program ({len(program.candidates)} candidates, "
        f"{len(program.coaches)} coaches) to {out_dir}"
    )


def _same_folder(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _refuse(message: str) -> None:
    err.print(message, markup=False, soft_wrap=True)
    sys.exit(EXIT_INPUT)


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@_out_folder(required=False, help="Write capacity.csv here.")
def capacity(program_dir: Path, out_dir: Path | None) -> None:
    """The fewest coach places to add, by region and role, so every candidate is assigned."""
    from matcher.forecast.capacity import capacity_frame, plan_capacity
    from matcher.io.output import staged_folder
    from matcher.io.workbook import csv_safe

    program = _load(program_dir)
    if out_dir is not None and _same_folder(out_dir, program_dir):
        _refuse("--out must not be the program folder (input files are never modified)")
    plan = plan_capacity(program)
    if out_dir is not None:
        with staged_folder(out_dir) as stage:
            safe = csv_safe(capacity_frame(plan), ["region", "role"])  # input text
            safe.to_csv(stage / "capacity.csv", index=False)
    if not plan.rows:
        out.print(
            f"[green]Every one of the {plan.candidates} candidates can be assigned "
            "with the places there are: no places need to be added.[/]",
            soft_wrap=True,
        )
    else:
        out.print(
            f"{plan.total_added} places to add so that all {plan.candidates} candidates "
            "are assigned (the fewest, by min-cost flow):",
            soft_wrap=True,
        )
        out.print(
            f"  {'region':<20} {'role':<22} {'added_places':>12} {'cost':>12}  basis",
            soft_wrap=True,
        )
        for r in plan.rows:
            cost = "" if r.cost is None else f"{r.cost:,.2f}"
            out.print(
                f"  {r.region:<20} {r.role:<22} {r.added_places:>12} {cost:>12}  {r.cost_basis}",
                markup=False,
                soft_wrap=True,
            )
        out.print(
            "cost = added_places x the mean cost_per_candidate of the coaches who serve "
            "that region and role (basis: region/role mean), or of all coaches where "
            "none of those gives a cost (basis: overall mean).",
            soft_wrap=True,
        )
    if plan.unused:
        spare = sum(u[1] for u in plan.unused)
        out.print(f"{spare} places of {len(plan.unused)} coaches go unused in the optimal roster:")
        out.print(
            "  " + ", ".join(f"{cid} ({n} of {p})" for cid, n, p in plan.unused),
            markup=False,
            soft_wrap=True,
        )
    if out_dir is not None:
        out.print(f"Wrote {out_dir}/capacity.csv")


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option(
    "--previous",
    "previous_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Result folder of the earlier run (its roster.csv is read).",
)
@_out_folder()
@click.option(
    "--allow-moves",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Up to N still-eligible pairs may move, if that assigns more candidates.",
)
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--xlsx/--no-xlsx", default=False, show_default=True)
@click.option("--quiet", is_flag=True)
def reassign(
    program_dir: Path,
    previous_dir: Path,
    out_dir: Path,
    allow_moves: int,
    time_limit: float,
    seed: int,
    xlsx: bool,
    quiet: bool,
) -> None:
    """Re-match during the year: keep every pair that still may hold, place the rest."""
    from matcher.assignment.reassign import (
        change_counts,
        change_line,
        read_previous,
        reassign_summary,
        write_reassignment,
    )
    from matcher.assignment.reassign import reassign as run_reassign

    started = time.perf_counter()
    program = _load(program_dir)
    for folder in (program_dir, previous_dir):
        if _same_folder(out_dir, folder):
            _refuse(f"--out must differ from {folder} (input files are never modified)")
    try:
        previous = read_previous(previous_dir / "roster.csv")
    except InputError as exc:
        _fail_input(exc)
    try:
        done = run_reassign(
            program, previous, allow_moves=allow_moves, time_limit=time_limit, seed=seed
        )
    except InfeasibleError as exc:
        _fail_infeasible(exc)
    summary = reassign_summary(program, done, previous_dir)
    summary["total_seconds"] = round(time.perf_counter() - started, 3)
    write_reassignment(out_dir, program, done, summary, xlsx=xlsx)
    if not quiet:
        counts = change_counts(done)
        out.print(
            change_line(counts) + f"; {done.moved} moved of {allow_moves} allowed.",
            markup=False,
            soft_wrap=True,
        )
        if done.gone_candidates:
            out.print(
                f"{len(done.gone_candidates)} candidates of the previous roster are no "
                "longer in the program."
            )
        if done.note:
            out.print(done.note, markup=False)
        out.print(f"Wrote {out_dir}/roster.csv, summary.json and changes.csv")


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option(
    "--roster",
    "roster_csv",
    type=click.Path(path_type=Path),
    required=True,
    help="This year's roster.csv.",
)
@_out_folder(help="Next year's program folder.")
@click.option(
    "--keep-cnet",
    is_flag=True,
    help="Keep cnet_current as it is (default: false for all, to be renewed).",
)
def rollover(program_dir: Path, roster_csv: Path, out_dir: Path, keep_cnet: bool) -> None:
    """Next year's program folder: year 1 becomes year 2 with this year's coach."""
    from matcher.io.output import staged_folder
    from matcher.io.rollover import rollover as run_rollover
    from matcher.io.rollover import write_rollover

    if _same_folder(out_dir, program_dir) or _same_folder(out_dir, roster_csv.parent):
        _refuse(
            "--out must be a new folder, not the program or result folder "
            "(input files are never modified)"
        )
    _load(program_dir)
    try:
        roll = run_rollover(program_dir, roster_csv, keep_cnet=keep_cnet)
    except InputError as exc:
        _fail_input(exc)
    with staged_folder(out_dir) as stage:
        write_rollover(roll, stage)
    for note in roll.notes:
        out.print(f"Note: {note}", markup=False, soft_wrap=True)
    out.print(f"Wrote next year's program to {out_dir}")


@main.command()
@click.argument("scenario_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_out_folder()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes: scenarios are assigned in parallel.",
)
@click.option(
    "--report",
    "with_report",
    is_flag=True,
    help="Also write report.html: the scenarios side by side, charts embedded.",
)
def whatif(
    scenario_files: tuple[Path, ...], out_dir: Path, workers: int, with_report: bool
) -> None:
    """Compare what-if scenarios (TOML) with their base program, side by side."""
    from rich.table import Table

    from matcher.forecast.whatif import COMPARISON_FIGURES, read_scenarios, run_whatif

    try:
        scenarios = read_scenarios(list(scenario_files))
    except InputError as exc:
        _fail_input(exc)
    if _same_folder(out_dir, scenarios[0].base_dir):
        _refuse("--out must not be the base program folder (input files are never modified)")
    try:
        run = run_whatif(scenarios, out_dir, workers=workers)
    except InputError as exc:
        _fail_input(exc)
    except InfeasibleError as exc:
        _fail_infeasible(exc)
    for name, note in run.notes:
        out.print(f"{name}: {note}", markup=False, soft_wrap=True)
    rows, chart_note = run.rows, run.chart_note
    # one column per scenario (figures down the side), so the table fits a narrow terminal
    for i, r in enumerate(rows):
        out.print(f"  S{i} = {r['scenario']}", markup=False, soft_wrap=True)
    table = Table(title="what-if comparison", title_justify="left")
    table.add_column("figure", style="bold", no_wrap=True)
    for i in range(len(rows)):
        table.add_column(f"S{i}", justify="right")

    def num(v, fmt: str) -> str:
        return "-" if v is None or v != v else format(v, fmt)

    for label, key, fmt in COMPARISON_FIGURES:
        table.add_row(label, *(num(r[key], fmt) for r in rows))
    out.print(table)
    out.print(chart_note)
    out.print(f"Wrote {out_dir}/comparison.csv and the changed programs in {out_dir}/programs/")
    if with_report:
        from matcher.report.html import ReportError, make_whatif_report

        try:
            out.print(f"Wrote {make_whatif_report(out_dir)}")
        except ReportError as exc:
            err.print(str(exc), markup=False)
            sys.exit(EXIT_INPUT)


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.argument("candidate_id")
@click.option(
    "--result",
    "result_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Result folder of assign or plan (roster.csv; schedule.csv if scheduled).",
)
def explain(program_dir: Path, candidate_id: str, result_dir: Path) -> None:
    """Why a candidate has its coach: its score terms and the better-scoring coaches it did
    not get (full, and with whom; ruled out by rule N; calendar does not fit), or, for an
    unassigned candidate, every coach of its region and role and why not."""
    from matcher.assignment.why import explain_result
    from matcher.report.text import print_why

    program = _load(program_dir)
    try:
        why = explain_result(program, result_dir, candidate_id)
    except InputError as exc:
        _fail_input(exc)
    print_why(out, why)


@main.command()
@click.argument("result_dir", type=click.Path(path_type=Path))
@click.option(
    "--program",
    "program_dir",
    type=click.Path(path_type=Path),
    help="Program folder for names, regions and places (default: the one in summary.json).",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file to write (default: RESULT_DIR/report.html).",
)
@click.option("--redact", is_flag=True, help="Show ids instead of candidate and coach names.")
def report(result_dir: Path, program_dir: Path | None, out_file: Path | None, redact: bool) -> None:
    """Write one self-contained HTML report (report.html) of a result folder."""
    from matcher.report.html import ReportError, make_report

    try:
        target = make_report(result_dir, program_dir, out_file, redact=redact)
    except ReportError as exc:
        err.print(f"Cannot build the report: {exc}", markup=False, soft_wrap=True)
        sys.exit(EXIT_INPUT)
    out.print(f"Wrote {target}", markup=False)


if __name__ == "__main__":  # pragma: no cover
    main()
