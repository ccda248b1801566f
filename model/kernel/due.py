"""The day's due gaming decisions taken from their queue in one kernel call (compiled engine).

``gaming.due`` splits the queued decision moments at the day's end and sorts the due ones in (moment, case)
order with a dozen numpy steps on a few hundred values (~25 µs a ``full_reform`` day); :func:`split_due` does the
same split and the same stable sort (``np.lexsort``'s order: by moment, ties by case) in one pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .calls import Direct


@njit(cache=True)
def split_due(t, ids, t_end):
    """(Moments and cases due before ``t_end``, in (moment, case) order; the others, in queue order)."""
    n = t.shape[0]
    k = 0
    for i in range(n):
        if t[i] < t_end:
            k += 1
    t_due, id_due = np.empty(k), np.empty(k, np.int64)
    t_rest, id_rest = np.empty(n - k), np.empty(n - k, np.int64)
    a = b = 0
    for i in range(n):
        if t[i] < t_end:
            t_due[a], id_due[a] = t[i], ids[i]
            a += 1
        else:
            t_rest[b], id_rest[b] = t[i], ids[i]
            b += 1
    by_case = np.argsort(id_due, kind="mergesort")  # stable sorts: by case, then by moment (``np.lexsort``)
    t_due, id_due = t_due[by_case], id_due[by_case]
    by_moment = np.argsort(t_due, kind="mergesort")
    return t_due[by_moment], id_due[by_moment], t_rest, id_rest


split_due_call = Direct(split_due)
"""``split_due`` called without numba's type dispatch (``calls.Direct``)."""
