"""``coachmatch whatif``: scenario validation, monotonicity, and agreement with ``assign``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.forecast.whatif import BASELINE, Job, apply_scenario, read_scenario, run_job, slug
from tests.conftest import SAMPLE

runner = CliRunner()
SHIPPED = sorted((SAMPLE.parent / "whatif").glob("*.toml"))


def _scenario(folder: Path, body: str, name: str = "s.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'base = "{SAMPLE.as_posix()}"\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('name = "a"\nnmae = "b"\n', "'nmae'"),
        (
            'name = "a"\n[[add_coaches]]\nregion = "Santa Ana Central"\nroles = ["principal"]\n'
            "capacity = -1\n",
            "'add_coaches[0].capacity'",
        ),
        (
            'name = "a"\n[program]\ncoaching.min_hours_per_yer = 60\n',
            "'program.coaching.min_hours_per_yer'",
        ),
        (
            'name = "a"\n[program]\neligibility.max_travel_km = "far"\n',
            "'program.eligibility.max_travel_km'",
        ),
        ('name = "a"\n[[remove_coaches]]\nids = ["C9999"]\n', "'remove_coaches[0].ids'"),
        (
            'name = "a"\n[[grow_cohort]]\nregion = "Atlantis"\npercent = 10\n',
            "'grow_cohort[0].region'",
        ),
        ('name = "a"\n[[grow_cohort]]\nregion = "Santa Ana Central"\n', "'grow_cohort[0]'"),
    ],
)
def test_scenario_errors_exit_2_with_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = _scenario(tmp_path, body)
    result = runner.invoke(main, ["whatif", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "s.toml" in result.output and key in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_base_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('name = "a"\nbase = "no-such-folder"\n', encoding="utf-8")
    result = runner.invoke(main, ["whatif", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "s.toml" in result.output and "'base'" in result.output


def _assigned(tmp_path: Path, body: str) -> int:
    name = f"case {len(list(tmp_path.glob('s*.toml')))}"
    scenario = read_scenario(_scenario(tmp_path, f'name = "{name}"\n' + body, f"s{name[5:]}.toml"))
    folder = tmp_path / "programs" / slug(scenario.spec.name)
    apply_scenario(scenario, folder)
    return run_job(Job(scenario.spec.name, str(folder)))["assigned"]


def test_adding_never_lowers_and_removing_never_raises(tmp_path: Path) -> None:
    base = run_job(Job(BASELINE, str(SAMPLE)))["assigned"]
    for region in ("Santa Ana Central", "Santa Ana East"):
        added = _assigned(
            tmp_path,
            f'[[add_coaches]]\nregion = "{region}"\nroles = ["assistant_principal"]\n'
            "capacity = 3\n",
        )
        assert added >= base
    for removal in ('ids = ["C0002"]', 'ids = ["C0001", "C0010"]', "most_senior_share = 0.2"):
        assert _assigned(tmp_path, f"[[remove_coaches]]\n{removal}\n") <= base


def test_grow_cohort_is_deterministic_with_new_ids(tmp_path: Path) -> None:
    body = (
        'name = "g"\n[[grow_cohort]]\nregion = "Santa Ana Central"\nrole = "principal"\ncount = 4\n'
    )
    scenario = read_scenario(_scenario(tmp_path, body))
    apply_scenario(scenario, tmp_path / "a")
    apply_scenario(scenario, tmp_path / "b")
    a = (tmp_path / "a" / "candidates.csv").read_text()
    assert a == (tmp_path / "b" / "candidates.csv").read_text()
    frame = pd.read_csv(tmp_path / "a" / "candidates.csv", dtype=str, keep_default_na=False)
    new = frame[frame["candidate_id"].str.startswith("X")]
    assert list(new["candidate_id"]) == ["X0001", "X0002", "X0003", "X0004"]
    assert set(new["program_year"]) == {"1"} and set(new["current_coach_id"]) == {""}
    assert set(new["role"]) == {"principal"} and set(new["region"]) == {"Santa Ana Central"}


@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whatif") / "out"
    result = runner.invoke(
        main, ["whatif", *map(str, SHIPPED), "--out", str(out), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Charts skipped" in result.output or (out / "comparison.png").exists()
    (out.parent / "terminal.txt").write_text(result.output, encoding="utf-8")  # beside, not in
    return out


def test_shipped_scenarios_run_baseline_first(shipped_run: Path) -> None:
    assert len(SHIPPED) == 5
    frame = pd.read_csv(shipped_run / "comparison.csv")
    assert frame["scenario"].iloc[0] == BASELINE
    assert len(frame) == 6
    for column in (
        "candidates",
        "assigned",
        "unassigned",
        "utilization_mean",
        "utilization_max",
        "continuity_kept",
        "travel_km_mean",
        "travel_km_max",
        "total_cost",
        "hours_demanded",
        "hours_coaches_can_give",
        "hours_demanded_of_them",
        "hours_utilization",
        "coaches_without_hour_cap",
        "year2_assigned",
        "year2_candidates",
    ):
        assert column in frame
    assert (frame["year2_assigned"] <= frame["year2_candidates"]).all()
    by = frame.set_index("scenario")
    assert by.loc["Two new full-time coaches", "assigned"] >= by.loc[BASELINE, "assigned"]
    assert by.loc["10% most senior coaches retire", "assigned"] <= by.loc[BASELINE, "assigned"]
    assert by.loc["Cohort +20% in Santa Ana Central", "candidates"] > by.loc[BASELINE, "candidates"]
    # what capped coaches can give: one place needs monthly_need_hours of a coach's monthly cap,
    # so what the rule demands of them never exceeds what they can give
    assert (frame["hours_demanded_of_them"] <= frame["hours_coaches_can_give"] + 1e-6).all()
    assert (frame["hours_demanded_of_them"] <= frame["hours_demanded"] + 1e-6).all()


def test_a_stricter_rule_raises_demand_not_what_coaches_can_give(shipped_run: Path) -> None:
    """40 → 60 h a year: the coaches' hours stay what they are; the rule demands more of each
    assigned candidate, so utilization of those hours rises (the figures a planner reads)."""
    by = pd.read_csv(shipped_run / "comparison.csv").set_index("scenario")
    base, sixty = by.loc[BASELINE], by.loc["60 coaching hours a year"]
    assert sixty["hours_coaches_can_give"] == base["hours_coaches_can_give"]
    per_base = base["hours_demanded"] / base["assigned"]
    per_sixty = sixty["hours_demanded"] / sixty["assigned"]
    assert per_sixty == pytest.approx(per_base * 60 / 40, rel=0.01)
    assert sixty["hours_utilization"] > base["hours_utilization"]
    assert base["coaches_without_hour_cap"] == sixty["coaches_without_hour_cap"] > 0


def test_whatif_terminal_and_report_label_figures(shipped_run: Path) -> None:
    from matcher.report.html import make_whatif_report

    terminal = (shipped_run.parent / "terminal.txt").read_text(encoding="utf-8")
    for label in (
        "hours the rule demands (assigned)",
        "hours capped coaches can give",
        "hours utilization % (demands / can give)",
        "places used per coach, mean %",
    ):
        assert label in terminal, label
    assert "hours available" not in terminal
    html = make_whatif_report(shipped_run).read_text(encoding="utf-8")
    share = pd.read_csv(shipped_run / "comparison.csv")["hours_utilization"].iloc[0]
    assert f"{share:.1%}" in html


@pytest.mark.parametrize("name", ["Cohort +20% in Santa Ana Central", "No in-progress coaches"])
def test_comparison_equals_separate_assign(shipped_run: Path, tmp_path: Path, name: str) -> None:
    program = shipped_run / "programs" / slug(name)
    result = runner.invoke(
        main, ["assign", str(program), "--out", str(tmp_path / "r"), "--no-xlsx", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    row = pd.read_csv(shipped_run / "comparison.csv").set_index("scenario").loc[name]
    assert row["assigned"] == summary["assigned"]
    assert row["objective"] == pytest.approx(summary["objective"], abs=1e-5)
    assert row["total_cost"] == pytest.approx(summary["total_cost"])


def test_whatif_writes_region_tables_and_charts(tmp_path):
    """Coverage and utilization by region for each scenario, as CSV and as charts."""
    import pandas as pd
    from click.testing import CliRunner

    from matcher.cli import main

    files = sorted(
        str(p)
        for p in (Path(__file__).resolve().parents[1] / "scenarios" / "whatif").glob("*.toml")
    )
    out = tmp_path / "wi"
    result = CliRunner().invoke(main, ["whatif", *files, "--out", str(out)])
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(out / "comparison_by_region.csv")
    assert regions["scenario"].iloc[0] == "baseline"
    assert set(regions["scenario"]) == set(pd.read_csv(out / "comparison.csv")["scenario"])
    assert ((regions["coverage"] >= 0) & (regions["coverage"] <= 1)).all()
    for chart in ("comparison.png", "coverage_by_region.png", "utilization_by_region.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _sample_scenario(tmp_path: Path, body: str) -> Path:
    sample = Path(__file__).resolve().parents[1] / "scenarios" / "sample-district"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\nbase = "{sample}"\n' + body, encoding="utf-8")
    return path


def _assigned_before_after(tmp_path: Path, body: str) -> tuple[int, int]:
    import pandas as pd
    from click.testing import CliRunner

    from matcher.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["whatif", str(_sample_scenario(tmp_path, body)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "comparison.csv")
    return int(frame["assigned"].iloc[0]), int(frame["assigned"].iloc[1])


def test_more_places_never_lower_coverage_and_fewer_never_raise_it(tmp_path):
    base, more = _assigned_before_after(tmp_path / "a", "[[change_capacity]]\nadd = 2\n")
    _, fewer = _assigned_before_after(tmp_path / "b", "[[change_capacity]]\npercent = 50\n")
    assert more >= base >= fewer
    assert fewer < base  # half the places cannot serve the same cohort


def test_shrinking_the_cohort_removes_candidates(tmp_path):
    import pandas as pd

    _assigned_before_after(
        tmp_path, '[[shrink_cohort]]\nregion = "Santa Ana Central"\npercent = 50\n'
    )
    frame = pd.read_csv(tmp_path / "out" / "comparison.csv")
    assert frame["candidates"].iloc[1] < frame["candidates"].iloc[0]


def test_removing_every_coach_of_a_region(tmp_path):
    base, after = _assigned_before_after(
        tmp_path, '[[remove_coaches]]\nregion = "Santa Ana North"\n'
    )
    assert after < base


def test_whatif_report_shows_every_scenario_offline(tmp_path):
    import re

    from click.testing import CliRunner

    from matcher.cli import main

    files = sorted((Path(__file__).resolve().parents[1] / "scenarios" / "whatif").glob("*.toml"))
    out = tmp_path / "wi"
    result = CliRunner().invoke(main, ["whatif", *map(str, files), "--out", str(out), "--report"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)  # nothing fetched from the network
    for path in files:
        name = re.search(r'(?m)^name\s*=\s*"(.*)"', path.read_text()).group(1)
        assert name in html
    assert html.count("data:image/png;base64,") == 3
    first_row = re.search(r'<tr class="baseline">\s*<td[^>]*>([^<]*)<', html)
    assert first_row and first_row.group(1) == "baseline"
