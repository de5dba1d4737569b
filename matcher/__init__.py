"""coachmatch: match leadership coaches with credential candidates, provably optimally.

Use from Python: the same steps the ``coachmatch`` command runs, one call each::

    import matcher

    program = matcher.load_program("scenarios/sample-district")   # validated, typed
    roster = matcher.assign(program)                               # the optimal roster
    print(roster.status, roster.assigned, roster.objective, roster.bound)
    calendar = matcher.schedule(program, roster)                   # a year of sessions
    planned = matcher.plan(program)                                # a roster whose pairs all meet
    matcher.write_result("results/", program, planned)             # the folder the CLI writes

:func:`whatif` runs scenario files and :func:`capacity` finds the fewest coach places to add.
Results carry a :class:`SolveStatus` (optimal, feasible, infeasible) with their objective
and proven bound. Bad input raises :class:`InputError` (every problem with its file, row and
column); rules that cannot all hold raise :class:`InfeasibleError` with the reasons.

The package is the domain side of the tool, one subpackage per step of the pipeline (see
ARCHITECTURE.md): ``io`` (files in and out), ``rules`` (eligibility, scores, reasons),
``assignment``, ``scheduling``, ``planning``, ``forecast`` (what-if, capacity), ``report`` and
``synthetic`` (generated programs). The optimization models live in :mod:`solvers`, which
knows nothing of coaching. Names are imported on first use, so ``coachmatch --help`` and a
script that needs only the loader stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "load_program": "matcher.io.loading",
    "assign": "matcher.assignment.optimize",
    "schedule": "matcher.scheduling.sessions",
    "plan": "matcher.planning.loop",
    "whatif": "matcher.forecast.whatif",
    "write_result": "matcher.io.result_folder",
    "write_schedule_result": "matcher.io.result_folder",
    "ProgramData": "matcher.problem",
    "SolveStatus": "solvers.assignment_data",
    "AssignmentResult": "matcher.results",
    "RosterRow": "matcher.results",
    "ScheduleResult": "matcher.scheduling.sessions",
    "PlanResult": "matcher.planning.loop",
    "WhatifRun": "matcher.forecast.whatif",
    "CapacityPlan": "matcher.forecast.capacity",
    "InputError": "matcher.errors",
    "InfeasibleError": "matcher.errors",
}
_RENAMED = {"capacity": ("matcher.forecast.capacity", "plan_capacity")}

__all__ = [
    "AssignmentResult",
    "CapacityPlan",
    "InfeasibleError",
    "InputError",
    "PlanResult",
    "ProgramData",
    "RosterRow",
    "ScheduleResult",
    "SolveStatus",
    "WhatifRun",
    "__version__",
    "assign",
    "capacity",
    "load_program",
    "plan",
    "schedule",
    "whatif",
    "write_result",
    "write_schedule_result",
]

if TYPE_CHECKING:
    from matcher.assignment.optimize import assign
    from matcher.errors import InfeasibleError, InputError
    from matcher.forecast.capacity import CapacityPlan
    from matcher.forecast.capacity import plan_capacity as capacity
    from matcher.forecast.whatif import WhatifRun, whatif
    from matcher.io.loading import load_program
    from matcher.io.result_folder import write_result, write_schedule_result
    from matcher.planning.loop import PlanResult, plan
    from matcher.problem import ProgramData
    from matcher.results import AssignmentResult, RosterRow
    from matcher.scheduling.sessions import ScheduleResult, schedule
    from solvers.assignment_data import SolveStatus


def __getattr__(name: str) -> Any:
    """Import an API name on first use (PEP 562)."""
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
    elif name in _RENAMED:
        module, attr = _RENAMED[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module 'matcher' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
