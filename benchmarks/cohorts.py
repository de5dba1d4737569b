"""Generated cohorts with fixed seeds, their fingerprints, and the optima known for them.

A cohort is ``matcher.synthetic.generator.generate_program(size, SEEDS[size])`` written to CSV. Its
*fingerprint* is a SHA-256 of the written files, so a known optimum (``known_optima.json``) is
used only for exactly the data it was computed on: if the generator changes, the optimum
becomes unknown (and ``python -m benchmarks.optima --write`` records the new one) instead of
failing for the wrong reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

TIERS = ("sample", "district", "county", "state")
QUICK_TIERS = ("sample", "district")
SEEDS = {"sample": 0, "district": 0, "county": 0, "state": 0}
KNOWN_OPTIMA_PATH = Path(__file__).with_name("known_optima.json")
PROGRAM_FILES = ("coaches.csv", "candidates.csv", "org.csv", "program.toml")


def fingerprint(folder: Path) -> str:
    """SHA-256 over the program files (name and bytes), first 16 hex digits."""
    digest = hashlib.sha256()
    for name in PROGRAM_FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def write_cohort(size: str, folder: Path) -> Path:
    """Generate the size's cohort (fixed seed) into ``folder``; return the folder."""
    from matcher.synthetic.generator import generate_program, write_program

    write_program(generate_program(size, SEEDS[size]), folder)
    return folder


def known_optima() -> dict[str, dict[str, Any]]:
    if not KNOWN_OPTIMA_PATH.exists():
        return {}
    return json.loads(KNOWN_OPTIMA_PATH.read_text(encoding="utf-8"))


@dataclass
class Cohort:
    """One tier's cohort on disk, with its program, pairs and solver arrays built on demand."""

    tier: str
    folder: Path
    fingerprint: str
    setup_seconds: float = 0.0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def seed(self) -> int:
        return SEEDS[self.tier]

    @cached_property
    def known(self) -> dict[str, Any] | None:
        """The known optimum of exactly this data, or None."""
        entry = known_optima().get(self.tier)
        if entry and entry.get("fingerprint") == self.fingerprint and entry["seed"] == self.seed:
            return entry
        return None

    @cached_property
    def program(self):
        from matcher.io.loading import load_program

        return load_program(self.folder)

    @cached_property
    def pairs(self):
        from matcher.rules.pairs import build_pairs

        return build_pairs(self.program)

    @cached_property
    def problem(self):
        from matcher.assignment.optimize import build_problem

        return build_problem(self.pairs)

    @cached_property
    def flow_solution(self):
        from solvers.dispatch import solve

        solution, _ = solve(self.problem, "flow")
        return solution


def make_cohort(tier: str, root: Path) -> Cohort:
    start = time.perf_counter()
    folder = write_cohort(tier, root / f"{tier}-seed{SEEDS[tier]}")
    return Cohort(tier, folder, fingerprint(folder), time.perf_counter() - start)


# --------------------------------------------------------------------------------------------
# Peak memory


def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux ``clear_refs`` 5)."""
    if os.environ.get("COACHMATCH_BENCH_TRACEMALLOC"):
        return False
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


@dataclass(frozen=True)
class Memory:
    """Peak memory of one call: the process's peak RSS while it ran, and what it added."""

    peak_mib: float
    added_mib: float
    method: str  # "rss" (kernel peak RSS, reset before the call) or "tracemalloc"


def measure_memory(fn: Callable[[], Any]) -> tuple[Any, Memory]:
    """Run ``fn`` once and measure its peak memory.

    On Linux the kernel's peak-RSS mark (VmHWM) is reset before the call and read after it:
    everything counts, including what C++ solvers allocate. Elsewhere (or with
    ``COACHMATCH_BENCH_TRACEMALLOC=1``) tracemalloc measures Python and NumPy allocations only.
    """
    if _reset_peak_rss():
        before = _status_kib("VmRSS") or 0
        value = fn()
        peak = _status_kib("VmHWM") or 0
        return value, Memory(peak / 1024, max(peak - before, 0) / 1024, "rss")
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return value, Memory(rss, peak / 2**20, "tracemalloc")
