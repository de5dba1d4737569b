"""What the command line prints: short tables a coordinator reads at a glance (rich)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from rich.console import Console
from rich.table import Table

from matcher.problem import ProgramData
from matcher.rules.pairs import EligiblePairs


def print_summary(console: Console, summary: dict) -> None:
    """The roster's headline figures; no personal fields, only ids and counts."""
    table = Table(title="coachmatch roster", show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    n = summary["candidates"]
    table.add_row("candidates", str(n))
    table.add_row("assigned", f"{summary['assigned']} ({summary['assigned'] / max(n, 1):.1%})")
    table.add_row("unassigned", str(summary["unassigned"]))
    for code, count in summary["unassigned_by_reason"].items():
        table.add_row(f"  {code.replace('_', ' ')}", str(count))
    util = summary["utilization"]
    share = f"{util['share']:.1%}" if util["share"] is not None else "-"
    table.add_row("coach places used", f"{util['places_used']} of {util['places']} ({share})")
    table.add_row("coaches full / unused", f"{util['coaches_full']} / {util['coaches_unused']}")
    cont = summary["continuity"]
    table.add_row("continuity kept", f"{cont['kept']} of {cont['of']}")
    table.add_row("objective (total score)", f"{summary['objective']:.2f}")
    if "bound_of" in summary:  # plan: the bound counts candidates, not score
        table.add_row("bound (candidates scheduled)", str(summary["bound"]))
    else:
        table.add_row("best bound", f"{summary['bound']:.2f}")
    gap = summary["gap"]
    table.add_row("gap", "-" if gap is None else f"{gap:.4%}")
    table.add_row("status", f"{summary['status']} ({summary['solver']})")
    table.add_row("time", f"{summary['solve_seconds']:.2f} s")
    if summary["warnings"]:
        table.add_row("data warnings", str(len(summary["warnings"])))
    console.print(table)


def print_plan(console: Console, plan: dict) -> None:
    """plan's own headline: the proven bound, what this roster schedules, and the paper roster."""
    n = plan["candidates"]
    bound = plan["bound"]
    lines = []
    if bound is not None:
        proof = "" if plan["bound_proven"] else " (best bound found)"
        lines.append(
            f"No roster can schedule more than {bound} of {n} candidates{proof}; "
            f"this one schedules {plan['scheduled']} (gap {plan['gap']:.1%})."
        )
    cont = plan["continuity"]
    lines.append(
        f"plan: {plan['status']}, {len(plan['rounds'])} rounds, {plan['seconds']:.1f} s; "
        f"continuity kept {cont['kept']} of {cont['possible']} possible."
    )
    lines.append(
        f"Paper roster (calendars ignored): {plan['paper_assigned']} assigned, "
        f"objective {plan['paper_objective']:.2f}."
    )
    for line in lines:
        console.print(line, markup=False)


def print_validation(console: Console, program: ProgramData, pairs: EligiblePairs) -> None:
    """Counts, warnings, and each region × role's demand against the places that could meet it."""
    cands, coaches = program.candidates, program.coaches
    console.print(
        f"[bold]{len(cands)}[/] candidates, [bold]{len(coaches)}[/] coaches, "
        f"[bold]{len(pairs)}[/] eligible pairs"
    )
    certs = Counter(c.certification for c in coaches)
    console.print("coach certification: " + ", ".join(f"{k} {v}" for k, v in sorted(certs.items())))
    years = Counter(k.program_year for k in cands)
    console.print(f"candidates in year 1: {years.get(1, 0)}, year 2: {years.get(2, 0)}")
    from matcher.assignment.optimize import coach_places

    places = coach_places(program)
    with_pair = np.zeros(len(cands), dtype=bool)
    with_pair[pairs.candidate] = True
    table = Table(title="demand against coach places, by region and role", title_justify="left")
    for col in ("region", "role", "candidates", "no eligible coach", "coaches", "places*"):
        table.add_column(col, justify="left" if col in ("region", "role") else "right")
    groups: dict[tuple[str, str], list[int]] = {}
    for i, k in enumerate(cands):
        groups.setdefault((k.region, k.role), []).append(i)
    short = 0
    for (region, role), members in sorted(groups.items()):
        able = [j for j, c in enumerate(coaches) if region in c.serves and role in c.roles]
        supply = int(places[able].sum()) if able else 0
        lonely = int((~with_pair[members]).sum())
        style = "red" if supply < len(members) or lonely else None
        short += supply < len(members)
        table.add_row(
            region, role, str(len(members)), str(lonely), str(len(able)), str(supply), style=style
        )
    console.print(table)
    console.print(
        "* places of coaches serving the region and role; a coach serving several counts in each."
    )
    if short:
        console.print(f"[red]{short} region × role groups have fewer places than candidates.[/]")
    if program.warnings:
        console.print(f"[yellow]{len(program.warnings)} data warnings:[/]")
        for note in program.warnings[:50]:
            console.print(f"  - {note}", markup=False)
        if len(program.warnings) > 50:
            console.print(f"  ... and {len(program.warnings) - 50} more (all in summary.json)")
