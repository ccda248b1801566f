"""``openset.refresh`` in one kernel call (compiled engine): the day's open cases' lateness, open hours and the
cases still open, with the reference's doubles (``np.fmin``, ``np.maximum`` as scalar branches, the hours summed
in numpy's pairwise order: ``pairwise``)."""

from __future__ import annotations

from numba import njit

from .calls import Direct
from .pairwise import tree_sum


@njit(cache=True)
def refresh_open(ids, lo, hi, closed, created, deadline, overdue, t0, t1, hours, keep):
    """For the cases ``ids`` then ``lo … hi − 1`` (the day's new rows, in that order: open at some moment of the day
    ``t0``–``t1``): mark overdue those whose deadline fell before ``t1`` while open (``escalation.mark_overdue``),
    write each one's open hours of the day into ``hours`` and those still open into ``keep`` (in order). Returns
    (the hours' sum, numpy's double; the count kept)."""
    k = 0
    n = ids.shape[0]
    for i in range(n + hi - lo):
        cid = ids[i] if i < n else lo + i - n
        c = closed[cid]
        d = deadline[cid]
        if d < t1 and not c <= d:  # NaN (still open) compares False: late
            overdue[cid] = True
        end = t1 if (c != c or c > t1) else c  # np.fmin(closed, t1): an open case's NaN gives t1
        s = created[cid]
        start = s if (s != s or s > t0) else t0  # np.maximum(created, t0): a NaN stays NaN
        x = end - start
        hours[i] = x if (x != x or x > 0.0) else 0.0  # np.maximum(x, 0.0)
        if c != c:
            keep[k] = cid
            k += 1
    return tree_sum(hours, 0, n + hi - lo, 0.0), k


refresh_open_call = Direct(refresh_open)
"""``refresh_open`` called without numba's type dispatch (``calls.Direct``)."""
