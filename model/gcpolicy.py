"""Garbage collection and memory tuned for large runs: they change a run's speed and memory, never its results.

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

Memory (a full-scale county holds a million agents and half a million cases):

* row agents made in bulk (``agents.create_row_agents``) share one weak reference between Mesa's two
  weak sets (:func:`remove_from` is its callback) and take their row indices from other agents' unique
  ids (:func:`shared_ints`): 330 B an agent instead of 477; a model that holds its citizens in a list by row
  (``holders``) keeps them out of Mesa's dict of all agents: ~300 B;
* :func:`zeros` makes a large zeroed array in pages of its own, mapped from the OS. ``np.zeros`` takes its
  memory from the C allocator, which keeps arrays of up to 32 MiB in its heap once earlier large arrays
  have been freed (its threshold for own mappings grows with them): such an array is cleared page by page
  when made (all of it resident, not only the rows written) and, freed, stays resident in the heap. The
  growable tables (the case table, the compiled engine's tables) are made by :func:`zeros`: the rows not
  yet used are untouched zero pages, and :func:`release` gives an old copy's pages back to the OS as soon
  as they are copied, so that growth never holds two copies.
"""

from __future__ import annotations

import gc
import math
import mmap
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import mesa
import numpy as np

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


# --- memory: row agents' registration, large arrays in pages of their own ---
def remove_from(*sets):
    """A weak reference's callback removing its dead key from each of ``sets`` (weak-key dictionaries), through
    their own ``_remove``: deferred while a set is iterated, nothing if the key is already gone."""
    removers = tuple(s._remove for s in sets)

    def remove(k):
        for r in removers:
            r(k)

    return remove


def shared_ints(uids: list[int], lo: int) -> list[int]:
    """The ints ``lo … lo + len(uids) − 1`` (row indices), as the very objects of ``uids`` (consecutive unique
    ids) where the two ranges overlap: a row agent's ``idx`` is then the int object another agent's
    ``unique_id`` already is (32 B an agent less; ints are immutable, so nothing can tell)."""
    k = len(uids)
    if k == 0:
        return []
    off = uids[0] - lo  # unique id − row index, the same for every agent of the batch
    if off >= 0:
        head = list(range(lo, lo + min(off, k)))
        return head + uids[: k - len(head)]
    if -off >= k:
        return list(range(lo, lo + k))
    return uids[-off:] + list(range(uids[0] + k, lo + k))


def bulk_ok(model) -> bool:
    """Mesa's registration structures are those ``agents.create_row_agents`` fills directly."""
    return (
        mesa.Model.register_agent is type(model).register_agent
        and isinstance(getattr(model, "_agents", None), dict)
        and isinstance(getattr(model, "_agents_by_type", None), dict)
        and isinstance(getattr(getattr(model, "_all_agents", None), "_agents", None), weakref.WeakKeyDictionary)
        and hasattr(weakref.WeakKeyDictionary(), "_remove")
        and isinstance(getattr(mesa.Agent, "_ids", None), dict)
    )


PAGES_FROM = 1 << 20
"""Bytes from which an array gets pages of its own (below: ``np.zeros``)."""
_MAPS = all(hasattr(mmap, name) for name in ("MAP_PRIVATE", "MAP_ANONYMOUS", "MADV_DONTNEED"))
"""Private anonymous mappings and their release are available (POSIX; elsewhere ``np.zeros`` throughout)."""


def zeros(shape: int | tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """Like ``np.zeros(shape, dtype)`` (C order, writable, aligned); from ``PAGES_FROM`` bytes on, in a private
    anonymous mapping (copy-on-write across a fork, like the heap)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    if count * dtype.itemsize < PAGES_FROM or not _MAPS:
        return np.zeros(shape, dtype=dtype)
    buf = mmap.mmap(-1, count * dtype.itemsize, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype=dtype, count=count).reshape(shape)


def full(shape: int | tuple[int, ...], fill, dtype=np.float64) -> np.ndarray:
    """Like ``np.full(shape, fill, dtype)`` through :func:`zeros` (every page written unless ``fill`` is 0)."""
    out = zeros(shape, dtype)
    if fill != 0:
        out.fill(fill)
    return out


RELEASED = [0]
"""Bytes :func:`release` gave back to the OS (or poisoned) in this process so far (a test can tell it acted)."""

POISON: list = [None]
"""Tests only: a value :func:`release` writes into the pages it would give back, instead of giving them back. A
released row then reads as that value, not as zeros: a run whose results change under it read a released row."""


def release(arr: np.ndarray) -> None:
    """Give the whole pages of ``arr`` back to the OS now, if it lies in a mapping of :func:`zeros` (its values
    read as zeros afterwards): an old copy no longer used, freed while the next is filled, so that growth holds
    no second full copy at once; rows no longer read (``kernel.release``). Nothing for an array of the heap."""
    base = arr.base
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):  # ``np.frombuffer``'s view of the mapping
        base = base.obj
    if not isinstance(base, mmap.mmap) or not arr.flags.c_contiguous:
        return
    start = arr.__array_interface__["data"][0] - np.frombuffer(base, np.uint8, 1).__array_interface__["data"][0]
    lo = -(-start // mmap.PAGESIZE) * mmap.PAGESIZE
    hi = (start + arr.nbytes) // mmap.PAGESIZE * mmap.PAGESIZE
    if hi <= lo:
        return
    RELEASED[0] += hi - lo
    if POISON[0] is not None:  # the same whole pages, written (the page size is a multiple of the item size)
        arr.reshape(-1)[(lo - start) // arr.itemsize : (hi - start) // arr.itemsize] = POISON[0]
        return
    base.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
