"""Benchmark fixtures: tier selection, generated cohorts cached per session, and a runner that
times a call with pytest-benchmark and records its quality figures and peak memory.

Tiers: ``--tier sample --tier district`` (the default), ``--tier county``, ``--tier state`` or
``--tier all``; repeat the option to combine. Every test that takes the ``tier`` fixture runs
once per selected tier.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from benchmarks.cohorts import QUICK_TIERS, TIERS, Cohort, make_cohort, measure_memory

# Rounds (timed calls) per benchmark: at most MAX_ROUNDS, fewer for slow calls so that one
# benchmark takes about BUDGET seconds; at least MIN_ROUNDS, so that there is a median.
MAX_ROUNDS = {"sample": 7, "district": 5, "county": 3, "state": 3}
MIN_ROUNDS = {"sample": 3, "district": 3, "county": 1, "state": 1}
BUDGET = {"sample": 2.0, "district": 6.0, "county": 20.0, "state": 60.0}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coachmatch benchmarks")
    group.addoption(
        "--tier",
        action="append",
        choices=[*TIERS, "all"],
        default=None,
        help="cohort size(s) to benchmark; repeatable; default: " + ", ".join(QUICK_TIERS),
    )


def selected_tiers(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--tier") or list(QUICK_TIERS)
    if "all" in chosen:
        return list(TIERS)
    return [t for t in TIERS if t in chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "tier" in metafunc.fixturenames:
        metafunc.parametrize("tier", selected_tiers(metafunc.config), scope="session")


def pytest_report_header(config: pytest.Config) -> str:
    return "coachmatch benchmark tiers: " + ", ".join(selected_tiers(config))


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    """Note how busy the machine was (shared machines make wall-clock medians move)."""
    if hasattr(os, "getloadavg"):
        machine_info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    machine_info["cpu_count"] = os.cpu_count()


@pytest.fixture(scope="session")
def cohort_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Cohort]:
    """Cohorts generated once per session, under the session's temporary directory."""
    return {}


@pytest.fixture(scope="session")
def cohort(tier: str, cohort_cache: dict[str, Cohort], tmp_path_factory) -> Cohort:
    if tier not in cohort_cache:
        cohort_cache[tier] = make_cohort(tier, tmp_path_factory.mktemp("cohorts"))
    return cohort_cache[tier]


def rounds_for(tier: str, first_seconds: float) -> int:
    fit = int(BUDGET[tier] / max(first_seconds, 1e-6))
    return max(MIN_ROUNDS[tier], min(MAX_ROUNDS[tier], fit))


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its waited-for children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Runner:
    """Times ``fn`` with pytest-benchmark and records its peak memory and context in extra_info.

    Normally one untimed call first measures peak memory (and warms up), then ``rounds_for``
    timed rounds follow. A call known to be slow (``slow=True``) runs once only: that one timed
    round also measures the memory (the reset and read of the peak mark cost well under 1 ms).

    Besides pytest-benchmark's wall-clock statistics, every timed round's CPU time is kept (the
    whole process, all threads, plus waited-for children such as PuLP's CBC): ``cpu_median`` is
    what ``benchmarks.compare`` gates on by default, since on a shared machine it moves far less
    with other processes' load than the wall clock does.
    """

    def __init__(self, benchmark, cohort: Cohort):
        self.benchmark = benchmark
        self.cohort = cohort

    def __call__(
        self, fn: Callable[[], Any], *, stage: str, method: str = "", slow: bool = False
    ) -> Any:
        self.benchmark.group = f"{self.cohort.tier}: {stage}"
        self.benchmark.extra_info.update(
            tier=self.cohort.tier,
            seed=self.cohort.seed,
            fingerprint=self.cohort.fingerprint,
            stage=stage,
            method=method,
        )
        cpu: list[float] = []
        measured: list = []

        def timed() -> Any:
            start = cpu_seconds()
            value = fn()
            cpu.append(cpu_seconds() - start)
            return value

        def timed_with_memory() -> Any:
            value, memory = measure_memory(timed)
            measured.append(memory)
            return value

        if slow:
            value = self.benchmark.pedantic(
                timed_with_memory, rounds=1, iterations=1, warmup_rounds=0
            )
        else:
            start = time.perf_counter()
            value = timed_with_memory()
            cpu.clear()
            rounds = rounds_for(self.cohort.tier, time.perf_counter() - start)
            self.benchmark.pedantic(timed, rounds=rounds, iterations=1, warmup_rounds=0)
        memory = measured[0]
        self.benchmark.extra_info.update(
            peak_rss_mib=round(memory.peak_mib, 1),
            peak_added_mib=round(memory.added_mib, 1),
            memory_method=memory.method,
            rounds=len(cpu),
            cpu_median=statistics.median(cpu),
            cpu_min=min(cpu),
        )
        return value

    def record(self, **figures: Any) -> None:
        self.benchmark.extra_info.update(figures)


@pytest.fixture
def run(benchmark, cohort: Cohort) -> Runner:
    return Runner(benchmark, cohort)
