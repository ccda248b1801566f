"""Large zeroed arrays in pages of their own, mapped from the OS: a page costs memory only once written.

``np.zeros`` takes its memory from the C allocator, which keeps arrays of up to 32 MiB in its heap once
earlier large arrays have been freed (its threshold for own mappings grows with them): such an array is
cleared page by page when made (all of it resident, not only the rows written) and, freed, stays resident
in the heap. The growable tables (the case table, the compiled engine's tables) are made here instead: the
rows not yet used are untouched zero pages, and an old copy freed after growth goes back to the OS at once.
"""

from __future__ import annotations

import math
import mmap

import numpy as np

THRESHOLD = 1 << 20
"""Bytes from which an array gets pages of its own (below: ``np.zeros``)."""


def zeros(shape: int | tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """Like ``np.zeros(shape, dtype)`` (C order, writable, aligned); from ``THRESHOLD`` bytes on, in a private
    anonymous mapping (copy-on-write across a fork, like the heap)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = np.dtype(dtype)
    count = math.prod(shape)
    if count * dtype.itemsize < THRESHOLD:
        return np.zeros(shape, dtype=dtype)
    buf = mmap.mmap(-1, count * dtype.itemsize, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype=dtype, count=count).reshape(shape)


def full(shape: int | tuple[int, ...], fill, dtype=np.float64) -> np.ndarray:
    """Like ``np.full(shape, fill, dtype)`` through :func:`zeros` (every page written unless ``fill`` is 0)."""
    out = zeros(shape, dtype)
    if fill != 0:
        out.fill(fill)
    return out


def release(arr: np.ndarray) -> None:
    """Give the whole pages of ``arr`` back to the OS now, if it lies in a mapping of :func:`zeros` (its values
    read as zeros afterwards): an old copy no longer used, freed while the next is filled, so that growth holds
    no second full copy at once. Nothing for an array of the heap."""
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
    if hi > lo:
        base.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
