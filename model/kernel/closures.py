"""A day's closures in their owners' assessment counters in one pass (``feedback._count_closures``'s counts).

In numpy the counting is ~15 calls on arrays of the day's closures (gathers, masks, four ``bincount``s);
here one loop over them gives the same integer counts: per agent (townships first, then departments) its
cases and late ones, and per (department, township) cell a department's cases and its late or unresolved
ones, added to ``period_cases_dt``/``period_bad_dt`` cell by cell as numpy adds the ``bincount`` (every
cell, a count converted to a double: the same doubles). The bookings into the agents stay in Python;
``tests/test_day5_closures.py`` compares both.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .calls import Direct


@njit(cache=True)
def count_closures(ids, late, matter, delegated, township, resolved, owner, counts, lates, cases_dt, bad_dt):
    """``counts``/``lates`` (zeros, one per township then department) filled; ``cases_dt``/``bad_dt``
    (departments × townships) added to. Returns whether any closure was a department's."""
    n_d, n_t = cases_dt.shape
    cells = np.zeros((n_d, n_t), dtype=np.int64)
    bad = np.zeros((n_d, n_t), dtype=np.int64)
    any_dep = False
    for j in range(ids.shape[0]):
        cid = ids[j]
        o = owner[matter[cid]]
        t = township[cid]
        if delegated[cid] or o < 0:  # township-held
            a = t
        else:
            a = o + n_t
            any_dep = True
            cells[o, t] += 1
            if late[j] or not resolved[cid]:
                bad[o, t] += 1
        counts[a] += 1
        if late[j]:
            lates[a] += 1
    if any_dep:
        for o in range(n_d):
            for t in range(n_t):
                cases_dt[o, t] += cells[o, t]
                bad_dt[o, t] += bad[o, t]
    return any_dep


count_closures_call = Direct(count_closures)
"""``count_closures`` called without numba's type dispatch (``calls.Direct``)."""
