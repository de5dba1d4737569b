"""What the command line prints: short tables a coordinator reads at a glance (rich)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from rich.console import Console
from rich.table import Table

from matcher.problem import ProgramData
from matcher.rules.pairs import EligiblePairs
from matcher.rules.reasons import reason_words


def print_summary(console: Console, summary: dict) -> None:
    """The roster's headline figures; no personal fields, only ids and counts."""
    table = Table(title="coachmatch roster", show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    n = summary["candidates"]
    table.add_row("candidates", str(n))
    table.add_row("assigned", f"{summary['assigned']} ({summary['assigned'] / max(n, 1):.1%})")
    table.add_row("unassigned", str(summary["unassigned"]))
    if "year2_candidates" in summary:
        y2, of = summary["year2_assigned"], summary["year2_candidates"]
        first = " (first)" if summary.get("year2_first") else ""
        table.add_row(f"year-2 assigned{first}", f"{y2} of {of} ({y2 / max(of, 1):.1%})")
        bound = summary.get("year2_bound")
        if bound is not None and bound > y2:
            table.add_row("year-2 bound", str(bound))
    for code, count in summary["unassigned_by_reason"].items():
        table.add_row(f"  {reason_words(code)}", str(count))
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
    print_warnings(console, summary["warnings"], "all in summary.json, key 'warnings'")


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
    together = ""
    if cont.get("together") is not None and cont["together"] < cont["possible"]:
        proof = "" if cont["together_proven"] else ", best bound found"
        together = f" (at most {cont['together']} at once{proof})"
    lines.append(
        f"plan: {plan['status']}, {len(plan['rounds'])} rounds, {plan['seconds']:.1f} s; "
        f"continuity kept {cont['kept']} of {cont['possible']} possible{together}."
    )
    lines.append(
        f"Paper roster (calendars ignored): {plan['paper_assigned']} assigned, "
        f"objective {plan['paper_objective']:.2f}."
    )
    for line in lines:
        console.print(line, markup=False)


WARNINGS_SHOWN = 10
"""Data warnings printed on the terminal before "... and N more"."""


def print_warnings(
    console: Console,
    warnings: list[str] | tuple[str, ...],
    rest: str,
    shown: int | None = WARNINGS_SHOWN,
) -> None:
    """The first ``shown`` data warnings (all if None), then how many more and ``rest``: where
    they all are."""
    if not warnings:
        return
    console.print(f"[yellow]{len(warnings)} data warnings:[/]")
    for note in warnings[:shown]:
        console.print(f"  - {note}", markup=False, soft_wrap=True)
    if shown is not None and len(warnings) > shown:
        console.print(f"  ... and {len(warnings) - shown} more ({rest})", markup=False)


def print_validation(
    console: Console, program: ProgramData, pairs: EligiblePairs, *, all_warnings: bool = False
) -> bool:
    """Counts, warnings, and each region × role's demand against the room coaches have for it.

    Returns whether the program can be matched at all in a useful way: False (after a loud
    warning naming the rule that rules out most pairs) when few or no pairs are eligible.
    """
    from matcher.assignment.optimize import coach_places
    from matcher.rules.diagnose import few_pairs, group_room

    cands, coaches = program.candidates, program.coaches
    console.print(
        f"[bold]{len(cands)}[/] candidates, [bold]{len(coaches)}[/] coaches, "
        f"[bold]{len(pairs)}[/] eligible pairs"
    )
    certs = Counter(c.certification for c in coaches)
    console.print("coach certification: " + ", ".join(f"{k} {v}" for k, v in sorted(certs.items())))
    years = Counter(k.program_year for k in cands)
    console.print(f"candidates in year 1: {years.get(1, 0)}, year 2: {years.get(2, 0)}")
    total, rows = group_room(pairs, coach_places(program))
    table = Table(title="demand against coach places, by region and role", title_justify="left")
    heads = (
        "region",
        "role",
        "candidates",
        "no eligible coach",
        "coaches",
        "places*",
        "at most**",
        "at least***",
    )
    for col in heads:
        left = col in ("region", "role")
        table.add_column(col, justify="left" if left else "right", no_wrap=left)
    for r in rows:
        style = "red" if r.placeable < r.candidates else None
        style = style or ("yellow" if r.placed_surely < r.candidates else None)
        table.add_row(
            r.region,
            r.role,
            str(r.candidates),
            str(r.without_eligible_coach),
            str(r.coaches),
            str(r.places_reachable),
            str(r.placeable),
            str(r.placed_surely),
            style=style,
        )
    console.print(table)
    console.print(
        "*   places of the coaches serving the region and role, shared: a coach serving several "
        "regions or roles counts fully in each, so these figures overlap.\n"
        "**  candidates that can be placed at most, if no other group needed the same coaches "
        "(max-flow over the eligible pairs; the row is red when below candidates).\n"
        "*** candidates placed at least, in every roster that places the most candidates "
        "overall: the shared places other groups cannot do without are taken out (yellow when "
        "below candidates: who is left out then depends on the pair scores).",
        soft_wrap=True,
    )
    short = sum(r.placeable < r.candidates for r in rows)
    if short:
        console.print(f"[red]{short} region × role groups cannot place all their candidates.[/]")
    console.print(
        f"At most [bold]{total}[/] of {len(cands)} candidates can be placed "
        "(before program caps such as first-year candidates per coach)."
    )
    print_warnings(
        console,
        program.warnings,
        "validate --all-warnings prints them all",
        shown=None if all_warnings else WARNINGS_SHOWN,
    )
    if few_pairs(pairs):
        print_few_pairs(console, pairs)
        return False
    return True


def print_few_pairs(console: Console, pairs: EligiblePairs) -> None:
    """The loud warning of a program where (almost) no candidate has an eligible coach, naming
    the rule that rules out most of the pairs whose region and role fit."""
    from matcher.rules.diagnose import blocking_rules, without_region_role_coach

    n = len(pairs.program.candidates)
    with_coach = len(np.unique(pairs.candidate))
    console.print(
        f"[bold red]Warning: only {len(pairs)} eligible pairs; {n - with_coach} of {n} "
        "candidates have no eligible coach.[/]",
        soft_wrap=True,
    )
    blocks = [b for b in blocking_rules(pairs.view) if b.ruled_out]
    uncovered = without_region_role_coach(pairs.view)
    if not blocks or uncovered * 2 >= n - with_coach:
        console.print(
            f"[red]Most are ruled out by rules 3 and 4 (region, role): {uncovered} of {n} "
            "candidates have no coach serving their region and role; check region, "
            "regions_served and roles in coaches.csv.[/]",
            soft_wrap=True,
        )
        if not blocks:
            return
    first = blocks[0]
    console.print(
        f"[red]Most pairs are ruled out by rule {first.rule.number} ({first.rule.name}: "
        f"{first.rule.ruled_out_as}): {first.ruled_out:,} of the {first.considered:,} pairs "
        f"whose region and role fit ({first.share:.0%}).[/]",
        soft_wrap=True,
    )
    if first.rule.name == "network_training":
        console.print(
            "  After rollover every coach's cnet_current is false until renewed: set it to true "
            "for coaches who did this year's training (or require_cnet = false in program.toml).",
            soft_wrap=True,
        )
    for b in blocks[1:3]:
        console.print(
            f"  then rule {b.rule.number} ({b.rule.name}: {b.rule.ruled_out_as}): "
            f"{b.ruled_out:,} ({b.share:.0%})",
            soft_wrap=True,
        )


def print_why(console: Console, why) -> None:
    """``coachmatch explain``: one candidate's coach, score terms, and the coaches it did not
    get with the reason (ids only, no names)."""
    if why.status == "assigned":
        console.print(
            f"[bold]{why.candidate_id}[/] is assigned to [bold]{why.coach_id}[/], "
            f"score {why.score:.2f}",
            highlight=False,
        )
        terms = ", ".join(f"{t.replace('_', ' ')} {v:+.2f}" for t, v in why.terms.items() if v)
        console.print(f"  score terms: {terms or 'all zero'}", markup=False, highlight=False)
        title = "better-scoring coaches it did not get"
        empty = "No coach of its region and role would score higher."
    else:
        console.print(f"[bold]{why.candidate_id}[/] has no coach.", highlight=False)
        title = "coaches of its region and role, and why not"
        empty = "No coach serves its region and role."
    if not why.options:
        console.print(empty)
        return
    table = Table(title=title, title_justify="left")
    table.add_column("coach")
    table.add_column("score", justify="right")
    table.add_column("why not")
    for o in why.options:
        table.add_row(o.coach_id, f"{o.score:.2f}", o.reason)
    console.print(table)
