"""Running a command that holds a large logbook's rows in memory at once.

The `report` of a large year makes about two million objects (rows, datetimes,
tuples) that all live until it is printed. None of them is in a reference cycle,
so Python's cyclic garbage collector finds nothing, but it walks the growing
heap each time enough objects have been made: ~0.2 s of CPU on the 100k
benchmark logbook. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (as it was, afterwards)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
