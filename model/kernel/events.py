"""The kernel's event heap, ordered by (time, sequence number)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import CTR_NEV, CTR_SEQ
from .leaf import leaf


@leaf
def ev_push(evt, evi, ctr, t, kind, a, b, c):
    """Push an event; the caller made room (``ev_room``). The new event's hole moves up past every later
    parent (each parent moved once, not swapped)."""
    n = ctr[CTR_NEV]
    seq = ctr[CTR_SEQ]
    ctr[CTR_SEQ] = seq + 1
    ctr[CTR_NEV] = n + 1
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        pt = evt[parent]
        if t < pt or (t == pt and seq < evi[parent, 0]):
            evt[i] = pt
            for col in range(5):
                evi[i, col] = evi[parent, col]
            i = parent
        else:
            break
    evt[i] = t
    evi[i, 0] = seq
    evi[i, 1] = kind
    evi[i, 2] = a
    evi[i, 3] = b
    evi[i, 4] = c


@leaf
def ev_pop(evt, evi, ctr):
    """Remove the first event into the last slot of the heap's old size and return that slot. The last
    event sinks from the root as a hole moving down (each earlier child moved once, not swapped). (time,
    sequence number) is a total order, so the events come out in the same order whatever the heap's moves."""
    n = ctr[CTR_NEV] - 1
    ctr[CTR_NEV] = n
    t = evt[n]
    q0, q1, q2, q3, q4 = evi[n, 0], evi[n, 1], evi[n, 2], evi[n, 3], evi[n, 4]
    ft = evt[0]
    f0, f1, f2, f3, f4 = evi[0, 0], evi[0, 1], evi[0, 2], evi[0, 3], evi[0, 4]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        best = left
        right = left + 1
        if right < n and (evt[right] < evt[left] or (evt[right] == evt[left] and evi[right, 0] < evi[left, 0])):
            best = right
        bt = evt[best]
        if bt < t or (bt == t and evi[best, 0] < q0):
            evt[i] = bt
            for col in range(5):
                evi[i, col] = evi[best, col]
            i = best
        else:
            break
    if n > 0:
        evt[i] = t
        evi[i, 0], evi[i, 1], evi[i, 2], evi[i, 3], evi[i, 4] = q0, q1, q2, q3, q4
    evt[n] = ft
    evi[n, 0], evi[n, 1], evi[n, 2], evi[n, 3], evi[n, 4] = f0, f1, f2, f3, f4
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
