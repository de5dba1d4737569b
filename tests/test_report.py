"""`coachmatch report`: one self-contained HTML page from a result folder."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "sample-district"
runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def assigned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "result"
    done = _invoke("assign", SAMPLE, "--out", out, "--alternates", "2", "--no-xlsx", "--quiet")
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture(scope="module")
def scheduled(assigned: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "scheduled"
    shutil.copytree(assigned, out)
    done = _invoke(
        "schedule", SAMPLE, "--roster", out / "roster.csv", "--out", out, "--no-xlsx", "--quiet"
    )
    assert done.exit_code == 0, done.output
    return out


def _names() -> list[str]:
    names = []
    for table in ("candidates", "coaches"):
        with (SAMPLE / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
            names += [row["name"] for row in csv.DictReader(fh) if row["name"]]
    return names


def _ids(table: str, column: str) -> list[str]:
    with (SAMPLE / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def _headline(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-summary="(\w+)">([^<]*)<', html))


def _assert_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"""(src|href)=["']//""", html)
    assert "@import" not in html


def test_report_of_an_assignment(assigned: Path) -> None:
    done = _invoke("report", assigned)
    assert done.exit_code == 0, done.output
    page = assigned / "report.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    _assert_self_contained(html)
    summary = json.loads((assigned / "summary.json").read_text())
    head = _headline(html)
    assert int(head["assigned"]) == summary["assigned"]
    assert int(head["unassigned"]) == summary["unassigned"]
    assert int(head["candidates"]) == summary["assigned"] + summary["unassigned"]
    assert head["status"] == summary["status"]
    assert float(head["gap"]) == pytest.approx(summary["gap"], abs=1e-4)
    for cid in _ids("candidates", "candidate_id"):
        assert cid in html
    for chart in ("chart-load", "chart-coverage", "chart-travel", "chart-map"):
        match = re.search(rf'id="{chart}".*?</figure>', html, re.S)
        assert match and "<svg" in match.group(0) and ("<rect" in match.group(0))
    assert "<script>" in html and "@media print" in html
    assert 'id="chart-sessions"' not in html  # no schedule, no heat map
    # names are shown by default
    assert any(name in html for name in _names())
    # no temporary file is left beside the report
    assert sorted(p.name for p in assigned.iterdir() if p.name.startswith(".")) == []


def test_report_with_schedule_and_custom_out(scheduled: Path, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "r.html"
    done = _invoke("report", scheduled, "--program", SAMPLE, "--out", target)
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    _assert_self_contained(html)
    summary = json.loads((scheduled / "summary.json").read_text())
    head = _headline(html)
    short = summary["schedule"]["pair_months_short"]
    assert int(head["pair_months_short"]) == len(short)
    assert float(head["hours"]) == pytest.approx(summary["schedule"]["hours"], abs=0.5)
    assert float(head["required"]) > 0
    assert 'id="short"' in html
    for item in short[:20]:
        assert item["month"] in html
    # the month × week heat map of sessions: one cell per week of each month, counts add up
    match = re.search(r'id="chart-sessions".*?</figure>', html, re.S)
    assert match and "<svg" in match.group(0) and "<rect" in match.group(0)
    heat = match.group(0)
    counts = [int(n) for n in re.findall(r'data-sessions="(\d+)"', heat)]
    assert sum(counts) == summary["schedule"]["sessions"] > 0
    assert len(counts) % 5 == 0
    with (scheduled / "schedule.csv").open(newline="", encoding="utf-8") as fh:
        months = {row["date"][:7] for row in csv.DictReader(fh)}
    assert all(month in heat for month in months)
    assert 'class="legend"' in heat


@pytest.mark.parametrize("folder", ["assigned", "scheduled"])
def test_redact_leaves_no_names(folder: str, request, tmp_path: Path) -> None:
    target = tmp_path / "redacted.html"
    done = _invoke("report", request.getfixturevalue(folder), "--redact", "--out", target)
    assert done.exit_code == 0, done.output
    html = target.read_text(encoding="utf-8")
    leaked = [name for name in _names() if name in html]
    assert leaked == []
    for cid in _ids("candidates", "candidate_id"):
        assert cid in html


def test_missing_result_folder_exits_2(tmp_path: Path) -> None:
    done = runner.invoke(main, ["report", str(tmp_path / "nowhere")])
    assert done.exit_code == 2
    assert "does not exist" in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)


def test_missing_roster_and_bad_summary_exit_2(assigned: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = runner.invoke(main, ["report", str(empty)])
    assert done.exit_code == 2 and "roster.csv" in done.output
    broken = tmp_path / "broken"
    shutil.copytree(assigned, broken)
    (broken / "report.html").unlink(missing_ok=True)
    (broken / "summary.json").write_text("{not json", encoding="utf-8")
    done = runner.invoke(main, ["report", str(broken)])
    assert done.exit_code == 2 and "summary.json" in done.output
    assert not (broken / "report.html").exists()


def test_assign_with_report_flag_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "result"
    done = _invoke("assign", SAMPLE, "--out", out, "--no-xlsx", "--quiet", "--report")
    assert done.exit_code == 0, done.output
    page = out / "report.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    _assert_self_contained(html)
    summary = json.loads((out / "summary.json").read_text())
    assert int(_headline(html)["assigned"]) == summary["assigned"]
    assert any(name in html for name in _names())  # the program's names, from --report's program


@pytest.mark.parametrize("command", ["assign", "plan"])
def test_report_flag_is_offered(command: str) -> None:
    done = _invoke(command, "--help")
    assert done.exit_code == 0 and "--report" in done.output
