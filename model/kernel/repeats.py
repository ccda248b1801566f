"""The repeat contacts due today gathered for intake in one kernel call (compiled engine).

``resolution.return_repeats`` reads each returning case's requester, township, matter (an enquiry's subject;
a dispute once mediated comes back as a general one), onset and chain, and its filing time (its due hour or the
day's start), with a dozen numpy steps on a few dozen cases; :func:`repeat_rows` reads them in one pass, the
same values in the same dtypes (the compiled engine's ``k_repeats``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def repeat_rows(ids, due, day_start, cols, mediation, general):
    """(requester kind, requester, township, matter, filing hours, onset, chain's first case, enquiry) of the
    returning cases ``ids`` due at ``due`` (hours; filed at the day's start ``day_start`` when due before it).
    ``cols``: the case table's requester kind, requester, township, matter, subject, enquiry, onset and
    repeat-of columns; ``mediation``, ``general``: the mediated and the general dispute's matter types."""
    kind_c, requester_c, township_c, matter_c, subject_c, enquiry_c, onset_c, repeat_c = cols
    n = ids.shape[0]
    kind = np.empty(n, np.int8)
    requester = np.empty(n, np.int64)
    township = np.empty(n, np.int32)
    matter = np.empty(n, np.int32)
    t = np.empty(n)
    onset = np.empty(n)
    root = np.empty(n, np.int64)
    enquiry = np.empty(n, np.bool_)
    for i in range(n):
        c = ids[i]
        kind[i], requester[i], township[i] = kind_c[c], requester_c[c], township_c[c]
        m = subject_c[c] if enquiry_c[c] else matter_c[c]  # an enquiry is asked about its subject again
        matter[i] = general if m == mediation else m
        t[i] = max(due[i], day_start)
        onset[i] = onset_c[c]
        root[i] = repeat_c[c] if repeat_c[c] >= 0 else c
        enquiry[i] = enquiry_c[c]
    return kind, requester, township, matter, t, onset, root, enquiry
