"""``validate`` tells the truth about a program before any roster: no "valid" with no pairs,
places that a shared coach cannot give twice, data warnings in full view."""

from __future__ import annotations

from click.testing import CliRunner

from matcher.assignment.optimize import coach_places
from matcher.cli import main
from matcher.io.loading import load_program
from matcher.rules.diagnose import blocking_rules, group_room
from matcher.rules.pairs import build_pairs

runner = CliRunner()


def _validate(folder, *extra):
    done = runner.invoke(main, ["validate", str(folder), *extra], terminal_width=200)
    assert done.exit_code == 0, done.output
    return done.output


def test_zero_eligible_pairs_is_loud_and_names_the_rule(program_dir) -> None:
    folder = program_dir(
        coaches=[{"coach_id": f"C{i}", "cnet_current": "false"} for i in range(3)],
        candidates=[{"candidate_id": f"K{i}"} for i in range(4)],
    )
    output = _validate(folder)
    assert "only 0 eligible pairs; 4 of 4 candidates have no eligible coach" in output
    assert "rule 2 (network_training: network training not current)" in output
    assert "12 of the 12 pairs whose region and role fit (100%)" in output
    assert "The program folder is valid." not in output
    assert "cannot be matched as it stands" in output


def test_the_rule_named_is_the_one_ruling_out_most_pairs(program_dir) -> None:
    """Every candidate excludes two coaches (rule 6); the third is in training, and the
    candidates are in year 2 (rule 1)."""
    folder = program_dir(
        coaches=[
            {"coach_id": "C1"},
            {"coach_id": "C2"},
            {"coach_id": "C3", "certification": "in_progress"},
        ],
        candidates=[
            {"candidate_id": f"K{i}", "program_year": "2", "exclude_coach_ids": "C1;C2"}
            for i in range(3)
        ],
    )
    program = load_program(folder)
    blocks = blocking_rules(build_pairs(program).view)
    assert [(b.rule.name, b.ruled_out) for b in blocks[:2]] == [
        ("excluded", 6),
        ("certification", 3),
    ]
    output = _validate(folder)
    assert "ruled out by rule 6 (excluded: excluded by the candidate): 6 of the 9" in output
    assert "then rule 1 (certification" in output


def test_a_shared_coach_is_not_counted_as_room_in_every_region(program_dir) -> None:
    """One coach, home South, serving North too, 2 places; 2 candidates in each region."""
    folder = program_dir(
        coaches=[{"coach_id": "C1", "region": "South", "regions_served": "North", "capacity": "2"}],
        candidates=[
            {"candidate_id": f"K{i}", "region": r}
            for i, r in enumerate(["North", "North", "South", "South"])
        ],
    )
    program = load_program(folder)
    total, rows = group_room(build_pairs(program), coach_places(program))
    assert total == 2
    figures = {
        (r.region, r.candidates, r.places_reachable, r.placeable, r.placed_surely) for r in rows
    }
    assert figures == {("North", 2, 2, 2, 0), ("South", 2, 2, 2, 0)}
    output = _validate(folder)
    assert "At most 2 of 4 candidates can be placed" in output
    assert "counts fully in each" in output


def test_data_warnings_are_printed_then_counted(program_dir) -> None:
    folder = program_dir(
        candidates=[{"candidate_id": f"K{i}", "current_coach_id": f"GONE{i}"} for i in range(12)],
        coaches=[{"capacity": "12"}],
    )
    output = _validate(folder)
    assert "12 data warnings:" in output
    assert "no coach GONE0" in output and "no coach GONE9" in output
    assert "no coach GONE10" not in output
    assert "... and 2 more (validate --all-warnings prints them all)" in output
    assert "no coach GONE11" in _validate(folder, "--all-warnings")


def test_assign_prints_the_first_data_warnings_and_where_the_rest_are(
    program_dir, tmp_path
) -> None:
    folder = program_dir(
        candidates=[{"candidate_id": f"K{i}", "current_coach_id": f"GONE{i}"} for i in range(12)],
        coaches=[{"capacity": "12"}],
    )
    done = runner.invoke(
        main, ["assign", str(folder), "--out", str(tmp_path / "out")], terminal_width=200
    )
    assert done.exit_code == 0, done.output
    assert "no coach GONE0" in done.output
    assert "... and 2 more (all in summary.json, key 'warnings')" in done.output


def test_no_coach_in_the_candidates_region_names_rules_3_and_4(program_dir) -> None:
    folder = program_dir(
        coaches=[{"coach_id": "C1", "region": "North"}],
        candidates=[{"candidate_id": f"K{i}", "region": "South"} for i in range(3)],
    )
    output = _validate(folder)
    assert "only 0 eligible pairs; 3 of 3 candidates have no eligible coach" in output
    assert "ruled out by rules 3 and 4 (region, role): 3 of 3 candidates" in output
    assert "The program folder is valid." not in output
