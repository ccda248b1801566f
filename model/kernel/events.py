"""The kernel's event heap, ordered by (time, sequence number)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import CTR_NEV, CTR_SEQ


@njit(cache=True)
def _before(evt, evi, i, j):
    return evt[i] < evt[j] or (evt[i] == evt[j] and evi[i, 0] < evi[j, 0])


@njit(cache=True)
def _swap(evt, evi, i, j):
    t = evt[i]
    evt[i] = evt[j]
    evt[j] = t
    for c in range(5):
        x = evi[i, c]
        evi[i, c] = evi[j, c]
        evi[j, c] = x


@njit(cache=True)
def ev_push(evt, evi, ctr, t, kind, a, b, c):
    """Push an event; the caller made room (``ev_room``)."""
    n = ctr[CTR_NEV]
    evt[n] = t
    evi[n, 0] = ctr[CTR_SEQ]
    ctr[CTR_SEQ] += 1
    evi[n, 1] = kind
    evi[n, 2] = a
    evi[n, 3] = b
    evi[n, 4] = c
    ctr[CTR_NEV] = n + 1
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if _before(evt, evi, i, parent):
            _swap(evt, evi, i, parent)
            i = parent
        else:
            break


@njit(cache=True)
def ev_pop(evt, evi, ctr):
    """Remove the first event into the last slot of the heap's old size and return that slot."""
    n = ctr[CTR_NEV] - 1
    _swap(evt, evi, 0, n)
    ctr[CTR_NEV] = n
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        best = left
        right = left + 1
        if right < n and _before(evt, evi, right, left):
            best = right
        if _before(evt, evi, best, i):
            _swap(evt, evi, best, i)
            i = best
        else:
            break
    return n


@njit(cache=True)
def ev_room(evt, evi, ctr, extra):
    """The heap arrays, doubled while fewer than ``extra`` slots are free."""
    n = ctr[CTR_NEV]
    cap = evt.shape[0]
    if n + extra <= cap:
        return evt, evi
    while n + extra > cap:
        cap *= 2
    evt2 = np.empty(cap, np.float64)
    evi2 = np.empty((cap, 5), np.int64)
    evt2[:n] = evt[:n]
    evi2[:n] = evi[:n]
    return evt2, evi2
