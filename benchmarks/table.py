"""The results table of a benchmark run, as Markdown for the README.

    python -m benchmarks.table RUN.json > results.md

Two tables: the stages of ``coachmatch assign`` per tier (median seconds), and every assignment
method per tier with its time ratio against coachmatch (``coachmatch_flow``, what the CLI runs,
in the same run on the same eligible pairs) and its gap to the optimum. The machine is noted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.cohorts import TIERS
from benchmarks.results import Bench, Run, load_run, machine_line, seconds

REFERENCE = "coachmatch_flow"
METHOD_NAMES = {
    "coachmatch_flow": "coachmatch (min-cost flow, default)",
    "coachmatch_cpsat": "coachmatch CP-SAT path",
    "greedy": "greedy baseline",
    "highs_milp": "MILP, HiGHS (highspy)",
    "pulp_cbc": "MILP, PuLP + CBC",
    "ortools_mcf": "OR-Tools min-cost flow (plain)",
}


def _find(run: Run, tier: str, stage: str, method: str | None = None) -> Bench | None:
    for bench in run.benches.values():
        if (bench.tier, bench.stage) == (tier, stage) and method in (None, bench.method):
            return bench
    return None


def _t(bench: Bench | None) -> str:
    return seconds(bench.median) if bench else "–"


def _count(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"


def stage_table(run: Run, tiers: list[str]) -> list[str]:
    lines = [
        "| tier | candidates | coaches | eligible pairs | load + validate | eligibility "
        "| assign (flow) | assign (CP-SAT) | roster + reasons | end to end | end to end + xlsx "
        "| fresh process | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tier in tiers:
        load = _find(run, tier, "load")
        elig = _find(run, tier, "eligibility")
        e2e, e2e_x = _find(run, tier, "end_to_end", "csv"), _find(run, tier, "end_to_end", "xlsx")
        extra_load = load.extra if load else {}
        cold = e2e.extra.get("cold_wall_seconds") if e2e else None
        peak = e2e.extra.get("process_peak_rss_mib") if e2e else None
        lines.append(
            f"| {tier} | {_count(extra_load.get('candidates'))} "
            f"| {_count(extra_load.get('coaches'))} "
            f"| {_count(elig.extra.get('eligible_pairs') if elig else None)} "
            f"| {_t(load)} | {_t(elig)} | {_t(_find(run, tier, 'assign', REFERENCE))} "
            f"| {_t(_find(run, tier, 'assign', 'coachmatch_cpsat'))} "
            f"| {_t(_find(run, tier, 'roster'))} | {_t(e2e)} | {_t(e2e_x)} "
            f"| {seconds(cold) if cold is not None else '–'} "
            f"| {f'{peak:,.0f} MiB' if peak is not None else '–'} |"
        )
    return lines


def _gap(bench: Bench) -> str:
    shortfall = bench.extra.get("assigned_gap")
    gap = bench.extra.get("objective_gap")
    if shortfall is None or gap is None:
        return "–"
    text = f"{100 * gap:.2f} %" if gap else "0 (optimal)"
    if shortfall:
        text = f"{shortfall:,} fewer assigned; {text}"
    return text


def _status(bench: Bench) -> str:
    status = str(bench.extra.get("status", "–"))
    gap = bench.extra.get("gap")
    if status == "feasible" and bench.method != "greedy" and gap:
        return f"feasible (bound gap {gap:.1e})"
    return "heuristic" if bench.method == "greedy" else status


def method_table(run: Run, tiers: list[str]) -> list[str]:
    lines = [
        "| tier | method | median time | × coachmatch | CPU time | assigned | objective "
        "| gap to optimum | status | peak RSS added |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for tier in tiers:
        reference = _find(run, tier, "assign", REFERENCE)
        for method, label in METHOD_NAMES.items():
            bench = _find(run, tier, "assign", method)
            if bench is None:
                continue
            ratio = f"{bench.median / reference.median:,.1f}×" if reference else "–"
            objective = bench.extra.get("objective")
            added = bench.extra.get("peak_added_mib")
            lines.append(
                f"| {tier} | {label} | {seconds(bench.median)} | {ratio} "
                f"| {seconds(bench.cpu_median)} | {_count(bench.extra.get('assigned'))} "
                f"| {f'{objective:,.2f}' if objective is not None else '–'} | {_gap(bench)} "
                f"| {_status(bench)} | {f'{added:,.0f} MiB' if added is not None else '–'} |"
            )
    return lines


def render(run: Run) -> str:
    tiers = [t for t in TIERS if t in run.tiers]
    optimum = {
        b.tier: b.extra.get("optimum_source")
        for b in run.benches.values()
        if b.stage == "assign" and b.extra.get("optimum_source")
    }
    out = [
        f"Machine: {machine_line(run)}.",
        "",
        "Stages of `coachmatch assign` (medians; end to end = the click command in-process, "
        "CSVs in, roster on disk; fresh process = `python -m benchmarks.e2e` wall time with "
        "interpreter start and imports; peak RSS = that process's peak resident memory, VmHWM):",
        "",
        *stage_table(run, tiers),
        "",
        "Assignment methods on the same eligible pairs and the same lexicographic objective "
        "(most year-2 candidates, then most candidates assigned, then the largest total pair "
        "score); × coachmatch = median "
        "time ÷ coachmatch's in the same run; CPU time = the process's (all threads, and CBC's "
        "subprocess) per call; gap = (optimum − objective) ÷ optimum. "
        "Optimum: " + ", ".join(f"{t} {s}" for t, s in optimum.items()) + ".",
        "",
        *method_table(run, tiers),
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="pytest-benchmark JSON (--benchmark-json)")
    args = parser.parse_args(argv)
    print(render(load_run(args.run)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
