"""User-facing errors and warnings about a program folder.

A coordinator who made a mistake in a spreadsheet needs to know exactly where: which file, which
row, which column, and what was expected. Every problem found in input data is an
:class:`InputProblem`; loading collects all of them before it fails, so one run shows every
mistake rather than the first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in one place of the input.

    ``row`` is the spreadsheet row number a person sees (the header is row 1), or ``None`` when
    the problem concerns a whole file or column. ``column`` is a column name or a TOML key.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            label = "key" if self.file.endswith(".toml") else "column"
            where += f", {label} '{self.column}'"
        shown = f" (found {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}: {self.message}{shown}"


class InputError(Exception):
    """The program folder cannot be used as it is; carries every problem found."""

    def __init__(self, problems: list[InputProblem] | InputProblem):
        self.problems = [problems] if isinstance(problems, InputProblem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def render(self, limit: int = 50) -> str:
        """A readable list of the problems, capped so a broken file does not flood the screen."""
        lines = [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        n = len(self.problems)
        head = f"The program has {n} input problem{'s' if n != 1 else ''}:"
        return "\n".join([head, *lines])


class InfeasibleError(Exception):
    """The program's hard requirements (e.g. pinned pairs) cannot all hold; says why."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


class ScheduleRuleError(Exception):
    """A calendar about to be written breaks a hard schedule rule of the contract.

    Such a calendar is the tool's bug, never the data's; it is refused (nothing is written) and
    each violation names the rule, the coach and the date, ids only, so it can be reported and
    reproduced without personal data.
    """

    def __init__(self, violations: list):
        self.violations = list(violations)
        super().__init__(f"{len(self.violations)} hard schedule rule violation(s)")


class OutputError(Exception):
    """A result folder cannot be written: a user's mistake or the machine's state (the path
    runs through a file, the folder is read-only, the disk is full), never the data's.

    Says which folder and the system's reason; an earlier result in that folder is left as it
    was (results are staged and moved in at once, :mod:`matcher.io.output`)."""

    def __init__(self, folder, cause: OSError):
        self.folder = folder
        self.cause = cause
        reason = cause.strerror or str(cause)
        where = f" ({cause.filename})" if cause.filename else ""
        super().__init__(f"Cannot write the result folder {folder}: {reason}{where}.")
