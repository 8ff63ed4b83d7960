"""How a check run uses Python's cycle collector (shared by the CLI and the benchmarks)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A check run allocates millions of objects and frees them by reference counting (it makes
    no reference cycles), so Python's cycle collector, run every 700 allocations by default, only
    scans objects that are still in use: about a tenth of the run. Run it far less often, and
    never over what existed before (modules, classes); restore the collector afterwards."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
