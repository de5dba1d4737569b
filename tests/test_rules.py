"""Each eligibility rule on its own: one pair it allows, one it rules out.

Each test changes a single cell of an otherwise eligible pair (see conftest defaults), and
checks both the rule function and the whole pair building.
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.io.loading import load_program
from matcher.rules.eligibility import RULES_BY_NAME
from matcher.rules.pairs import build_pairs
from matcher.rules.view import build_view

CASES = {
    # rule name: (allowed pair cells, ruled-out pair cells, program.toml)
    "certification": (
        ({"certification": "in_progress"}, {"program_year": "1"}),
        ({"certification": "in_progress"}, {"program_year": "2"}),
        "",
    ),
    "network_training": (({"cnet_current": "yes"}, {}), ({"cnet_current": "no"}, {}), ""),
    "region": (
        ({"region": "South", "regions_served": "East;North"}, {}),
        ({"region": "South", "regions_served": "East"}, {}),
        "",
    ),
    "role": (
        ({"roles": "director;principal"}, {"role": "principal"}),
        ({"roles": "director;principal"}, {"role": "specialist"}),
        "",
    ),
    "supervisor": (
        ({"person_id": "P9"}, {"person_id": "P1", "supervisor_id": "P2"}),
        ({"person_id": "P2"}, {"person_id": "P1", "supervisor_id": "P2"}),
        "",
    ),
    "excluded": (
        ({"coach_id": "C1"}, {"exclude_coach_ids": "C7"}),
        ({"coach_id": "C1"}, {"exclude_coach_ids": "C7;C1"}),
        "",
    ),
    "travel": (
        ({"lat": "37.0", "lon": "-120.0"}, {"lat": "37.5", "lon": "-120.0"}),  # ~56 km
        ({"lat": "37.0", "lon": "-120.0"}, {"lat": "38.0", "lon": "-120.0"}),  # ~111 km
        "",
    ),
    "admin_years": (
        ({"admin_years": "4"}, {}),
        ({"admin_years": "3"}, {}),
        "[eligibility]\nmin_admin_years = 4\n",
    ),
    "common_time": (
        ({"available": "Tue 14:00-16:00"}, {"available": "Tue 15:00-17:00"}),  # 60 min overlap
        ({"available": "Tue 14:00-16:00"}, {"available": "Tue 15:30-17:00"}),  # 30 min only
        "",
    ),
}


def _verdict(program_dir, coach_cells, cand_cells, toml, rule_name):
    folder = program_dir(coaches=[coach_cells], candidates=[cand_cells], toml=toml)
    program = load_program(folder)
    view = build_view(program)
    allowed = bool(RULES_BY_NAME[rule_name].check(view, np.array([0]), np.array([0]))[0])
    eligible = len(build_pairs(program)) == 1
    return allowed, eligible


@pytest.mark.parametrize("rule_name", list(CASES))
def test_rule_allows_pair(program_dir, rule_name):
    allowed_cells, _, toml = CASES[rule_name]
    assert _verdict(program_dir, *allowed_cells, toml, rule_name) == (True, True)


@pytest.mark.parametrize("rule_name", list(CASES))
def test_rule_rules_out_pair(program_dir, rule_name):
    _, ruled_out_cells, toml = CASES[rule_name]
    assert _verdict(program_dir, *ruled_out_cells, toml, rule_name) == (False, False)


def test_in_progress_coach_not_allowed_when_program_forbids_it(program_dir):
    toml = "[eligibility]\nallow_in_progress_certification = false\n"
    verdict = _verdict(
        program_dir, {"certification": "in_progress"}, {"program_year": "1"}, toml, "certification"
    )
    assert verdict == (False, False)


@pytest.mark.parametrize("cert", ["expired", "none"])
def test_expired_or_uncertified_coach_ruled_out(program_dir, cert):
    assert _verdict(program_dir, {"certification": cert}, {}, "", "certification") == (False, False)


def test_network_training_not_needed_when_not_required(program_dir):
    toml = "[eligibility]\nrequire_cnet = false\n"
    assert _verdict(program_dir, {"cnet_current": ""}, {}, toml, "network_training") == (True, True)


def test_chain_rules_out_supervisor_of_supervisor_but_direct_does_not(program_dir):
    coach = {"person_id": "P3"}
    cand = {"person_id": "P1", "supervisor_id": "P2"}
    org = [("P2", "P3"), ("P3", "P4")]
    chain = program_dir(coaches=[coach], candidates=[cand], org=org)
    direct = program_dir(
        coaches=[coach],
        candidates=[cand],
        org=org,
        toml='[eligibility]\nsupervisor_conflict = "direct"\n',
    )
    assert len(build_pairs(load_program(chain))) == 0
    assert len(build_pairs(load_program(direct))) == 1


def test_chain_follows_org_lines_of_the_candidate_person(program_dir):
    """The reporting line may come from org.csv alone (no supervisor_id on the candidate)."""
    folder = program_dir(
        coaches=[{"person_id": "P4"}],
        candidates=[{"person_id": "P1"}],
        org=[("P1", "P2"), ("P2", "P4")],
    )
    assert len(build_pairs(load_program(folder))) == 0


def test_travel_without_coordinates_is_not_checked(program_dir):
    coach = {"lat": "37.0", "lon": "-120.0"}
    assert _verdict(program_dir, coach, {}, "", "travel") == (True, True)


def test_travel_limit_zero_means_no_limit(program_dir):
    cells = ({"lat": "37.0", "lon": "-120.0"}, {"lat": "39.0", "lon": "-120.0"})
    toml = "[eligibility]\nmax_travel_km = 0\n"
    assert _verdict(program_dir, *cells, toml, "travel") == (True, True)


def test_common_time_ignores_disallowed_weekdays_and_hours(program_dir):
    cells = (
        {"available": "Sat 09:00-12:00;Mon 17:30-19:00"},
        {"available": "Sat 09:00-12:00;Mon 17:00-20:00"},
    )
    assert _verdict(program_dir, *cells, "", "common_time") == (False, False)


def test_common_time_free_side_is_free_all_day(program_dir):
    assert _verdict(
        program_dir, {"available": ""}, {"available": "Fri 07:00-08:00"}, "", "common_time"
    ) == (True, True)


def test_role_need_not_match_when_program_says_so(program_dir):
    toml = "[eligibility]\nrole_must_match = false\n"
    cells = ({"roles": "principal"}, {"role": "director"})
    assert _verdict(program_dir, *cells, toml, "role") == (True, True)
