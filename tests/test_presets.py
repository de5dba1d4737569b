"""Program presets (``scenarios/presets/*.toml``): what the programs' own descriptions say.

Each preset must load with the tool's own loader (no unknown key, every value valid), hold the
values its comments cite from ``shared/domain``, and run end to end on a generated program of
its size: ``coachmatch assign`` then ``coachmatch schedule``, both judged by the independent
checker (``tests/independent``), with only the pair-months the tool itself declared short
exempt from the hour minimums.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from independent import check_roster, check_schedule, load_program

from matcher.cli import main
from matcher.policy import Policy, load_policy
from matcher.synthetic.generator import generate_program, write_program

PRESETS = Path(__file__).resolve().parents[1] / "scenarios" / "presets"
DOMAIN_FILES = {
    "acsa-coach-certification.txt",
    "acsa-coach-training.txt",
    "cccoe-alp-program.txt",
    "district-casc-impact-report.txt",
    "fcss-casc-coach-role.txt",
    "README.md",
}

SEPT_JUNE = (
    "2026-09",
    "2026-10",
    "2026-11",
    "2026-12",
    "2027-01",
    "2027-02",
    "2027-03",
    "2027-04",
    "2027-05",
    "2027-06",
)
AUG_MAY = (
    "2026-08",
    "2026-09",
    "2026-10",
    "2026-11",
    "2026-12",
    "2027-01",
    "2027-02",
    "2027-03",
    "2027-04",
    "2027-05",
)

# preset -> (generated size for the end-to-end run, cited values by "section.key")
EXPECTED: dict[str, tuple[str, dict[str, object]]] = {
    "statewide-association": (
        "sample",
        {
            "coaching.min_hours_per_year": 40,  # "Provide 40 hours per year"
            "coaching.min_hours_per_month": 3.0,
            "coaching.max_pair_hours_per_month": 6.0,
            "coaching.months": SEPT_JUNE,
            "eligibility.allow_in_progress_certification": True,  # "prior to ... certification"
            "eligibility.require_cnet": True,  # CNET "is required ... enroll annually"
            "eligibility.min_admin_years": 4,  # "Four years of experience"
            "eligibility.supervisor_conflict": "chain",
        },
    ),
    "county-fcss": (
        "sample",
        {
            "coaching.min_hours_per_month": 4.5,  # "Four-and-a-half to six hours"
            "coaching.max_pair_hours_per_month": 6.0,
            "coaching.min_hours_per_year": 45,
            "coaching.months": AUG_MAY,
            "eligibility.min_admin_years": 3,  # "A minimum of three years"
            "eligibility.supervisor_conflict": "direct",  # "may not be direct supervisors"
            "eligibility.allow_in_progress_certification": False,
            "eligibility.require_cnet": False,
        },
    ),
    "county-acsa-partner": (
        "sample",
        {
            "coaching.min_hours_per_year": 40,  # "a minimum of 40 hours per year"
            "coaching.months": AUG_MAY,
            "eligibility.allow_in_progress_certification": False,  # "a certified ... coach"
            "eligibility.require_cnet": True,  # ACSA-affiliated: CNET required
            "eligibility.min_admin_years": 4,
        },
    ),
    "large-district": (
        "sample",  # the district size runs ~90 s: kept for the benchmarks, not the test suite
        {
            "coaching.min_hours_per_year": 40,  # "coaching (40 of the 60 hours)"
            "coaching.months": AUG_MAY,
            "eligibility.require_cnet": False,
            "eligibility.supervisor_conflict": "chain",
        },
    ),
}

THANKSGIVING = (dt.date(2026, 11, 26), dt.date(2026, 11, 27))
WINTER_BREAK = (dt.date(2026, 12, 21), dt.date(2027, 1, 1))
SPRING_BREAK = (dt.date(2027, 3, 29), dt.date(2027, 4, 2))


def _policy(name: str) -> Policy:
    return load_policy(PRESETS / f"{name}.toml")


def _value(policy: Policy, dotted: str) -> object:
    section, key = dotted.split(".")
    return getattr(getattr(policy, section), key)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _weekdays_in(policy: Policy) -> list[dt.date]:
    """Every Monday to Friday of the program months."""
    first = dt.date.fromisoformat(policy.coaching.months[0] + "-01")
    end_year, end_month = map(int, policy.coaching.months[-1].split("-"))
    after = dt.date(end_year + end_month // 12, end_month % 12 + 1, 1)
    return [d for d in _days(first, after - dt.timedelta(days=1)) if d.weekday() < 5]


def _meeting_days(policy: Policy) -> set[dt.date]:
    return {dt.date.fromisoformat(e) for e in policy.calendar.coach_meetings if ".." not in e}


# --------------------------------------------------------------------------------------------
# Each preset parses and holds its cited values


def test_every_preset_file_is_covered():
    assert sorted(p.stem for p in PRESETS.glob("*.toml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_loads_with_the_cited_values(name):
    policy = _policy(name)  # raises InputError on an unknown key or a bad value
    for dotted, expected in EXPECTED[name][1].items():
        assert _value(policy, dotted) == expected, dotted


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_comments_cite_domain_sources(name):
    text = (PRESETS / f"{name}.toml").read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    cited = set(re.findall(r"[\w-]+\.txt", comments))
    assert cited, "a preset cites at least one domain source"
    assert cited <= DOMAIN_FILES, cited - DOMAIN_FILES
    # every key sits in a block (lines up to a blank line or a section header) with a comment
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not re.match(r"^\w+\s*=", line):
            continue
        block, j = [line], i - 1
        while j >= 0 and lines[j].strip() and not lines[j].startswith("["):
            block.append(lines[j])
            j -= 1
        assert any("#" in b for b in block), f"uncommented key: {line}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_calendar_is_a_school_year(name):
    policy = _policy(name)
    closed = policy.calendar.closed_days()
    school_days = _weekdays_in(policy)
    assert set(THANKSGIVING) <= closed
    assert set(_days(*WINTER_BREAK)) <= closed
    assert set(_days(*SPRING_BREAK)) <= closed
    # "first and last weeks of school lighter": with no per-week load key, the presets black
    # out those weeks; where the program months reach into August or June, the days before
    # school (and the first week), or the last week (and the summer after it), are closed
    open_days = [d for d in school_days if d not in closed]
    if policy.coaching.months[0] == "2026-08":
        assert all(d in closed for d in school_days[:10]), "August before school and week 1"
    if policy.coaching.months[-1] == "2027-06":
        assert all(d in closed for d in school_days[-10:]), "last week of school and summer"
    # every program month keeps at least two weeks of coaching days
    for month in policy.coaching.months:
        n_open = sum(1 for d in open_days if d.isoformat()[:7] == month)
        assert n_open >= 8, (month, n_open)


def test_statewide_association_meetings():
    meetings = _meeting_days(_policy("statewide-association"))
    assert len(meetings) == 6
    # two coach-network (CNET) days, October and March
    assert {d.month for d in meetings} >= {10, 3}
    assert sum(1 for d in meetings if d.month in (10, 3)) == 2


def test_county_fcss_has_four_coach_meetings():
    assert len(_meeting_days(_policy("county-fcss"))) == 4


def test_county_acsa_partner_has_the_cnet_days():
    meetings = _meeting_days(_policy("county-acsa-partner"))
    assert sorted(d.month for d in meetings) == [3, 10]


def test_large_district_meets_every_wednesday():
    policy = _policy("large-district")
    meetings = _meeting_days(policy)
    assert {d.weekday() for d in meetings} == {2}  # Wednesday
    blackout = policy.calendar.closed_days() - meetings
    # every Wednesday of the program months is a meeting unless it is a school holiday
    for day in _weekdays_in(policy):
        if day.weekday() == 2 and day not in blackout:
            assert day in meetings, day


# --------------------------------------------------------------------------------------------
# Each preset runs end to end on a generated program of its size


def _generated_program(tmp_path: Path, name: str, size: str, seed: int) -> Path:
    """A generated program with the preset as its program.toml.

    Generated spring starts (``start_month``) fall in 2026-08..2027-05. A start after the
    preset's last month would be rejected by the loader, so such a start is moved to the last
    month; a start before its first month is left (the loader treats it as the first month).
    """
    folder = tmp_path / name
    write_program(generate_program(size, seed), folder)
    (folder / "program.toml").write_text(
        (PRESETS / f"{name}.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    last = _policy(name).coaching.months[-1]
    path = folder / "candidates.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        columns, rows = list(reader.fieldnames or []), list(reader)
    moved = 0
    for row in rows:
        if row["start_month"] and row["start_month"] > last:
            row["start_month"], moved = last, moved + 1
    if moved:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_runs_end_to_end(tmp_path, name):
    size = EXPECTED[name][0]
    folder = _generated_program(tmp_path, name, size, seed=7)
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["assign", str(folder), "--out", str(out), "--quiet", "--no-xlsx"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert (out / "roster.csv").exists()
    result = runner.invoke(
        main,
        [
            "schedule",
            str(folder),
            "--roster",
            str(out / "roster.csv"),
            "--out",
            str(out),
            "--quiet",
            "--no-xlsx",
        ],
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert (out / "schedule.csv").exists()

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # stricter presets leave more candidates without an eligible coach, but most get one
    assert summary["assigned"] > 0.75 * (summary["assigned"] + summary["unassigned"])
    assert summary["schedule"]["sessions"] > 0
    program = load_program(folder)
    assert check_roster(program, out / "roster.csv") == []
    exempt = [(s["candidate_id"], s["month"]) for s in summary["schedule"]["pair_months_short"]]
    assert check_schedule(program, out / "roster.csv", out / "schedule.csv", exempt=exempt) == []
