"""Tables of ids a coordinator hands back to the tool: a roster.csv, and pins.

A roster read back (``schedule --roster``, ``rollover --roster``, ``reassign --previous``) and
a pin file (``--pin``) are the same shape, ``candidate_id, coach_id``, and fail the same way: a
missing file or column, a candidate listed twice, an id the program does not know. One reader
checks all of that, so every command names the same problem with the same words, file, row
and column.
"""

from __future__ import annotations

from pathlib import Path

from matcher.errors import InputError, InputProblem
from matcher.io.loading import read_id_table
from matcher.problem import ProgramData


def read_roster(
    path: Path,
    *,
    candidate_ids: set[str] | dict[str, int] | None = None,
    coach_ids: set[str] | dict[str, int] | None = None,
    keep_unassigned: bool = False,
    what: str = "roster",
) -> dict[str, str]:
    """candidate id → coach id of a roster.csv (or any ``candidate_id, coach_id`` table).

    Where ``candidate_ids`` / ``coach_ids`` are given, an id outside them is an input error
    naming its row and column; where they are not (``reassign`` reads a roster of candidates
    who may have left the program since), every id is kept. A candidate listed twice is an
    error. Unassigned rows (empty ``coach_id``) are dropped unless ``keep_unassigned``, which
    maps them to ``""``.
    """
    if not path.is_file():
        raise InputError(InputProblem(str(path), f"{what} not found"))
    frame = read_id_table(path)
    problems: list[InputProblem] = []
    mapping: dict[str, str] = {}
    seen: set[str] = set()
    for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        line = int(i) + 2
        candidate, coach = row.candidate_id, row.coach_id
        if candidate in seen:
            problems.append(
                InputProblem(path.name, "candidate listed twice", line, "candidate_id", candidate)
            )
            continue
        seen.add(candidate)
        if candidate_ids is not None and candidate not in candidate_ids:
            problems.append(
                InputProblem(
                    path.name, "no such candidate in the program", line, "candidate_id", candidate
                )
            )
        elif coach and coach_ids is not None and coach not in coach_ids:
            problems.append(
                InputProblem(path.name, "no such coach in the program", line, "coach_id", coach)
            )
        elif coach or keep_unassigned:
            mapping[candidate] = coach
    if problems:
        raise InputError(problems)
    return mapping


def read_program_roster(path: Path, program: ProgramData) -> dict[str, str]:
    """The assigned pairs of a roster.csv for ``program``; unknown ids are input errors."""
    return read_roster(
        path, candidate_ids=program.candidate_index(), coach_ids=program.coach_index()
    )


def read_pins(path: Path, program: ProgramData) -> list[tuple[int, int]]:
    """Pairs the coordinator fixed in advance (``--pin``), as (candidate, coach) indices.

    Every row must name a known candidate and a known coach: a pin with an empty coach is a
    mistake, not "unassigned".
    """
    cands, coaches = program.candidate_index(), program.coach_index()
    mapping = read_roster(
        path, candidate_ids=cands, coach_ids=coaches, keep_unassigned=True, what="pin file"
    )
    problems = [
        InputProblem(
            path.name, "no coach given for a pinned candidate", column="coach_id", value=candidate
        )
        for candidate, coach in mapping.items()
        if not coach
    ]
    if problems:
        raise InputError(problems)
    return sorted((cands[k], coaches[c]) for k, c in mapping.items())
