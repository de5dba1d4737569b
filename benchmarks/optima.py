"""Compute, cross-check and record the known optimum of each tier's cohort.

    python -m benchmarks.optima                      # check the recorded optima, all tiers
    python -m benchmarks.optima --write sample district county state
    python -m benchmarks.optima --write --independent sample district
    python -m benchmarks.optima --write --from-run RUN.json county state

For each tier the cohort is generated (fixed seed), and the optimum (most candidates assigned,
then the largest total integer weight) is solved by coachmatch's flow and, on the same arrays,
by HiGHS (a MILP solved level by level) and a plain OR-Tools min-cost flow; all three must
agree exactly.
``--independent`` also runs the test suite's independent checker (``tests/independent``: its own
CSV reader, its own rules 1–9 and score, its own MILP in float scores) — pure Python over every
coach × candidate, so meant for the small tiers. ``--write`` records the figures with the
cohort's fingerprint in ``benchmarks/known_optima.json``; the benchmarks then assert them for
exactly that data. ``--from-run`` takes the figures from a benchmark run instead of solving
again (the big tiers' MILPs take minutes): a tier is recorded when every exact method of that
run reached the same (assigned, weight) as coachmatch's proven-optimal flow.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cohorts import KNOWN_OPTIMA_PATH, SEEDS, TIERS, known_optima, make_cohort
from benchmarks.peers import solve_highs_milp, solve_ortools_mcf
from solvers.assignment_data import WEIGHT_SCALE

REPO = Path(__file__).resolve().parent.parent


def independent_optimum(folder: Path) -> tuple[int, float, int]:
    """(assigned, total score, eligible pairs) by the test suite's independent checker."""
    sys.path.insert(0, str(REPO))
    from tests.independent.optimum_milp import optimum_assignment
    from tests.independent.program import load_program
    from tests.independent.rules import eligible_pairs

    program = load_program(folder)
    assigned, total, _ = optimum_assignment(program)
    return assigned, total, len(eligible_pairs(program))


def compute(tier: str, root: Path, independent: bool) -> dict:
    from matcher.assignment.optimize import roster_from

    cohort = make_cohort(tier, root)
    start = time.perf_counter()
    flow = cohort.flow_solution
    assert flow.status == "optimal"
    result = roster_from(cohort.pairs, cohort.problem, flow)
    entry = {
        "seed": SEEDS[tier],
        "fingerprint": cohort.fingerprint,
        "candidates": len(cohort.program.candidates),
        "coaches": len(cohort.program.coaches),
        "eligible_pairs": len(cohort.pairs),
        "assigned": flow.assigned,
        "weight": flow.objective,
        "weight_scale": WEIGHT_SCALE,
        "objective": round(result.objective, 6),
        "checked_by": ["coachmatch flow"],
    }
    for solve, name in (
        (solve_highs_milp, "HiGHS phased MILP"),
        (solve_ortools_mcf, "OR-Tools min-cost flow"),
    ):
        peer = solve(cohort.problem)
        if (peer.assigned, peer.objective) != (flow.assigned, flow.objective):
            raise SystemExit(
                f"{tier}: {name} found {peer.assigned}/{peer.objective}, "
                f"flow {flow.assigned}/{flow.objective}"
            )
        entry["checked_by"].append(name)
    if independent:
        assigned, total, n_pairs = independent_optimum(cohort.folder)
        tolerance = 1e-6 + assigned * 0.5 / WEIGHT_SCALE  # scores are optimised at 1e-5
        if (assigned, n_pairs) != (flow.assigned, len(cohort.pairs)) or abs(
            total - result.objective
        ) > tolerance:
            raise SystemExit(
                f"{tier}: independent checker found {assigned} assigned, "
                f"score {total}, {n_pairs} pairs; coachmatch {flow.assigned}, "
                f"{result.objective}, {len(cohort.pairs)}"
            )
        entry["checked_by"].append("tests/independent (own rules, float-score MILP)")
    entry["seconds"] = round(time.perf_counter() - start, 2)
    return entry


LABELS = {
    "coachmatch_flow": "coachmatch flow",
    "coachmatch_cpsat": "coachmatch CP-SAT",
    "highs_milp": "HiGHS phased MILP",
    "pulp_cbc": "PuLP/CBC phased MILP",
    "ortools_mcf": "OR-Tools min-cost flow",
}


def from_run(path: Path, tier: str) -> dict:
    """A known-optimum entry from a benchmark run's figures (all exact methods must agree)."""
    from benchmarks.results import load_run

    benches = [b for b in load_run(path).benches.values() if b.tier == tier]
    by = {(b.stage, b.method): b.extra for b in benches}
    flow = by.get(("assign", "coachmatch_flow"))
    if flow is None or flow.get("status") != "optimal":
        raise SystemExit(f"{tier}: the run has no proven-optimal coachmatch flow result")
    target = (flow["assigned"], flow["weight"])
    agreed = []
    for method, label in LABELS.items():
        extra = by.get(("assign", method))
        if extra is None:
            continue
        if (extra["assigned"], extra["weight"]) != target:
            raise SystemExit(
                f"{tier}: {method} found {extra['assigned']}/{extra['weight']}, "
                f"flow {target[0]}/{target[1]}"
            )
        agreed.append(
            label
            + (
                ""
                if extra.get("status") == "optimal"
                else f" (same value, status {extra.get('status')})"
            )
        )
    load, roster = by.get(("load", "")), by.get(("roster", ""))
    if load is None or roster is None:
        raise SystemExit(f"{tier}: the run lacks test_load / test_roster figures")
    return {
        "seed": flow["seed"],
        "fingerprint": flow["fingerprint"],
        "candidates": load["candidates"],
        "coaches": load["coaches"],
        "eligible_pairs": flow["eligible_pairs"],
        "assigned": flow["assigned"],
        "weight": flow["weight"],
        "weight_scale": WEIGHT_SCALE,
        "objective": roster["objective"],
        "checked_by": [f"{label} (benchmark run)" for label in agreed],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tiers", nargs="*", help="of " + ", ".join(TIERS) + " (default: all)")
    parser.add_argument("--write", action="store_true", help="record in known_optima.json")
    parser.add_argument(
        "--independent",
        action="store_true",
        help="also run tests/independent's checker (slow beyond district)",
    )
    parser.add_argument(
        "--from-run",
        type=Path,
        metavar="RUN.json",
        help="take the figures from a benchmark run instead of solving",
    )
    args = parser.parse_args(argv)
    tiers = args.tiers or list(TIERS)
    unknown = sorted(set(tiers) - set(TIERS))
    if unknown:
        parser.error(f"unknown tier(s) {', '.join(unknown)}: choose from {', '.join(TIERS)}")
    recorded = known_optima()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for tier in tiers:
            if args.from_run:
                entry = from_run(args.from_run, tier)
            else:
                entry = compute(tier, Path(tmp), args.independent)
            old = recorded.get(tier)
            same = old is not None and all(
                old.get(k) == entry[k]
                for k in ("fingerprint", "eligible_pairs", "assigned", "weight")
            )
            note = "matches the record" if same else "differs from the record"
            print(
                f"{tier}: {entry['assigned']} assigned, objective {entry['objective']}, "
                f"{entry['eligible_pairs']} pairs, fingerprint {entry['fingerprint']} — "
                f"{note}; checked by {', '.join(entry['checked_by'])}"
            )
            if args.write:
                if same:  # keep every earlier check of the same figures
                    earlier = old.get("checked_by", [])
                    entry["checked_by"] = earlier + [
                        c for c in entry["checked_by"] if c not in earlier
                    ]
                recorded[tier] = entry
            elif not same:
                failed = True
    if args.write:
        ordered = {t: recorded[t] for t in TIERS if t in recorded}
        KNOWN_OPTIMA_PATH.write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {KNOWN_OPTIMA_PATH}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
