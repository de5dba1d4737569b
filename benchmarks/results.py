"""Reading pytest-benchmark JSON files: one record per benchmark, keyed by its test name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Bench:
    name: str  # e.g. test_assign[district-greedy]
    median: float
    min: float
    rounds: int
    extra: dict[str, Any]

    @property
    def cpu_median(self) -> float | None:
        value = self.extra.get("cpu_median")
        return None if value is None else float(value)

    @property
    def cpu_min(self) -> float | None:
        value = self.extra.get("cpu_min")
        return None if value is None else float(value)

    @property
    def tier(self) -> str:
        return str(self.extra.get("tier", ""))

    @property
    def stage(self) -> str:
        return str(self.extra.get("stage", ""))

    @property
    def method(self) -> str:
        return str(self.extra.get("method", ""))


@dataclass(frozen=True)
class Run:
    path: Path
    benches: dict[str, Bench]
    machine: dict[str, Any]
    commit: dict[str, Any]
    datetime: str

    @property
    def tiers(self) -> set[str]:
        return {b.tier for b in self.benches.values()}


def load_run(path: Path | str) -> Run:
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    benches = {}
    for entry in data.get("benchmarks", []):
        stats = entry.get("stats") or {}
        benches[entry["name"]] = Bench(
            entry["name"],
            float(stats.get("median", "nan")),
            float(stats.get("min", "nan")),
            int(stats.get("rounds", 0)),
            dict(entry.get("extra_info") or {}),
        )
    return Run(
        path,
        benches,
        data.get("machine_info") or {},
        data.get("commit_info") or {},
        str(data.get("datetime", "")),
    )


def machine_line(run: Run) -> str:
    """One line saying where the run was measured."""
    m = run.machine
    cpu = m.get("cpu") or {}
    brand = cpu.get("brand_raw") or m.get("processor") or m.get("machine") or "unknown CPU"
    count = cpu.get("count")
    parts = [
        str(brand),
        f"{count} logical cores" if count else None,
        f"{m.get('system', '')} {m.get('release', '')}".strip() or None,
        f"{m.get('python_implementation', 'Python')} {m.get('python_version', '')}".strip(),
        f"node {m['node']}" if m.get("node") else None,
    ]
    if m.get("loadavg_at_end"):
        parts.append("load average at the end " + "/".join(f"{x:g}" for x in m["loadavg_at_end"]))
    commit = run.commit
    if commit.get("id"):
        parts.append(f"commit {commit['id'][:10]}" + (" (dirty)" if commit.get("dirty") else ""))
    if run.datetime:
        parts.append(run.datetime[:19].replace("T", " ") + " UTC")
    return "; ".join(p for p in parts if p)


def seconds(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"
