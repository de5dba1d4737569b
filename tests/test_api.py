"""The library API: README's "Use from Python" example runs as written, and each public name
is what the CLI uses."""

from __future__ import annotations

import csv

import pytest

import matcher


@pytest.mark.slow
def test_readme_example_runs_and_writes_the_cli_folders(readme_example):
    paper = readme_example / "results" / "paper"
    assert {"roster.csv", "roster.xlsx", "summary.json"} <= {p.name for p in paper.iterdir()}
    planned = readme_example / "results" / "plan"
    assert {"roster.csv", "schedule.csv", "summary.json", "calendars"} <= {
        p.name for p in planned.iterdir()
    }
    with (paper / "roster.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 180 and sum(r["status"] == "assigned" for r in rows) == 170


def test_public_names_resolve_and_are_listed():
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None, name
    assert "write_result" in dir(matcher)
    with pytest.raises(AttributeError):
        _ = matcher.no_such_name


def test_input_errors_name_the_folder(tmp_path):
    with pytest.raises(matcher.InputError, match="program folder not found"):
        matcher.load_program(tmp_path / "missing")
