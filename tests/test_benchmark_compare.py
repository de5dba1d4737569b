"""The benchmark comparison catches what CI must catch, and nothing else.

Run against the committed baseline itself: a plain re-run (the same figures) passes; a run
whose roster assigns one candidate fewer, or scores less, fails; a run three times slower on
every round fails.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from benchmarks.compare import main as compare_main

BASELINE = Path(__file__).resolve().parents[1] / "benchmarks" / "baseline.json"


@pytest.fixture
def baseline() -> dict:
    return json.loads(BASELINE.read_text())


def _run(tmp_path: Path, data: dict) -> int:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    return compare_main([str(path), str(BASELINE)])


def _flow_bench(data: dict) -> dict:
    return next(b for b in data["benchmarks"] if b["extra_info"].get("method") == "coachmatch_flow")


def test_a_plain_rerun_passes(tmp_path, baseline):
    assert _run(tmp_path, copy.deepcopy(baseline)) == 0


def test_one_candidate_fewer_assigned_fails(tmp_path, baseline):
    run = copy.deepcopy(baseline)
    _flow_bench(run)["extra_info"]["assigned"] -= 1
    assert _run(tmp_path, run) != 0


def test_a_lower_objective_fails(tmp_path, baseline):
    run = copy.deepcopy(baseline)
    bench = _flow_bench(run)
    bench["extra_info"]["objective"] -= 0.01
    bench["extra_info"]["weight"] -= 1000
    assert _run(tmp_path, run) != 0


def test_a_threefold_slowdown_fails(tmp_path, baseline):
    run = copy.deepcopy(baseline)
    for bench in run["benchmarks"]:
        if bench["stats"]["median"] < 0.05:
            continue  # the comparison ignores timer noise on very short calls
        for key in ("min", "max", "mean", "median", "q1", "q3", "total"):
            bench["stats"][key] *= 3
        if "data" in bench["stats"]:
            bench["stats"]["data"] = [x * 3 for x in bench["stats"]["data"]]
        for key in ("cpu_median", "cpu_min"):
            if bench["extra_info"].get(key) is not None:
                bench["extra_info"][key] *= 3
    assert _run(tmp_path, run) != 0
