"""The synthetic program generator: deterministic, contract-shaped, and realistic where it counts.

Benchmarks and demos trust generated programs to look like real ones, so these tests pin the
properties the solvers are meant to be stressed by (supervision conflicts, continuity, spring
starts) as well as the plain shape of the files. Column lists and allowed values are spelled
out here from ``CONTRACT.md`` rather than imported from the generator, so a drift between the
two fails a test.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from matcher.synthetic.generator import SIZES, GeneratedProgram, generate_program, write_program

COACH_COLUMNS = [
    "coach_id",
    "name",
    "region",
    "regions_served",
    "lat",
    "lon",
    "roles",
    "levels",
    "capacity",
    "certification",
    "cnet_current",
    "admin_years",
    "languages",
    "cpsel_strengths",
    "district",
    "person_id",
    "available",
    "max_hours_per_month",
    "cost_per_candidate",
]
CANDIDATE_COLUMNS = [
    "candidate_id",
    "name",
    "region",
    "lat",
    "lon",
    "site",
    "district",
    "role",
    "level",
    "person_id",
    "supervisor_id",
    "program_year",
    "current_coach_id",
    "languages",
    "cpsel_focus",
    "available",
    "exclude_coach_ids",
    "preferred_coach_ids",
    "start_month",
]
ROLES = {"principal", "assistant_principal", "coordinator", "director", "specialist", "other"}
LEVELS = {"elementary", "middle", "high", "district"}
CERTIFICATIONS = {"certified", "in_progress", "expired", "none"}
PROGRAM_MONTHS = {f"2026-{m:02d}" for m in range(8, 13)} | {f"2027-{m:02d}" for m in range(1, 6)}
WINDOW = re.compile(r"^(Mon|Tue|Wed|Thu|Fri) (\d\d):([0-5]\d)-(\d\d):([0-5]\d)$")
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "sample-district"


@pytest.fixture(scope="module")
def sample() -> GeneratedProgram:
    return generate_program("sample", 2026)


@pytest.fixture(scope="module")
def district() -> GeneratedProgram:
    return generate_program("district", 11)


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _supervision_graph(program: GeneratedProgram) -> nx.DiGraph:
    """Person → supervisor edges from org.csv and the candidates' own lines (the contract's)."""
    graph = nx.DiGraph()
    graph.add_edges_from(zip(program.org.person_id, program.org.supervisor_id, strict=True))
    cands = program.candidates
    graph.add_edges_from(zip(cands.person_id, cands.supervisor_id, strict=True))
    return graph


def _window_minutes(cell: str) -> list[tuple[str, int, int]]:
    out = []
    for part in cell.split(";"):
        match = WINDOW.match(part)
        assert match, f"window {part!r} does not parse"
        day, h1, m1, h2, m2 = match.groups()
        out.append((day, int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)))
    return out


# --------------------------------------------------------------------------------------------
# Determinism


def test_same_seed_gives_identical_frames_and_bytes(tmp_path: Path) -> None:
    first, second = generate_program("sample", 5), generate_program("sample", 5)
    for name in ("coaches", "candidates", "org"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    assert first.program_toml == second.program_toml
    write_program(first, tmp_path / "a")
    write_program(second, tmp_path / "b")
    for name in ("coaches.csv", "candidates.csv", "org.csv", "program.toml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seeds_differ() -> None:
    one, two = generate_program("sample", 5), generate_program("sample", 6)
    assert not one.candidates.equals(two.candidates)
    assert not one.coaches.equals(two.coaches)


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown size"):
        generate_program("galaxy", 1)


def test_checked_in_sample_matches_generator(tmp_path: Path, sample: GeneratedProgram) -> None:
    """scenarios/sample-district is ``coachmatch generate --size sample --seed 2026``.

    If the generator changes on purpose, regenerate the folder (see its README).
    """
    write_program(sample, tmp_path)
    for name in ("coaches.csv", "candidates.csv", "org.csv", "program.toml"):
        assert (SAMPLE_DIR / name).read_bytes() == (tmp_path / name).read_bytes(), name


# --------------------------------------------------------------------------------------------
# Sizes and shape


@pytest.mark.parametrize(
    ("size", "n_candidates", "n_coaches", "regions"),
    [
        ("sample", 180, 25, (3, 4)),
        ("district", 1000, 130, (6, 8)),
        ("state", 10000, 1800, (35, 45)),
    ],
)
def test_sizes(size: str, n_candidates: int, n_coaches: int, regions: tuple[int, int]) -> None:
    program = generate_program(size, 3)
    assert abs(len(program.candidates) - n_candidates) <= 0.1 * n_candidates
    assert abs(len(program.coaches) - n_coaches) <= 0.1 * n_coaches
    assert regions[0] <= program.candidates.region.nunique() <= regions[1]
    assert set(program.coaches.region) <= set(program.candidates.region)
    assert set(SIZES) == {"sample", "district", "county", "state"}


def test_contract_columns_and_ids(district: GeneratedProgram) -> None:
    assert list(district.coaches.columns) == COACH_COLUMNS
    assert list(district.candidates.columns) == CANDIDATE_COLUMNS
    assert list(district.org.columns) == ["person_id", "supervisor_id"]
    assert district.coaches.coach_id.is_unique and district.candidates.candidate_id.is_unique
    assert district.coaches.coach_id.str.fullmatch(r"C\d{4}").all()
    assert district.candidates.candidate_id.str.fullmatch(r"K\d{5}").all()
    assert district.candidates.person_id.str.fullmatch(r"P\d+").all()
    assert district.candidates.person_id.is_unique


def test_coach_values(district: GeneratedProgram) -> None:
    coaches = district.coaches
    assert set(coaches.certification) == CERTIFICATIONS
    assert all(roles and set(roles) <= ROLES for roles in coaches.roles)
    assert all(set(levels) <= LEVELS for levels in coaches.levels)
    assert all(1 <= len(s) <= 3 and set(s) <= set(range(1, 7)) for s in coaches.cpsel_strengths)
    assert all("English" in langs for langs in coaches.languages)
    assert (coaches.capacity >= 0).all() and coaches.capacity.max() >= 20
    years = coaches.admin_years.dropna()
    assert years.between(3, 30).all()
    assert coaches.lat.between(32.5, 42.0).all() and coaches.lon.between(-124.4, -114.1).all()
    assert coaches.cost_per_candidate.between(1000, 10000).all()
    # Hours: mostly unlimited, some binding below what the places would need (4 h each).
    hours = coaches.max_hours_per_month
    assert hours.isna().mean() > 0.4
    assert (hours < 4 * coaches.capacity).fillna(False).any()
    # Scarce coaches: far fewer take specialists than assistant principals.
    takes = {r: sum(r in roles for roles in coaches.roles) for r in ROLES}
    assert takes["specialist"] < 0.5 * takes["assistant_principal"]
    assert any(not served for served in coaches.regions_served)
    assert any(len(served) >= 2 for served in coaches.regions_served)


def test_candidate_values(district: GeneratedProgram) -> None:
    cands = district.candidates
    assert set(cands.role) <= ROLES
    assert set(cands.level) <= LEVELS
    assert set(cands.program_year) == {1, 2}
    assert all(1 <= len(f) <= 3 and set(f) <= set(range(1, 7)) for f in cands.cpsel_focus)
    assert cands.lat.between(32.5, 42.0).all() and cands.lon.between(-124.4, -114.1).all()
    starts = cands.start_month.dropna()
    assert 0 < len(starts) < 0.1 * len(cands)
    assert set(starts) <= PROGRAM_MONTHS
    assert (cands.loc[starts.index, "program_year"] == 1).all()
    shares = cands.role.value_counts(normalize=True)
    assert shares["assistant_principal"] == pytest.approx(0.54, abs=0.03)
    assert shares["specialist"] == pytest.approx(0.24, abs=0.03)
    assert shares["principal"] == pytest.approx(0.12, abs=0.03)
    assert (cands.level != "district").mean() == pytest.approx(2 / 3, abs=0.06)
    # School staff work at a school of their level; office staff at a district office.
    office = cands.level == "district"
    assert cands.site[office].str.contains("Office").all()
    assert cands.site[~office].str.contains("School").all()


def test_windows_parse_inside_the_day(district: GeneratedProgram) -> None:
    cells = [*district.coaches.available.dropna(), *district.candidates.available.dropna()]
    assert len(cells) > 0.8 * (len(district.coaches) + len(district.candidates))
    for cell in cells:
        for _day, start, end in _window_minutes(cell):
            assert 7 * 60 <= start < end <= 18 * 60
    assert district.coaches.available.isna().any()  # some coaches are free all day


def test_preferences_and_exclusions_name_coaches(district: GeneratedProgram) -> None:
    ids = set(district.coaches.coach_id)
    cands = district.candidates
    prefs = [c for cell in cands.preferred_coach_ids for c in cell]
    excl = [c for cell in cands.exclude_coach_ids for c in cell]
    assert prefs and excl and set(prefs) <= ids and set(excl) <= ids
    assert (cands.preferred_coach_ids.map(len) > 0).mean() < 0.15
    assert (cands.exclude_coach_ids.map(len) > 0).mean() < 0.1
    for pref, exc in zip(cands.preferred_coach_ids, cands.exclude_coach_ids, strict=True):
        assert not set(pref) & set(exc)


# --------------------------------------------------------------------------------------------
# Supervision and continuity


def test_org_graph_is_acyclic_and_reaches_every_supervisor(district: GeneratedProgram) -> None:
    graph = _supervision_graph(district)
    assert nx.is_directed_acyclic_graph(graph)
    cands = district.candidates
    assert (cands.person_id != "").all() and (cands.supervisor_id != "").all()
    org_people = set(district.org.person_id) | set(district.org.supervisor_id)
    assert set(cands.supervisor_id) <= org_people | set(cands.person_id)
    # Chains run upward through principals/directors to a superintendent: a few levels deep.
    depth = max(len(nx.descendants(graph, p)) for p in cands.person_id)
    assert 3 <= depth <= 6


def test_some_coaches_sit_above_candidates(sample: GeneratedProgram) -> None:
    graph = _supervision_graph(sample)
    coach_people = set(sample.coaches.person_id.dropna())
    assert coach_people, "some coaches are working administrators"
    above = [nx.descendants(graph, p) & coach_people for p in sample.candidates.person_id]
    assert sum(bool(a) for a in above) >= 3
    assert sample.candidates.supervisor_id.isin(coach_people).any()  # a direct supervisor


def test_year_two_continuity(district: GeneratedProgram) -> None:
    cands, ids = district.candidates, set(district.coaches.coach_id)
    year2 = cands[cands.program_year == 2]
    assert len(year2) == pytest.approx(0.5 * len(cands), rel=0.1)
    current = year2.current_coach_id.dropna()
    assert current.isin(ids).sum() >= 0.75 * len(year2)
    assert (~current.isin(ids)).any()  # a coach who left: allowed, a warning
    assert cands[cands.program_year == 1].current_coach_id.isna().all()
    # Last year's coach had a place for each of them.
    load = current[current.isin(ids)].value_counts()
    capacity = district.coaches.set_index("coach_id").capacity
    assert (load <= capacity.reindex(load.index).clip(lower=1)).all()


# --------------------------------------------------------------------------------------------
# Files


def test_written_cells_follow_the_contract(tmp_path: Path, sample: GeneratedProgram) -> None:
    write_program(sample, tmp_path)
    coaches = _read(tmp_path, "coaches.csv")
    cands = _read(tmp_path, "candidates.csv")
    org = _read(tmp_path, "org.csv")
    assert list(coaches.columns) == COACH_COLUMNS and list(cands.columns) == CANDIDATE_COLUMNS
    assert list(org.columns) == ["person_id", "supervisor_id"]
    assert (org != "").all().all()
    assert set(coaches.cnet_current) <= {"true", "false", ""}
    assert coaches.roles.str.fullmatch(r"[a-z_]+(;[a-z_]+)*").all()
    assert cands.cpsel_focus.str.fullmatch(r"[1-6](;[1-6])*").all()
    assert set(cands.program_year) == {"1", "2"}
    assert coaches.capacity.str.fullmatch(r"\d+").all()
    assert (cands.start_month == "").sum() > 0.9 * len(cands)
    assert "[eligibility]" in (tmp_path / "program.toml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- variants

VARIANT_NAMES = {
    "default",
    "wide_windows",
    "narrow_windows",
    "spring_starts",
    "blackouts",
    "travel_heavy",
    "school_hours",
}


def _windows(cell: object) -> list[tuple[str, int, int]]:
    """(day, start, end) of an ``available`` cell; [] for an empty cell (free all day)."""
    if not isinstance(cell, str) or not cell:
        return []
    out = []
    for part in cell.split(";"):
        m = WINDOW.match(part)
        assert m, part
        day, h1, m1, h2, m2 = m.groups()
        out.append((day, int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)))
    return out


def _mean_window(frame: pd.DataFrame) -> float:
    lengths = [e - s for cell in frame.available for _, s, e in _windows(cell)]
    return sum(lengths) / len(lengths)


@pytest.fixture(scope="module")
def variants() -> dict[str, GeneratedProgram]:
    return {name: generate_program("sample", 7, name) for name in sorted(VARIANT_NAMES)}


def test_variant_names_everywhere():
    from matcher.cli import _VARIANT_NAMES
    from matcher.synthetic.generator import VARIANTS

    assert set(VARIANTS) == set(_VARIANT_NAMES) == VARIANT_NAMES
    with pytest.raises(ValueError, match="unknown variant"):
        generate_program("sample", 1, "galaxy")


def test_default_variant_is_the_plain_generator(variants):
    plain = generate_program("sample", 7)
    assert plain.candidates.equals(variants["default"].candidates)
    assert plain.coaches.equals(variants["default"].coaches)
    assert plain.program_toml == variants["default"].program_toml


def test_window_variants_widen_and_narrow(variants):
    base = variants["default"]
    for who in ("candidates", "coaches"):
        wide, narrow = (
            getattr(variants["wide_windows"], who),
            getattr(variants["narrow_windows"], who),
        )
        assert _mean_window(wide) > 1.3 * _mean_window(getattr(base, who))
        assert _mean_window(narrow) < 0.8 * _mean_window(getattr(base, who))
        for frame in (wide, narrow):
            for cell in frame.available:
                for _, s, e in _windows(cell):
                    assert s >= 7 * 60 and e <= 18 * 60 and e - s >= 60


def test_spring_starts_variant(variants):
    cands = variants["spring_starts"].candidates
    year1 = cands[cands.program_year == 1]
    late = year1.start_month.dropna()
    assert len(late) >= 0.3 * len(year1)
    assert set(late) <= {"2027-01", "2027-02"}
    assert cands[cands.program_year == 2].start_month.isna().all()


def test_blackouts_variant_is_a_valid_busier_calendar(variants, tmp_path):
    from matcher.io.loading import load_program

    folder = tmp_path / "busy"
    write_program(variants["blackouts"], folder)
    calendar = load_program(folder).policy.calendar
    default = tomllib.loads(variants["default"].program_toml)["calendar"]
    assert len(calendar.blackout_days()) > 2 * 19  # the default has 19 blackout days
    assert len(calendar.meeting_days()) == 10 > len(default["coach_meetings"])


def test_travel_heavy_variant_spreads_sites(variants):
    def spread(program: GeneratedProgram) -> float:
        k = program.candidates
        lat = k.lat - k.groupby("region").lat.transform("mean")
        lon = k.lon - k.groupby("region").lon.transform("mean")
        return float(((lat**2 + lon**2) ** 0.5).mean())

    assert spread(variants["travel_heavy"]) > 2 * spread(variants["default"])
    # site names no longer tell places apart (issue 12's shape): some candidates without
    # coordinates, and sites whose candidates sit at several places
    cands = variants["travel_heavy"].candidates
    assert 0 < cands.lat.isna().sum() < 0.15 * len(cands)
    assert (cands.dropna(subset=["lat"]).groupby("site").lat.nunique() > 1).any()
    assert not variants["default"].candidates.lat.isna().any()


def test_school_hours_variant(variants):
    program = variants["school_hours"]
    cands, coaches = program.candidates, program.coaches
    at_school = cands[~cands.site.str.endswith("Office")]
    for row in at_school.itertuples():
        windows = _windows(row.available)
        school = [(d, s, e) for d, s, e in windows if (s, e) == (420, 495) or 870 <= s < e <= 1020]
        # year 2: one window may have been added to keep last year's coach
        assert len(windows) - len(school) <= (row.program_year == 2), row.available
        assert 2 <= len({d for d, _, _ in school}) <= 4, row.available
    by_id = dict(zip(coaches.coach_id, coaches.available, strict=True))
    part_time = [cell for cell in coaches.available if _windows(cell)]
    assert sum(len({d for d, _, _ in _windows(c)}) <= 2 for c in part_time) > len(part_time) / 2
    checked = 0
    for row in cands[(cands.program_year == 2) & cands.current_coach_id.isin(by_id)].itertuples():
        mine, theirs = _windows(row.available), _windows(by_id[row.current_coach_id])
        if not mine or not theirs:
            continue
        checked += 1
        assert any(
            d1 == d2 and min(e1, e2) - max(s1, s2) >= 60
            for d1, s1, e1 in mine
            for d2, s2, e2 in theirs
        ), (row.candidate_id, row.available, by_id[row.current_coach_id])
    assert checked > 10


def test_generate_command_writes_a_variant(tmp_path):
    from click.testing import CliRunner

    from matcher.cli import main

    out = tmp_path / "prog"
    result = CliRunner().invoke(main, ["generate", "--variant", "school_hours", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "sample (school_hours)" in result.output
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0
