"""The departments' duty-task draws of a day in one call (``dumping.draw_tasks`` for every department).

In Python each department's day is up to five calls into numpy's generator (its tasks, how many it
dumps, how many are off the list and bounced, the dumped ones' townships), ~1 µs each, twenty
departments a day whatever the demand. Here the same draws come from the model's generator in the same
order and sizes (numba calls numpy's bit generator with numpy's algorithms for ``poisson``, ``binomial``
and ``random``): per department, in the departments' order, ``Poisson(mean)`` tasks, ``Binomial(tasks,
p_d)`` dumped when it has tasks, with a responsibility list and dumped tasks ``Binomial(dumped, off)`` off
the list and ``Binomial(off_list, enforcement)`` bounced when some are off it, then one uniform per dumped
task looked up in the townships' cumulative table as ``demand.choose`` does (``searchsorted``, side
right). The bookkeeping stays in Python (``dumping.departments_day``); ``tests/test_day5_duties.py``
compares both.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .calls import Direct
from .demand import _right
from .rawrng import generator


@njit(cache=True)
def draw_duties(rng_addresses, mean_tasks, probs, listed, off_share, enforcement, cdf, counts):
    """Each department's (tasks, dumped, bounced) into ``counts`` (one row per department of ``probs``, its
    dump probability); returns the dumped tasks' townships, one department's after the other's.
    ``rng_addresses``: the model's Generator (``rawrng.addresses``: no Generator unboxed at each call)."""
    rng = generator(rng_addresses)
    dest = np.empty(16, dtype=np.int64)
    k = 0
    for d in range(probs.shape[0]):
        tasks = rng.poisson(mean_tasks)
        dumped = rng.binomial(tasks, probs[d]) if tasks else 0
        bounced = 0
        if listed and dumped:
            off_list = rng.binomial(dumped, off_share)
            bounced = rng.binomial(off_list, enforcement) if off_list else 0
        counts[d, 0] = tasks
        counts[d, 1] = dumped
        counts[d, 2] = bounced
        if k + dumped > dest.shape[0]:
            grown = np.empty(2 * (k + dumped), dtype=np.int64)
            grown[:k] = dest[:k]
            dest = grown
        for _ in range(dumped):
            dest[k] = _right(cdf, rng.random())  # ``demand.choose``'s ``searchsorted(u, side="right")``
            k += 1
    return dest[:k]


draw_duties_call = Direct(draw_duties)
"""``draw_duties`` called without numba's type dispatch (``calls.Direct``)."""
