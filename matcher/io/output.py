"""Result folders, written all at once or not at all.

Files are first written into a staging folder beside the result folder and moved into place
only when every one of them is complete, so a failed or interrupted run leaves an earlier result
folder as it was: never a roster.csv from one run beside a summary.json from another.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from matcher.errors import OutputError


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``target`` (created if needed).

    An operating-system error on the way (the path runs through a file, a read-only folder, a
    full disk) becomes :class:`~matcher.errors.OutputError`, naming ``target``."""
    target = Path(target)
    try:
        parent = target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=parent))
    except OSError as exc:
        raise OutputError(target, exc) from exc
    try:
        yield stage
        target.mkdir(parents=True, exist_ok=True)
        for item in sorted(stage.rglob("*")):
            if item.is_file():
                dest = target / item.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    except OSError as exc:
        raise OutputError(target, exc) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
