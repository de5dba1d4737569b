"""The ``coachmatch`` command line (click).

User mistakes — a bad cell, a missing file, an ineligible pin — end with a clear message and
exit code 2 (input) or 3 (the rules cannot all hold), never a traceback, and nothing is written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console

from matcher.errors import InfeasibleError, InputError

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3

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


def _load(program_dir: Path):
    from matcher.loading import load_program

    try:
        return load_program(program_dir)
    except InputError as exc:
        _fail_input(exc)


@click.group()
@click.version_option(package_name="coachmatch")
def main() -> None:
    """Match leadership coaches with credential candidates, provably optimally."""


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
def validate(program_dir: Path) -> None:
    """Check a program folder and print a data-quality report."""
    from matcher.pairs import build_pairs
    from matcher.report_text import print_validation

    program = _load(program_dir)
    print_validation(out, program, build_pairs(program))
    out.print("[green]The program folder is valid.[/]")


@main.command()
@click.argument("program_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Result folder (created; files in it are replaced all at once).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds of (deterministic) search for the CP-SAT model.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes for independent components.",
)
@click.option(
    "--pin",
    "pin_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="CSV of candidate_id, coach_id pairs fixed in advance.",
)
@click.option(
    "--solver",
    type=click.Choice(["auto", "flow", "cpsat", "greedy"]),
    default="auto",
    show_default=True,
    help="auto: the exact flow unless a term couples pairs.",
)
@click.option(
    "--alternates",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also write alternates.csv with the K next-best coaches per candidate.",
)
@click.option("--xlsx/--no-xlsx", default=True, show_default=True, help="Also write roster.xlsx.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
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
) -> None:
    """Pair every candidate with a coach, optimally, and write the roster."""
    from matcher.assign import assign as run_assign
    from matcher.assign import read_pins
    from matcher.output import staged_folder
    from matcher.writers import (
        alternates_frame,
        summary_dict,
        write_roster_csv,
        write_roster_xlsx,
        write_summary,
    )

    started = time.perf_counter()
    program = _load(program_dir)
    try:
        pins = read_pins(pin_file, program) if pin_file else []
    except InputError as exc:
        _fail_input(exc)

    def progress(objective: float, bound: float, seconds: float) -> None:
        if not quiet:
            err.print(
                f"  {seconds:7.1f} s  best {objective:,.0f}  bound {bound:,.0f}", markup=False
            )

    try:
        result = run_assign(
            program, solver=solver, time_limit=time_limit, seed=seed, workers=workers,
            pins=pins, alternates=alternates, progress=progress,
        )  # fmt: skip
    except InfeasibleError as exc:
        _fail_infeasible(exc)
    summary = summary_dict(program, result)
    summary["total_seconds"] = round(time.perf_counter() - started, 3)
    with staged_folder(out_dir) as stage:
        write_roster_csv(result, stage / "roster.csv")
        write_summary(summary, stage / "summary.json")
        if alternates:
            alternates_frame(result).to_csv(stage / "alternates.csv", index=False)
        if xlsx:
            write_roster_xlsx(program, result, summary, stage / "roster.xlsx")
    if not quiet:
        from matcher.report_text import print_summary

        print_summary(out, summary)
        out.print(
            f"Wrote {out_dir}/roster.csv and summary.json" + (", roster.xlsx" if xlsx else "")
        )


@main.command()
@click.option(
    "--size",
    type=click.Choice(["sample", "district", "county", "state"]),
    default="sample",
    show_default=True,
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
def generate(size: str, seed: int, out_dir: Path) -> None:
    """Write a realistic synthetic program folder."""
    from matcher.generate import generate_program, write_program
    from matcher.output import staged_folder

    program = generate_program(size, seed)
    with staged_folder(out_dir) as stage:
        write_program(program, stage)
    out.print(f"Wrote a {size} program ({len(program.candidates)} candidates, "
              f"{len(program.coaches)} coaches) to {out_dir}")  # fmt: skip


if __name__ == "__main__":  # pragma: no cover
    main()
