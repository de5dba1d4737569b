"""Python's cyclic garbage collector paused while a step builds many objects at once.

CPython runs a full collection, a pass over every tracked object, each time the objects that
survived younger collections grow by a quarter of the whole. A step that allocates in bulk and
frees little (loading a statewide program: ~250,000 records, windows and reporting lines;
writing its workbook: ~220,000 cells) triggers such passes again and again, and they find
nothing to free: at state size they were ~0.45 s of loading's ~0.85 s. Pausing the collector
for the step and restoring it afterwards removes that cost. Reference counting still frees
every object that is not part of a cycle, and the collector, once running again, catches the
few cycles made meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector inside the ``with`` block; restore its state after, also
    when the block raises (left off if it was off before, e.g. in a caller's own pause)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
