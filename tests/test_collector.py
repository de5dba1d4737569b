"""The garbage collector around bulk steps: paused and restored, frozen only for a command.

``collector_paused`` (loading, the workbook) must leave the collector as it found it, also
when the step fails; the CLI freezes what is alive after loading for the command only, so a
library caller or the next command in the same process (tests, notebooks) finds the
collector as usual.
"""

from __future__ import annotations

import gc

import pytest
from click.testing import CliRunner
from conftest import write_program

from matcher.cli import main
from matcher.collector import collector_paused


def test_paused_inside_and_restored_after_also_on_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a failing step")
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_outer_one_paused() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.parametrize("good_input", [True, False])
def test_a_command_leaves_nothing_frozen_and_the_collector_on(
    tmp_path, monkeypatch, good_input
) -> None:
    import matcher.io.result_folder as result_folder

    seen: list[tuple[int, bool]] = []  # (objects frozen, collector on) while writing
    write_result = result_folder.write_result

    def watched(*args, **kwargs):
        seen.append((gc.get_freeze_count(), gc.isenabled()))
        return write_result(*args, **kwargs)

    monkeypatch.setattr(result_folder, "write_result", watched)
    coach = {"coach_id": "C1"} if good_input else {"coach_id": "C1", "capacity": "lots"}
    folder = write_program(tmp_path / "p", [coach], [{"candidate_id": "K1"}])
    frozen_before = gc.get_freeze_count()
    done = CliRunner().invoke(main, ["assign", str(folder), "--out", str(tmp_path / "out")])
    assert done.exit_code == (0 if good_input else 2), done.output
    if good_input:  # during the command: the loaded program and libraries frozen, collector on
        assert len(seen) == 1 and seen[0][0] > frozen_before and seen[0][1]
    assert gc.get_freeze_count() == frozen_before
    assert gc.isenabled()
