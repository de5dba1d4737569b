"""capacity, reassign and rollover: planning commands around the assignment."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.assignment.optimize import assign
from matcher.cli import main
from matcher.forecast.capacity import plan_capacity
from matcher.io.loading import load_program
from matcher.policy import PriorityPolicy
from matcher.synthetic.generator import generate_program, write_program


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "program"
    write_program(generate_program("sample", 0), folder)
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _copy_program(src: Path, dst: Path, coaches: pd.DataFrame | None = None) -> Path:
    dst.mkdir(parents=True)
    for path in src.iterdir():
        (dst / path.name).write_bytes(path.read_bytes())
    if coaches is not None:
        coaches.to_csv(dst / "coaches.csv", index=False)
    return dst


def _coaches(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "coaches.csv", dtype=str, keep_default_na=False)


def _with_places(sample: Path, dst: Path, places: dict[tuple[str, str], int]) -> Path:
    coaches = _coaches(sample)
    extra = [
        {
            **dict.fromkeys(coaches.columns, ""),
            "coach_id": f"XTRA{i}",
            "region": region,
            "roles": role,
            "capacity": str(n),
            "certification": "certified",
            "cnet_current": "true",
        }
        for i, ((region, role), n) in enumerate(places.items())
        if n > 0
    ]
    return _copy_program(sample, dst, pd.concat([coaches, pd.DataFrame(extra)]))


# ------------------------------------------------------------------------------------ capacity


def test_capacity_places_go_where_year2_first_leaves_candidates_out(sample):
    """Putting year-2 candidates first changes who is left out, never how many (a flow's
    coverage is a matroid): the same number of places, each where assign leaves someone out."""
    program = load_program(sample)
    update = {"priority": PriorityPolicy(year2_first=False)}
    plain = dataclasses.replace(program, policy=program.policy.model_copy(update=update))
    for variant in (program, plain):
        plan, result = plan_capacity(variant), assign(variant)
        left_out = Counter(
            (k.region, k.role)
            for k, r in zip(variant.candidates, result.rows, strict=True)
            if r.status == "unassigned"
        )
        assert {(r.region, r.role): r.added_places for r in plan.rows} == dict(left_out)
    assert plan_capacity(program).total_added == plan_capacity(plain).total_added


def test_capacity_is_the_fewest_places_that_assign_everyone(sample, tmp_path):
    program = load_program(sample)
    plan = plan_capacity(program)
    left_out = assign(program).unassigned
    assert left_out > 0
    assert plan.total_added == left_out == sum(r.added_places for r in plan.rows)
    places = {(r.region, r.role): r.added_places for r in plan.rows}
    full = load_program(_with_places(sample, tmp_path / "full", places))
    assert assign(full).unassigned == 0
    for key in places:
        fewer = {**places, key: places[key] - 1}
        short = load_program(_with_places(sample, tmp_path / f"short-{key[0]}-{key[1]}", fewer))
        assert assign(short).unassigned >= 1, key
    for r in plan.rows:
        assert r.cost is not None and r.cost > 0
        assert math.isclose(r.cost, round(r.added_places * r.cost_per_place, 2))


def test_capacity_cli_writes_csv(sample, tmp_path):
    before = _digest(sample)
    result = CliRunner().invoke(main, ["capacity", str(sample), "--out", str(tmp_path / "cap")])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "cap" / "capacity.csv")
    assert list(frame.columns) == ["region", "role", "added_places", "cost"]
    assert frame["added_places"].sum() == plan_capacity(load_program(sample)).total_added
    assert "unused" in result.output
    assert _digest(sample) == before


def test_capacity_nothing_to_add(program_dir, tmp_path):
    folder = program_dir(coaches=[{"capacity": "3"}], candidates=[{}])
    result = CliRunner().invoke(main, ["capacity", str(folder), "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "no places need to be added" in result.output
    assert pd.read_csv(tmp_path / "c" / "capacity.csv").empty


def test_capacity_virtual_place_serves_any_candidate_of_its_region_and_role(program_dir):
    # K1 and K2 both want C1 (1 place); K3 is a coordinator nobody coaches
    folder = program_dir(
        coaches=[{"capacity": "1"}],
        candidates=[
            {"candidate_id": "K1"},
            {"candidate_id": "K2"},
            {"candidate_id": "K3", "role": "coordinator"},
        ],
    )
    plan = plan_capacity(load_program(folder))
    got = {(r.region, r.role): r.added_places for r in plan.rows}
    assert got == {("North", "assistant_principal"): 1, ("North", "coordinator"): 1}
    assert {r.role: r.cost_basis for r in plan.rows}["coordinator"] == "overall mean"


# ------------------------------------------------------------------------------------ reassign


def _run_assign(folder: Path, out: Path) -> pd.DataFrame:
    result = CliRunner().invoke(
        main, ["assign", str(folder), "--out", str(out), "--no-xlsx", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)


def test_reassign_after_coaches_leave_keeps_every_eligible_pair(sample, tmp_path):
    before = _run_assign(sample, tmp_path / "r1")
    coaches = _coaches(sample)
    # 5 % of the coaches leave: the busiest ones, so that candidates lose their coach
    n_gone = math.ceil(0.05 * len(coaches))
    busiest = before.loc[before["coach_id"] != "", "coach_id"].value_counts()
    gone = set(busiest.index[:n_gone])
    changed = _copy_program(sample, tmp_path / "p2", coaches[~coaches["coach_id"].isin(gone)])
    digest = _digest(tmp_path / "r1")
    result = CliRunner().invoke(
        main,
        [
            "reassign",
            str(changed),
            "--previous",
            str(tmp_path / "r1"),
            "--out",
            str(tmp_path / "r2"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert _digest(tmp_path / "r1") == digest
    after = pd.read_csv(tmp_path / "r2" / "roster.csv", dtype=str, keep_default_na=False)
    changes = pd.read_csv(tmp_path / "r2" / "changes.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == [
        "candidate_id",
        "previous_coach_id",
        "coach_id",
        "change",
        "why",
    ]
    prev = dict(zip(before["candidate_id"], before["coach_id"], strict=True))
    now = dict(zip(after["candidate_id"], after["coach_id"], strict=True))
    lost = {k for k, c in prev.items() if c in gone}
    assert lost
    for k, c in prev.items():
        if c and c not in gone:
            assert now[k] == c, k  # still eligible: kept
    for row in changes.itertuples(index=False):
        if row.candidate_id in lost:
            assert row.change in ("lost_coach", "unassigned")
            assert f"coach {row.previous_coach_id} left the program" in row.why
        elif row.previous_coach_id:
            assert row.change == "kept"
        else:
            assert row.change == "unassigned" and row.coach_id == ""
    assert (tmp_path / "r2" / "summary.json").exists()


def test_reassign_explains_an_ineligible_coach_and_moves(program_dir, tmp_path):
    coaches = [{"coach_id": "C1", "capacity": "1"}, {"coach_id": "C2", "capacity": "1"}]
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / "roster.csv").write_text("candidate_id,coach_id,status\nK1,C1,assigned\n")
    # K1 now excludes C1: it loses its coach and gets C2
    folder = program_dir(
        coaches=coaches, candidates=[{"candidate_id": "K1", "exclude_coach_ids": "C1"}]
    )
    result = CliRunner().invoke(
        main, ["reassign", str(folder), "--previous", str(prev), "--out", str(tmp_path / "a")]
    )
    assert result.exit_code == 0, result.output
    row = pd.read_csv(tmp_path / "a" / "changes.csv", dtype=str, keep_default_na=False).iloc[0]
    assert (row.change, row.coach_id) == ("lost_coach", "C2")
    assert "rule 6" in row.why and "excluded by the candidate" in row.why
    # K2 is new and can only take C1: with no moves K2 waits; with one move K1 goes to C2
    folder = program_dir(
        coaches=coaches,
        candidates=[{"candidate_id": "K1"}, {"candidate_id": "K2", "exclude_coach_ids": "C2"}],
    )
    (prev / "roster.csv").write_text("candidate_id,coach_id,status\nK1,C1,assigned\n")
    for moves, expect in (
        (0, {"K1": "kept", "K2": "unassigned"}),
        (1, {"K1": "moved", "K2": "new"}),
    ):
        out = tmp_path / f"m{moves}"
        result = CliRunner().invoke(
            main,
            [
                "reassign",
                str(folder),
                "--previous",
                str(prev),
                "--out",
                str(out),
                "--allow-moves",
                str(moves),
            ],
        )
        assert result.exit_code == 0, result.output
        changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
        assert dict(zip(changes["candidate_id"], changes["change"], strict=True)) == expect


def test_reassign_input_errors_write_nothing(sample, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "reassign",
            str(sample),
            "--previous",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    assert "previous roster not found" in result.output
    assert not (tmp_path / "o").exists()
    result = runner.invoke(
        main,
        [
            "reassign",
            str(tmp_path / "missing"),
            "--previous",
            str(tmp_path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------------ rollover


def test_rollover_next_year_keeps_most_pairs(sample, tmp_path):
    roster = _run_assign(sample, tmp_path / "r1")
    before = _digest(sample)
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "rollover",
            str(sample),
            "--roster",
            str(tmp_path / "r1" / "roster.csv"),
            "--out",
            str(tmp_path / "next"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cnet_current" in result.output and "in_progress" in result.output
    assert _digest(sample) == before
    nxt = load_program(tmp_path / "next")
    this = load_program(sample)
    year1 = {k.candidate_id for k in this.candidates if k.program_year == 1}
    assert {k.candidate_id for k in nxt.candidates} == year1
    assert all(k.program_year == 2 for k in nxt.candidates)
    assert not any(c.cnet_current for c in nxt.coaches)
    assert [c.certification for c in nxt.coaches] == [c.certification for c in this.coaches]
    coach_of = dict(zip(roster["candidate_id"], roster["coach_id"], strict=True))
    assert all(k.current_coach_id == coach_of[k.candidate_id] for k in nxt.candidates)
    assert (tmp_path / "next" / "program.toml").read_bytes() == (
        sample / "program.toml"
    ).read_bytes()
    assert (tmp_path / "next" / "org.csv").read_bytes() == (sample / "org.csv").read_bytes()
    # once coaches renew their training, assign keeps most pairs by default (continuity)
    result = runner.invoke(
        main,
        [
            "rollover",
            str(sample),
            "--roster",
            str(tmp_path / "r1" / "roster.csv"),
            "--out",
            str(tmp_path / "next2"),
            "--keep-cnet",
        ],
    )
    assert result.exit_code == 0, result.output
    renewed = load_program(tmp_path / "next2")
    result2 = assign(renewed)
    with_coach = [k for k in renewed.candidates if k.current_coach_id]
    kept = sum(1 for r in result2.rows if r.continuity)
    assert kept >= 0.8 * len(with_coach), (kept, len(with_coach))


def test_rollover_bad_roster_exits_2_and_writes_nothing(sample, tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("candidate_id,coach_id\nNOBODY,C0001\n")
    result = CliRunner().invoke(
        main, ["rollover", str(sample), "--roster", str(bad), "--out", str(tmp_path / "next")]
    )
    assert result.exit_code == 2
    assert "no such candidate" in result.output
    assert not (tmp_path / "next").exists()
    result = CliRunner().invoke(
        main, ["rollover", str(sample), "--roster", str(bad), "--out", str(sample)]
    )
    assert result.exit_code == 2


def test_reassign_year2_first_pins_by_default_and_moves_only_when_allowed(program_dir, tmp_path):
    """K1 (year 1) holds C1's one place; K2 (year 2) arrives and can only have C1. Pinned
    (the default) K1 keeps it; with one move allowed the place goes to K2, and changes.csv
    says why K1 lost it."""
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / "roster.csv").write_text("candidate_id,coach_id,status\nK1,C1,assigned\n")
    folder = program_dir(
        coaches=[{"coach_id": "C1", "capacity": "1"}],
        candidates=[
            {"candidate_id": "K1", "program_year": "1"},
            {"candidate_id": "K2", "program_year": "2"},
        ],
    )
    outcomes = {}
    for moves in ("0", "1"):
        out = tmp_path / f"moves{moves}"
        result = CliRunner().invoke(
            main,
            [
                "reassign",
                str(folder),
                "--previous",
                str(prev),
                "--out",
                str(out),
                "--allow-moves",
                moves,
            ],
        )
        assert result.exit_code == 0, result.output
        changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
        outcomes[moves] = changes.set_index("candidate_id")
    assert outcomes["0"].loc["K1", "change"] == "kept"
    assert outcomes["0"].loc["K2", "change"] == "unassigned"
    assert outcomes["1"].loc["K1", "change"] == "unassigned"
    assert "year-2 candidates first" in outcomes["1"].loc["K1", "why"]
    assert outcomes["1"].loc["K2", ("change", "coach_id")].tolist() == ["new", "C1"]
