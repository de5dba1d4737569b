"""Compare a benchmark run with a baseline; fail on a quality drop or a time regression.

    python -m benchmarks.compare RUN.json BASELINE.json [--max-time-ratio 1.5]
                                 [--min-seconds 0.01] [--clock cpu|wall]
                                 [--no-noise-guard] [--strict]

Prints a table of figure, baseline, now and ratio for every benchmark of the tiers the run
covers. Exit status 1 when:

* solution quality drops: ``assigned``, ``weight`` (the integer objective of the solver stage)
  or ``objective`` of any benchmark is lower than in the baseline. Everything here is
  deterministic, so any drop counts (floats to 5e-6, the precision summary.json keeps);
* time regresses: a median above ``--max-time-ratio`` × the baseline's (default 1.5), unless
  both medians are under ``--min-seconds`` (default 0.01 s), where timer noise dominates.
  ``--clock cpu`` (default) applies this to the medians of the process's CPU time per call,
  ``--clock wall`` to pytest-benchmark's wall-clock medians; the other clock is shown too. CPU
  time is the default because the machines here are shared: another session's load moved
  wall-clock medians of the same code by up to 3× between two runs, CPU time far less.
  Noise guard (on by default): a median over the limit fails only when the fastest round is
  over the limit too. A real slowdown slows every round; interference from other processes
  (on 2 logical cores, likely SMT siblings, it inflates CPU time as well) slows only some, and
  was seen to push CPU medians of unchanged code to 1.67× while the fastest round stayed under
  1×. ``--no-noise-guard`` gates on the medians alone.

Peak memory and the eligible pair count are shown for information when they move (memory by
more than 10 %); they never fail the comparison. Quality is compared only where the cohort is
the same data (same fingerprint). If the generator changed, those rows say so and are skipped
— refresh the baseline — or, with ``--strict``, fail. Benchmarks of the baseline missing from
the run are listed, not failed (tiers the run did not cover are left out altogether).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.results import Bench, Run, load_run, machine_line, seconds

QUALITY = ("assigned", "weight", "objective")
FLOAT_TOLERANCE = 5e-6
INFO = ("eligible_pairs", "peak_rss_mib", "process_peak_rss_mib")
MEMORY_NOISE = 0.10


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.6f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def compare(
    run: Run,
    base: Run,
    max_ratio: float,
    min_seconds: float,
    strict: bool,
    clock: str = "cpu",
    guard: bool = True,
):
    """Rows (benchmark, figure, baseline, now, ratio, verdict) and the number of failures."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    failures = 0
    notes: list[str] = []
    for name, old in sorted(base.benches.items(), key=lambda kv: (kv[1].tier, kv[0])):
        if old.tier not in run.tiers:
            continue
        new = run.benches.get(name)
        if new is None:
            notes.append(f"{name}: in the baseline, not in this run")
            continue
        timing = _time_rows(name, old, new, clock, max_ratio, min_seconds, guard)
        failures += sum(r[-1].startswith("FAIL") for r in timing)
        rows += timing
        same_data = old.extra.get("fingerprint") == new.extra.get("fingerprint")
        for figure in QUALITY:
            if figure not in old.extra or figure not in new.extra:
                continue
            a, b = old.extra[figure], new.extra[figure]
            if a is None or b is None:
                continue
            if not same_data:
                verdict = "FAIL (cohort changed)" if strict else "skipped: cohort changed"
            elif b < a - (FLOAT_TOLERANCE if isinstance(a, float) else 0):
                verdict = "FAIL: quality dropped"
            else:
                verdict = "ok" if b == a else "ok (better)"
            failures += verdict.startswith("FAIL")
            ratio = f"{b / a:.6f}" if a else "–"
            rows.append((name, figure, _fmt(a), _fmt(b), ratio, verdict))
        for figure in INFO:  # shown only when they moved: pairs at all, memory by over 10 %
            a, b = old.extra.get(figure), new.extra.get(figure)
            if a is None or b is None or a == b:
                continue
            if figure != "eligible_pairs" and a and abs(b / a - 1) <= MEMORY_NOISE:
                continue
            ratio = f"{b / a:.2f}×" if a else "–"
            rows.append((name, figure, _fmt(a), _fmt(b), ratio, "info"))
        if not same_data:
            notes.append(
                f"{name}: cohort fingerprint {old.extra.get('fingerprint')} → "
                f"{new.extra.get('fingerprint')} (generator changed?)"
            )
    for name in sorted(set(run.benches) - set(base.benches)):
        notes.append(f"{name}: new, not in the baseline")
    return rows, failures, notes


def _time_rows(
    name: str,
    old: Bench,
    new: Bench,
    clock: str,
    max_ratio: float,
    min_seconds: float,
    guard: bool,
) -> list[tuple[str, str, str, str, str, str]]:
    """The gated time row (``clock``), then the other clock's row for information.

    With ``guard``, a median over the limit fails only if the fastest round is over it too: a
    real slowdown slows every round, another process's load mostly some of them.
    """
    medians = {"cpu": (old.cpu_median, new.cpu_median), "wall": (old.median, new.median)}
    fastest = {"cpu": (old.cpu_min, new.cpu_min), "wall": (old.min, new.min)}
    if None in fastest["cpu"]:  # files from before cpu_min was recorded: the wall-clock best
        fastest["cpu"] = fastest["wall"]
    if None in medians["cpu"]:
        clock = "wall"  # a file from before CPU times were recorded
    rows = []
    for which in (clock, "wall" if clock == "cpu" else "cpu"):
        a, b = medians[which]
        if a is None or b is None:
            continue
        ratio = b / a if a > 0 else float("inf")
        fa, fb = fastest[which]
        best = fb / fa if fa and fb is not None else ratio
        if which != clock:
            verdict = "info"
        elif max(a, b) < min_seconds:
            verdict = "ok (below --min-seconds)"
        elif ratio > max_ratio and (not guard or best > max_ratio):
            verdict = f"FAIL: slower than {max_ratio:g}×"
        elif ratio > max_ratio:
            verdict = f"ok (noise: fastest round {best:.2f}×)"
        else:
            verdict = "ok"
        label = "median CPU time" if which == "cpu" else "median wall time"
        rows.append((name, label, seconds(a), seconds(b), f"{ratio:.2f}×", verdict))
    return rows


def render(rows) -> str:
    header = ("benchmark", "figure", "baseline", "now", "ratio", "verdict")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)),
        "-|-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="pytest-benchmark JSON of this run")
    parser.add_argument("baseline", type=Path, help="pytest-benchmark JSON to compare with")
    parser.add_argument(
        "--max-time-ratio",
        type=float,
        default=1.5,
        help="fail when a median is more than this times the baseline's",
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=0.01,
        help="ignore time ratios when both medians are below this",
    )
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="which medians the ratio limit applies to (default: cpu)",
    )
    parser.add_argument(
        "--no-noise-guard",
        dest="guard",
        action="store_false",
        help="fail on the median alone, even if the fastest round is in limit",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail when a tier's cohort differs from the baseline's",
    )
    args = parser.parse_args(argv)
    run, base = load_run(args.run), load_run(args.baseline)
    rows, failures, notes = compare(
        run, base, args.max_time_ratio, args.min_seconds, args.strict, args.clock, args.guard
    )
    print(f"run:      {args.run} — {machine_line(run)}")
    print(f"baseline: {args.baseline} — {machine_line(base)}")
    print(f"tiers:    {', '.join(sorted(run.tiers & base.tiers)) or 'none in common'}\n")
    print(render(rows))
    for note in notes:
        print(f"note: {note}")
    compared = len({r[0] for r in rows})
    if not compared:
        print("\nnothing compared: the run and the baseline share no benchmark")
        return 1
    verdict = f"{failures} failure(s)" if failures else "no regression"
    print(
        f"\n{compared} benchmarks compared: {verdict} "
        f"(time ratio limit {args.max_time_ratio:g}× on {args.clock} medians)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
