"""`coachmatch report`: one self-contained HTML page from a result folder."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import matcher.report.charts as charts
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
    # not even the SVG namespace URI: inline <svg> needs no xmlns in HTML (charts.svg_markup)
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
        assert match and "<figcaption>" in match.group(0)
        svg = match.group(0)
        assert svg.count("<svg") == 1 and 'role="img"' in svg and 'aria-label="' in svg
        assert "<path" in svg and "<text" in svg  # matplotlib's shapes; text stays text
        assert "<image" not in svg and "<?xml" not in svg and "<!DOCTYPE svg" not in svg
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []  # several charts, still one id each
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
    late = summary["schedule"]["late_start"]
    assert int(head["late_starts"]) == late["count"]
    assert 'id="late"' in html
    for item in late["pairs"][:20]:
        assert item["reason"].replace("'", "&#39;") in html
    assert int(head["year2_assigned"]) == summary["year2_assigned"]
    assert int(head["year2_candidates"]) == summary["year2_candidates"]
    # the month × week heat map of sessions: each busy cell annotated, the counts add up
    match = re.search(r'id="chart-sessions".*?</figure>', html, re.S)
    assert match and "<svg" in match.group(0) and 'role="img"' in match.group(0)
    heat = match.group(0)
    counts = [int(n) for n in _cells(heat, "chart-sessions")]
    assert sum(counts) == summary["schedule"]["sessions"] > 0
    assert f"({summary['schedule']['sessions']} in all" in heat
    with (scheduled / "schedule.csv").open(newline="", encoding="utf-8") as fh:
        months = {row["date"][:7] for row in csv.DictReader(fh)}
    assert all(f">{month}</text>" in heat for month in months)
    assert ">sessions</text>" in heat  # the colour bar's label


def _cells(svg: str, uid: str) -> list[str]:
    """The annotations of a heat map's cells (gid ``cell-i-j``), in drawing order."""
    return re.findall(rf'id="{uid}-cell-\d+-\d+">\s*<text[^>]*>([^<]*)</text>', svg)


def test_charts_show_no_names_even_unredacted(scheduled: Path, tmp_path: Path) -> None:
    """Charts label coaches by id: a name never gets into an <svg>, redacted or not."""
    target = tmp_path / "named.html"
    assert _invoke("report", scheduled, "--out", target).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert any(name in html for name in _names())  # the page itself shows names
    svgs = "".join(re.findall(r"<svg.*?</svg>", html, re.S))
    assert svgs.count("<svg") == 5
    assert [name for name in _names() if name in svgs] == []


def test_same_results_give_a_byte_identical_report(scheduled: Path, tmp_path: Path) -> None:
    """Two separate runs (different hash seeds, so no set order or random salt can hide)."""
    pages = []
    for seed in ("1", "2"):
        target = tmp_path / f"report{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "matcher.cli", "report", str(scheduled), "--out", str(target)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        pages.append(target.read_bytes())
    assert pages[0] == pages[1]
    assert pages[0].count(b"<svg") == 5


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


# --- the chart functions on their own (matcher/charts.py) -----------------------------------------


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _coach(cid: str, load: int, capacity: int) -> dict:
    return {
        "coach_id": cid,
        "load": load,
        "capacity": capacity,
        "share": load / capacity if capacity else 0.0,
    }


def _assert_inline_svg(svg: str, uid: str) -> None:
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<metadata" not in svg
    assert "http" not in svg and "xmlns" not in svg
    assert re.match(r'<svg [^>]*class="chart" role="img" aria-label="[^"]+"', svg)
    assert all(i.startswith(f"{uid}-") for i in re.findall(r'\bid="([^"]+)"', svg))
    refs = re.findall(r'(?:url\(#|xlink:href="#)([^)"]+)', svg)
    assert refs and all(r.startswith(f"{uid}-") for r in refs)
    assert "<image" not in svg  # vector shapes, not a bitmap


def test_load_chart_one_bar_per_coach_fullest_first() -> None:
    loads = [_coach("C2", 1, 4), _coach("C1", 2, 2), _coach("C3", 0, 3)]
    svg = charts.load_chart(loads)
    _assert_inline_svg(svg, "chart-load")
    texts = _texts(svg)
    assert [t for t in texts if t in ("C1", "C2", "C3")] == ["C1", "C2", "C3"]  # by share
    assert [t for t in texts if "/" in t] == ["2/2", "1/4", "0/3"]
    assert "load over 90 % (1)" in texts
    # bars: one orange (C1, over 90 %) and two blue, plus one legend swatch of each
    assert svg.count(f"fill: {charts.OVER}") == 2 and svg.count(f"fill: {charts.LOAD}") == 3
    assert "3 coaches" in svg and "1 over 90 %" in svg  # the aria-label
    assert charts.load_chart([]) is None


def test_load_chart_of_many_coaches_is_a_histogram_of_utilization() -> None:
    n = charts.MAX_LOAD_BARS + 1
    loads = [_coach(f"C{i:03d}", i % 5, 4) for i in range(n)]  # shares 0, 25, 50, 75, 100 %
    svg = charts.load_chart(loads)
    _assert_inline_svg(svg, "chart-load")
    assert f"Histogram of the utilization of {n} coaches" in svg
    assert not any(t.startswith("C0") for t in _texts(svg))  # no bar per coach
    counts = Counter(i % 5 for i in range(n))
    assert sorted(int(t) for t in _texts(svg) if t.isdigit() and int(t) in counts.values())
    assert f"over 90 % ({counts[4]})" in _texts(svg)


def test_coverage_chart_annotates_every_region_role_cell() -> None:
    cands = [
        {"region": "North", "role": "principal", "status": "assigned"},
        {"region": "North", "role": "principal", "status": "unassigned"},
        {"region": "North", "role": "assistant_principal", "status": "assigned"},
        {"region": "South", "role": "principal", "status": "unassigned"},
        {"region": "", "role": "principal", "status": "assigned"},  # no region: not drawn
    ]
    svg = charts.coverage_chart(cands)
    _assert_inline_svg(svg, "chart-coverage")
    # rows North, South; columns assistant_principal, principal; South × AP has no candidates
    assert _cells(svg, "chart-coverage") == ["1/1", "1/2", "0/1"]
    assert {"North", "South", "principal", "share assigned"} <= set(_texts(svg))
    assert "2 of 4 assigned" in svg
    assert charts.coverage_chart([]) is None
    assert charts.coverage_chart([{"region": "", "role": "", "status": "assigned"}]) is None


def test_travel_chart_counts_add_up() -> None:
    distances = [1.0, 2.0, 3.0, 12.0, 25.0, 48.5]
    svg = charts.travel_chart(distances)
    _assert_inline_svg(svg, "chart-travel")
    counts = re.findall(r'id="chart-travel-count-\d+">.*?<text[^>]*>(\d+)</text>', svg, re.S)
    assert sum(map(int, counts)) == len(distances)
    assert "median 7.5 km" in _texts(svg)
    assert charts.travel_chart([]) is None
    assert charts.travel_chart([0.0]) is not None  # everyone next door still draws


def test_map_chart_one_marker_per_placed_point() -> None:
    points = [
        {"kind": "candidate", "lat": 33.7 + i / 50, "lon": -117.9 + i / 40, "region": r}
        for i, r in enumerate(["North", "South", "North", "East"])
    ] + [
        {"kind": "coach", "lat": 33.8, "lon": -117.8, "region": "North"},
        {"kind": "coach", "lat": None, "lon": None, "region": "South"},  # not placed
    ]
    svg = charts.map_chart(points)
    _assert_inline_svg(svg, "chart-map")

    def markers(kind: str) -> int:
        # the scatter's group, up to the next element matplotlib names
        group = re.search(rf'id="chart-map-{kind}s">.*?<g id="chart-map-', svg, re.S)
        return group.group(0).count("<use") if group else 0

    assert markers("candidate") == 4 and markers("coach") == 1
    assert {"East", "North", "South", "candidate site", "coach"} <= set(_texts(svg))
    assert "4 candidate sites and 1 coaches" in svg
    assert charts.map_chart([]) is None
    assert charts.map_chart(points[-1:]) is None


def test_session_heatmap_months_by_weeks() -> None:
    sessions = [
        {"date": d} for d in ("2026-08-03", "2026-08-04", "2026-08-30", "2026-10-15", "not a date")
    ]
    svg = charts.session_heatmap(sessions, months=["2026-08", "2026-09"])
    _assert_inline_svg(svg, "chart-sessions")
    assert _cells(svg, "chart-sessions") == ["2", "1", "1"]  # Aug wk 1, Aug wk 5, Oct wk 3
    ids = re.findall(r'id="chart-sessions-cell-(\d+)-(\d+)"', svg)
    assert ids == [("0", "0"), ("0", "4"), ("2", "2")]  # rows Aug, Sep (none), Oct
    texts = _texts(svg)
    assert [t for t in texts if re.fullmatch(r"\d{4}-\d{2}", t)] == [
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert "wk 5" in " ".join(texts)
    assert charts.session_heatmap([], months=["2026-08"]) is None
    assert charts.session_heatmap([{"date": ""}]) is None


def test_charts_are_deterministic_and_escape_their_text() -> None:
    loads = [_coach('C<1>&"x"', 1, 1)]
    once, twice = charts.load_chart(loads), charts.load_chart(loads)
    assert once == twice
    assert "C<1>" not in once and "C&lt;1&gt;&amp;" in once
    svg = charts.coverage_chart([{"region": "A & B", "role": "r", "status": "assigned"}])
    assert "A &amp; B" in svg
    fig = charts.Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    assert 'aria-label="a &quot;b&quot; &lt;c&gt;"' in charts.svg_markup(fig, 'a "b" <c>', "x")


def test_report_without_schedule_or_program_notes_what_is_missing(tmp_path: Path) -> None:
    """No program: no coverage or map; a schedule without sessions: a note, not a chart."""
    folder = tmp_path / "bare"
    folder.mkdir()
    (folder / "roster.csv").write_text(
        "candidate_id,coach_id,status,travel_km\nK1,C1,assigned,5\nK2,,unassigned,\n",
        encoding="utf-8",
    )
    summary = {
        "status": "optimal",
        "assigned": 1,
        "unassigned": 1,
        "unassigned_by_reason": {"no_eligible_coach": 1},
        "schedule": {"sessions": 0},
    }
    (folder / "summary.json").write_text(json.dumps(summary), "utf-8")
    (folder / "schedule.csv").write_text("candidate_id,coach_id,date,minutes\n", "utf-8")
    done = _invoke("report", folder)
    assert done.exit_code == 0, done.output
    html = (folder / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(html)
    assert 'id="chart-coverage"' not in html and 'id="chart-map"' not in html
    assert html.count("<svg") == 2  # load and travel
    sessions = re.search(r'id="chart-sessions".*?</figure>', html, re.S).group(0)
    assert "No sessions scheduled." in sessions and "<svg" not in sessions
    stamp = dt.datetime.fromtimestamp((folder / "schedule.csv").stat().st_mtime)
    assert f"results written {stamp:%Y-%m-%d %H:%M}" in html
