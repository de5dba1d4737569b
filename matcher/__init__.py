"""coachmatch: match leadership coaches with credential candidates, provably optimally.

The package is the domain side of the tool: program data and its validation, eligibility and
pair scores, rosters and schedules as results, writers and the command line. The optimization
models live in :mod:`solvers`, which knows nothing of coaching.
"""

__version__ = "0.1.0"
