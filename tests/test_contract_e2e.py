"""End to end against the contract: generated programs, the CLI, an independent checker.

Each run goes program folder → ``coachmatch assign`` → roster.csv, and the roster is judged by
``tests/independent`` (written from the contract, sharing no code with the tool): every row
valid, and the roster at the exact lexicographic optimum that an independent MILP computes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_program
from independent import check_roster, check_roster_optimal, optimum, optimum_year2
from independent import load_program as independent_load

from matcher.cli import main

generate = pytest.importorskip("matcher.synthetic.generator")

VARIANTS = {
    "defaults": {},
    "strict": {
        "allow_in_progress_certification": "false",
        "supervisor_conflict": '"direct"',
        "max_travel_km": "40",
        "min_admin_years": "5",
    },
    "loose": {"require_cnet": "false", "role_must_match": "false", "max_travel_km": "0"},
    "plain": {"year2_first": "false"},
}


def _program(tmp_path: Path, size: str, seed: int, variant: str) -> Path:
    folder = tmp_path / f"{size}-{seed}-{variant}"
    generate.write_program(generate.generate_program(size, seed), folder)
    toml = folder / "program.toml"
    text = toml.read_text(encoding="utf-8")
    for key, value in VARIANTS[variant].items():
        text, n = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
        assert n == 1, f"generated program.toml has no single {key} line"
    toml.write_text(text, encoding="utf-8")
    return folder


def _assign(folder: Path, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(
        main, ["assign", str(folder), "--out", str(out), "--quiet", "--no-xlsx", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize(
    ("size", "seed", "variant"),
    [
        ("sample", 1, "defaults"),
        ("sample", 2, "strict"),
        ("sample", 3, "loose"),
        ("sample", 1, "plain"),
        ("district", 4, "defaults"),
        ("district", 5, "strict"),
    ],
)
def test_roster_is_valid_and_optimal(tmp_path, size, seed, variant):
    folder = _program(tmp_path, size, seed, variant)
    summary = _assign(folder, tmp_path / "out")
    program = independent_load(folder)
    assert check_roster(program, tmp_path / "out" / "roster.csv") == []
    assert check_roster_optimal(program, tmp_path / "out" / "roster.csv") == []
    best_year2, best_assigned, best_score = optimum_year2(program)
    assert (best_assigned, best_score) == optimum(program)
    assert summary["status"] == "optimal"
    assert summary["year2_first"] == (variant != "plain")
    if summary["year2_first"]:
        assert summary["year2_assigned"] == summary["year2_bound"] == best_year2
    assert summary["assigned"] == best_assigned
    assert summary["objective"] == pytest.approx(best_score, abs=1e-3)
    assert summary["bound"] == pytest.approx(summary["objective"], abs=1e-6)


def test_cpsat_path_reaches_the_same_optimum_as_the_flow(tmp_path):
    folder = _program(tmp_path, "sample", 6, "defaults")
    flow = _assign(folder, tmp_path / "flow", "--solver", "flow")
    cpsat = _assign(folder, tmp_path / "cpsat", "--solver", "cpsat", "--time-limit", "20")
    assert cpsat["status"] == "optimal"
    assert (cpsat["year2_assigned"], cpsat["assigned"], cpsat["objective"]) == (
        flow["year2_assigned"],
        flow["assigned"],
        pytest.approx(flow["objective"], abs=1e-6),
    )
    assert check_roster(independent_load(folder), tmp_path / "cpsat" / "roster.csv") == []


def test_same_site_roster_is_valid_and_beats_the_flow_roster_on_its_objective(tmp_path):
    folder = _program(tmp_path, "sample", 7, "defaults")
    toml = folder / "program.toml"
    toml.write_text(
        re.sub(r"(?m)^same_site\s*=.*$", "same_site = 1.5", toml.read_text()), encoding="utf-8"
    )
    summary = _assign(folder, tmp_path / "out", "--time-limit", "2")
    program = independent_load(folder)
    assert check_roster(program, tmp_path / "out" / "roster.csv") == []
    best_year2, best_assigned, best_score = optimum_year2(program)
    assert summary["year2_assigned"] == best_year2  # year 2 first
    assert summary["assigned"] == best_assigned  # then coverage
    assert summary["objective"] >= best_score - 1e-6  # the bonus can only add
    assert summary["bound"] >= summary["objective"] - 1e-6


def test_same_roster_whatever_the_number_of_workers(tmp_path):
    folder = _program(tmp_path, "sample", 8, "defaults")
    toml = folder / "program.toml"
    toml.write_text(
        re.sub(r"(?m)^same_site\s*=.*$", "same_site = 1.0", toml.read_text()), encoding="utf-8"
    )
    rosters = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        _assign(folder, out, "--workers", str(workers), "--time-limit", "1", "--seed", "3")
        rosters.append((out / "roster.csv").read_bytes())
    assert rosters[0] == rosters[1]


def test_sample_district_is_checked_in_and_valid(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-district"
    if not sample.exists():
        pytest.skip("scenarios/sample-district not generated yet")
    copy = tmp_path / "sample"
    shutil.copytree(sample, copy)
    summary = _assign(copy, tmp_path / "out")
    program = independent_load(copy)
    assert check_roster(program, tmp_path / "out" / "roster.csv") == []
    assert (summary["assigned"], pytest.approx(summary["objective"], abs=1e-3)) == optimum(program)
    assert summary["year2_assigned"] == optimum_year2(program)[0]


def _year2_program(tmp_path: Path, toml: str = "") -> Path:
    """Hand-solved: C1 has one place; K1 (year 1) asked for C1 and had it last year (+13), K2
    (year 2) is a plain match. The plain optimum gives C1 to K1, year2_first to K2."""
    return write_program(
        tmp_path,
        coaches=[{"coach_id": "C1", "capacity": "1"}],
        candidates=[
            {
                "candidate_id": "K1",
                "program_year": "1",
                "current_coach_id": "C1",
                "preferred_coach_ids": "C1",
            },
            {"candidate_id": "K2", "program_year": "2"},
        ],
        toml=toml,
    )


@pytest.mark.parametrize("solver", ["auto", "flow", "cpsat", "greedy"])
def test_year2_first_gives_the_place_to_the_completing_candidate(tmp_path, solver):
    folder = _year2_program(tmp_path / "p")
    summary = _assign(folder, tmp_path / "out", "--solver", solver)
    assert (summary["year2_assigned"], summary["assigned"]) == (1, 1)
    rows = (tmp_path / "out" / "roster.csv").read_text().splitlines()
    assert rows[1].startswith("K1,,unassigned,")
    assert "year-2 candidates" in rows[1] and "C1" in rows[1]
    assert rows[2].startswith("K2,C1,assigned,")
    assert summary["unassigned_by_reason"] == {"places_to_year2": 1}
    program = independent_load(folder)
    assert check_roster(program, tmp_path / "out" / "roster.csv") == []
    if solver != "greedy":
        assert check_roster_optimal(program, tmp_path / "out" / "roster.csv") == []


def test_year2_first_false_restores_the_plain_optimum(tmp_path):
    folder = _year2_program(tmp_path / "p", "[priority]\nyear2_first = false\n")
    summary = _assign(folder, tmp_path / "out")
    assert (summary["year2_first"], summary["year2_assigned"], summary["assigned"]) == (False, 0, 1)
    assert summary["year2_bound"] is None
    rows = (tmp_path / "out" / "roster.csv").read_text().splitlines()
    assert rows[1].startswith("K1,C1,assigned,")
    assert summary["unassigned_by_reason"] == {"eligible_coaches_full": 1}
