"""``coachmatch assign`` end to end — CSVs in, roster on disk — in a fresh process.

    python -m benchmarks.e2e PROGRAM_DIR OUT_DIR [--xlsx]

Runs the click command in this process (the same entry point as the ``coachmatch`` script) and
prints one JSON line: ``seconds`` from reading the CSVs to the roster on disk (modules already
imported), ``import_seconds`` (pandas, pandera, OR-Tools, ...), the process's peak RSS (the
whole process, imports included) and the summary's status, counts and objective.

Peak RSS is the kernel's ``VmHWM`` of this process, read from ``/proc/self/status``.
``getrusage(RUSAGE_SELF).ru_maxrss`` (used where /proc is missing) is not trusted on Linux for a
child process: at ``exec`` the kernel folds the parent's peak into it, so a child of a 500 MiB
pytest process would report at least 500 MiB. ``benchmarks/test_end_to_end.py`` runs it as a
subprocess for the memory figure and times the same command in-process with CliRunner.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def cli_args(program_dir: Path, out_dir: Path, xlsx: bool) -> list[str]:
    return [
        "assign",
        str(program_dir),
        "--out",
        str(out_dir),
        "--quiet",
        "--xlsx" if xlsx else "--no-xlsx",
    ]


def import_everything() -> None:
    """What the assign command imports lazily, so that timing it excludes imports."""


def peak_rss_mib() -> tuple[float, str]:
    """(peak RSS in MiB, how it was measured) of this process so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024, "VmHWM of the process (/proc/self/status)"
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "getrusage ru_maxrss"


def main(argv: list[str]) -> int:
    xlsx = "--xlsx" in argv
    program_dir, out_dir = (Path(a) for a in argv if not a.startswith("--"))
    start = time.perf_counter()
    from matcher.cli import main as cli

    import_everything()
    imported = time.perf_counter()
    cli.main(args=cli_args(program_dir, out_dir, xlsx), standalone_mode=False)
    done = time.perf_counter()
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    peak, method = peak_rss_mib()
    report = {
        "seconds": round(done - imported, 4),
        "import_seconds": round(imported - start, 4),
        "peak_rss_mib": round(peak, 1),
        "memory_method": method,
        "xlsx": xlsx,
        **{
            k: summary.get(k)
            for k in (
                "status",
                "assigned",
                "unassigned",
                "eligible_pairs",
                "objective",
                "bound",
                "gap",
                "solve_seconds",
            )
        },
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
