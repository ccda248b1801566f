"""The day's new requests made in one kernel call (compiled engine): the twin of ``demand.draw``'s arithmetic.

``demand.draw`` takes its draws from the model's generator as the reference does (the citizens' counts,
their requesters' uniforms, the enterprises' count, then every other uniform of the day in one call:
consecutive uniform draws give the same doubles), and ``draw_rows`` makes the same requests from them
with the same doubles: the citizens' requesters, the enterprises' (inverse CDF on the cumulative request
rates, summed sequentially as ``np.cumsum`` sums), the matter types (``MatterSampler.draw``), the filing
times, sorted stably, and the enquiries in filing order. No generator is handed to the kernel: numba
unboxes one in ~3.5 µs a call (against ~0.15 µs an array; ``calls.Direct``, idle machine), and the
draws' sizes are known in Python before the call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..catalogue import CITIZEN, ENTERPRISE
from ..params import HOURS_PER_DAY
from .calls import Direct
from .leaf import leaf

_CITIZEN, _ENTERPRISE, _HOURS = int(CITIZEN), int(ENTERPRISE), float(HOURS_PER_DAY)  # plain: numba bakes them in


@leaf
def _right(cum, u):
    """``cum.searchsorted(u, side="right")``: the first index whose value exceeds ``u``."""
    lo, hi = 0, cum.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if cum[mid] <= u:
            lo = mid + 1
        else:
            hi = mid
    return lo


@leaf
def _matters(u, cum, ids, out, at):
    """``MatterSampler.draw`` from the uniforms ``u`` into ``out[at:]``."""
    last = ids.shape[0] - 1
    for i in range(u.shape[0]):
        out[at + i] = ids[min(_right(cum, u[i]), last)]


@njit(cache=True)
def draw_rows(day, n_c, u_c, total_e, u, start, count, rates, lam, ent_town, tables, s, hours):
    """One day's requests as ``demand.draw`` makes them from its draws: (kind, requester, township, matter,
    time, enquiry), sorted by filing time. ``n_c``: the citizens' requests in each township; ``u_c``: their
    requesters' uniforms; ``total_e``: the enterprises' requests; ``u``: the uniforms drawn after it, in
    ``demand.draw``'s order (the enterprises', the citizens' matters', the enterprises' matters', the filing
    times', then, when ``s`` > 0, the enquiries'); ``start``, ``count``: each township's first Citizen agent
    and their number; ``rates``: each enterprise's request rate a day, ``lam`` their sum; ``ent_town``:
    each enterprise's township; ``tables``: the sampler's cumulative weights and matter ids, citizens' then
    enterprises' (``tables``); ``s``: the enquiry share; ``hours``: a working day's hours; ``day``: the day
    (float)."""
    cum_c, ids_c, cum_e, ids_e = tables
    total_c = u_c.shape[0]
    n = total_c + total_e
    kind = np.empty(n, np.int8)
    requester = np.empty(n, np.int64)
    town = np.empty(n, np.int32)
    matter = np.empty(n, np.int32)
    i = 0
    for t in range(n_c.shape[0]):
        for _ in range(n_c[t]):
            kind[i] = _CITIZEN
            town[i] = t
            requester[i] = start[t] + np.int64(math.floor(u_c[i] * count[t]))
            i += 1
    if total_e:
        cum = np.cumsum(rates) / lam
        last = rates.shape[0] - 1
        for k in range(total_e):
            e = min(_right(cum, u[k]), last)
            kind[total_c + k] = _ENTERPRISE
            requester[total_c + k] = e
            town[total_c + k] = ent_town[e]
    j = total_e
    _matters(u[j : j + total_c], cum_c, ids_c, matter, 0)
    j += total_c
    _matters(u[j : j + total_e], cum_e, ids_e, matter, total_c)
    j += total_e
    time = (day + u[j : j + n]) * hours
    order = np.argsort(time, kind="mergesort")  # stable: any stable sort gives this order
    enquiry = np.zeros(n, np.bool_)
    if s > 0:
        j += n
        for i in range(n):
            enquiry[i] = u[j + order[i]] < s
    return kind[order], requester[order], town[order], matter[order], time[order], enquiry


_k_draw = Direct(draw_rows)  # called once a day: without numba's type dispatch (``calls``)


def tables(sampler) -> tuple:
    """The sampler's cumulative weights and matter ids, citizens' then enterprises', as ``draw_rows`` takes
    them (made once, by the compiled engine: ``MatterSampler.kernel_tables``)."""
    return tuple(
        np.ascontiguousarray(a, dtype=d)
        for a, d in (
            (sampler.cum[_CITIZEN], np.float64),
            (sampler.ids[_CITIZEN], np.int64),
            (sampler.cum[_ENTERPRISE], np.float64),
            (sampler.ids[_ENTERPRISE], np.int64),
        )
    )


def draw_day(day: int, n_c, u_c, total_e: int, u, start, count, rates, lam: float, ent_town, tabs, s: float):
    """``draw_rows`` for ``demand.draw`` (its arrays in the kernel's dtypes; ``tabs``: ``tables``): the day's
    requests as a tuple of ``demand.Requests``' arrays."""
    return _k_draw(
        float(day),
        np.ascontiguousarray(n_c, dtype=np.int64),
        np.ascontiguousarray(u_c, dtype=np.float64),
        int(total_e),
        np.ascontiguousarray(u, dtype=np.float64),
        np.ascontiguousarray(start, dtype=np.int64),
        np.ascontiguousarray(count, dtype=np.int64),
        np.ascontiguousarray(rates, dtype=np.float64),
        float(lam),
        np.ascontiguousarray(ent_town, dtype=np.int32),
        tabs,
        float(s),
        _HOURS,
    )
