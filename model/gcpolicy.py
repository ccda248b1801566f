"""Garbage collection tuned for a run: it changes the run's speed, never its results.

The model's long-lived objects (agents, handlers, the case table) are made at construction;
scanning them again at every collection of a run is wasted time (up to a sixth of a
full-scale county's year). Two tools:

* :func:`promote` — move every object tracked so far to the oldest generation at once,
  without a collection (after bulk-making a million agents, the next young collection
  would otherwise walk all of them, and then the middle one again). Objects moved so are not
  counted towards the next full collection, so before bulk-making ``LARGE`` agents or more,
  :func:`before_bulk` collects once: a dead earlier model (a reference cycle) is freed before
  the next one is built, and a loop of large runs in one process keeps one model, not many;
* :func:`during_run` — for the length of a run, freeze what exists (never scanned) and make
  young collections rarer (``YOUNG_THRESHOLD`` allocations instead of 700); on exit the
  previous thresholds return and the frozen objects rejoin the oldest generation, so a
  finished model is collected as before.

A process that runs many small models one after another (an experiment's pool worker) can
:func:`pin` what it holds for good after its first one: the modules, numba's compiled functions
and their types (≈ 230,000 objects in a compiled-engine worker), which every full collection
otherwise walks again (0.11 CPU-s of the 0.13 that freeing one dead default county cost). Once
pinned, :func:`during_run` and :func:`promote` leave the permanent generation alone (unfreezing
would release the pinned objects too): a small model's own objects are few.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 20_000
"""Net allocations of container objects between two young-generation collections during a run."""

LARGE = 50_000
"""Agents made in bulk at or above which garbage is collected first (:func:`before_bulk`)."""


BULK_MADE = [0]
"""Agents made in bulk in this process so far (a caller can tell that a block built a large model)."""

CASES_MADE = [0]
"""Cases filed in this process so far (a caller can tell that a block ran a model that made many: each
open case holds Python objects, so a dead model's cycle can hold hundreds of megabytes)."""


def before_bulk(n: int) -> None:
    """Collect garbage before bulk-making ``n`` agents, if ``n`` is large (see the module's notes)."""
    BULK_MADE[0] += int(n)
    if n >= LARGE and gc.isenabled():
        gc.collect()


PINNED = [False]
"""Whether this process froze its long-lived objects for good (:func:`pin`)."""


def pin() -> None:
    """Freeze every object tracked now, for the process's life: no collection walks them again. Call it
    when what is alive will stay alive (a cyclic object frozen here and dropped later is never freed; objects
    freed by their reference counts are freed as usual)."""
    gc.freeze()
    PINNED[0] = True


def promote() -> None:
    """Move every tracked object to the oldest generation, without collecting (nothing, once pinned)."""
    if PINNED[0]:
        return
    gc.freeze()
    gc.unfreeze()


@contextmanager
def during_run() -> Iterator[None]:
    """Freeze the objects made so far and collect the young generation less often, until exit (once
    pinned by :func:`pin`: only the latter)."""
    if not gc.isenabled():
        yield
        return
    old = gc.get_threshold()
    pinned = PINNED[0]
    if not pinned:
        gc.freeze()
    gc.set_threshold(max(old[0], YOUNG_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not pinned:
            gc.unfreeze()
