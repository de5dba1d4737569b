"""Property tests: on generated programs of every variant, ``assign`` → ``schedule`` and
``plan`` give calendars in which the independent checker finds no broken schedule rule.

The checker (``tests/independent``, written from the contract, sharing no code with the tool)
judges every rule: program months, weekdays, blackouts, coach meetings, session lengths, day
hours, both sides' windows, the candidate's site and start month, overlaps per coach and per
candidate, travel between every two sessions of a coach's date, the pair's monthly maximum,
the coach's monthly hours — and every minimum, except the pair-months the tool itself declared
short with a reason. The roster is checked too. The CLI's own pre-write check
(``matcher.scheduling.check``) runs inside each command: a refusal (exit 5) fails the test.

Two sets:

- the default suite: one small program per variant through ``schedule``, and two through
  ``plan`` (well under a minute);
- ``-m scale`` (deselected by default; ``COACHMATCH_PROPERTY_SCALE=1 .ci/run`` runs it):
  ``SCALE_PROGRAMS`` programs over many seeds and every variant — mostly small programs, a
  sample-size one per variant and seed block, one district per variant — each through
  ``schedule``, and every seventh also through ``plan``.

``mini`` programs are the first coaches of a generated sample program and candidates of their
regions (``conftest.subset_program``): the variant's windows, calendar and geography with a
fraction of the solve time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import subset_program
from independent import check_roster, check_schedule, load_program

from matcher.cli import main
from matcher.synthetic.generator import VARIANTS, generate_program, write_program

runner = CliRunner()
VARIANT_NAMES = sorted(VARIANTS)
MINI = {"n_coaches": 6, "n_candidates": 40}
PLAN_ARGS = ("--time-limit", "5", "--max-rounds", "8")


def build(size: str, seed: int, variant: str, base: Path) -> Path:
    """A generated program folder; ``mini`` is a slice of the sample size (see above)."""
    program = generate_program("sample" if size == "mini" else size, seed, variant)
    if size != "mini":
        return _written(program, base / "program")
    return subset_program(_written(program, base / "full"), base / "program", **MINI)


def _written(program, folder: Path) -> Path:
    write_program(program, folder)
    return folder


def _invoke(*args: object) -> None:
    result = runner.invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def _violations(folder: Path, out: Path) -> list[str]:
    """The independent checker's findings on a result folder, with the tool's declared
    short pair-months exempt from the minimums (and only those)."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    declared = summary["schedule"]["pair_months_short"]
    assert all(s["reason"] for s in declared), "a shortfall without a reason"
    exempt = {(s["candidate_id"], s["month"]) for s in declared}
    program = load_program(folder)
    roster = out / "roster.csv"
    rows = (out / "schedule.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows, "no sessions at all: the check would prove nothing"
    _log(folder, out, sessions=len(rows), short=len(declared))
    return check_roster(program, roster) + check_schedule(
        program, roster, out / "schedule.csv", exempt=exempt
    )


def _log(folder: Path, out: Path, **figures: int) -> None:
    """With COACHMATCH_PROPERTY_LOG=path, one JSON line per checked calendar (for the
    record of a scale run: how many programs and sessions were checked)."""
    path = os.environ.get("COACHMATCH_PROPERTY_LOG")
    if path:
        line = {"program": folder.parent.name, "result": out.name, **figures}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


def scheduled_violations(folder: Path, out: Path) -> list[str]:
    _invoke("assign", folder, "--out", out, "--quiet", "--no-xlsx")
    _invoke(
        "schedule", folder, "--roster", out / "roster.csv", "--out", out, "--quiet", "--no-xlsx"
    )
    return _violations(folder, out)


def planned_violations(folder: Path, out: Path) -> list[str]:
    _invoke("plan", folder, "--out", out, "--quiet", "--no-xlsx", *PLAN_ARGS)
    return _violations(folder, out)


def _assert_clean(found: list[str], what: str) -> None:
    assert found == [], f"{what}: {len(found)} violations\n" + "\n".join(found[:20])


# ----------------------------------------------------------------------------- default suite


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_schedule_keeps_every_rule(tmp_path, variant):
    folder = build("mini", 1, variant, tmp_path)
    _assert_clean(scheduled_violations(folder, tmp_path / "out"), f"mini/1/{variant}")


@pytest.mark.parametrize("variant", ["travel_heavy", "school_hours"])
def test_plan_keeps_every_rule(tmp_path, variant):
    folder = build("mini", 2, variant, tmp_path)
    _assert_clean(planned_violations(folder, tmp_path / "out"), f"mini/2/{variant}")


# ----------------------------------------------------------------------------- scale suite


def _scale_cases() -> list[tuple[str, int, str, bool]]:
    """(size, seed, variant, also plan): 7 variants x (27 mini seeds, 2 samples, 1 district)."""
    cases = []
    for variant in VARIANT_NAMES:
        cases += [("mini", seed, variant, seed % 7 == 0) for seed in range(100, 127)]
        cases += [("sample", seed, variant, False) for seed in (200, 201)]
        cases.append(("district", 300, variant, False))
    return cases


SCALE_CASES = _scale_cases()
SCALE_PROGRAMS = len(SCALE_CASES)


def test_the_scale_suite_checks_at_least_200_programs():
    assert SCALE_PROGRAMS >= 200


@pytest.mark.scale
@pytest.mark.parametrize(
    ("size", "seed", "variant", "also_plan"),
    SCALE_CASES,
    ids=[f"{s}-{n}-{v}" for s, n, v, _ in SCALE_CASES],
)
def test_scale_every_rule_on_many_programs(tmp_path, size, seed, variant, also_plan):
    folder = build(size, seed, variant, tmp_path)
    what = f"{size}/{seed}/{variant}"
    _assert_clean(scheduled_violations(folder, tmp_path / "scheduled"), what + " schedule")
    if also_plan:
        _assert_clean(planned_violations(folder, tmp_path / "planned"), what + " plan")
