"""The day's new requests made in one kernel call (compiled engine): the twin of ``demand.draw``'s draws and
arithmetic.

``draw_all`` takes the draws from the model's generator (handed over as its addresses: ``rawrng``) in the
reference's order and sizes (each township's citizens' count, their requesters' uniforms, the enterprises'
count from their rates' sum in numpy's pairwise order, then every other uniform of the day in one run:
consecutive uniform draws give the same doubles; numba's ``Generator.poisson`` and ``random`` are numpy's),
and ``draw_rows`` makes the same requests from them with the same doubles: the citizens' requesters, the
enterprises' (inverse CDF on the cumulative request rates, summed sequentially as ``np.cumsum`` sums), the
matter types (``MatterSampler.draw``), the filing times, sorted stably, and the enquiries in filing order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..catalogue import CITIZEN, ENTERPRISE
from ..demand import STAGE_RATE
from ..params import HOURS_PER_DAY
from .calls import Direct
from .leaf import leaf
from .pairwise import tree_sum
from .rawrng import addresses, generator

_CITIZEN, _ENTERPRISE, _HOURS = int(CITIZEN), int(ENTERPRISE), float(HOURS_PER_DAY)  # plain: numba bakes them in
_STAGE_RATE = np.ascontiguousarray(STAGE_RATE, dtype=np.float64)


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


@njit(cache=True)
def draw_all(day, addrs, residents, rate_c, rate_e, stage, stage_rate, start, count, ent_town, tables, s, hours):
    """``demand.draw``'s draws and requests in one call, from the model's Generator (``rawrng``'s addresses), in
    its order: each township's citizens' count (``Poisson(residents × rate_c)``; none drawn when ``rate_c`` is
    0), their requesters' uniforms, the enterprises' count (``Poisson(Σ rate_e × stage_rate[stage])``, the sum in
    numpy's pairwise order; none drawn when the sum is 0), then every other uniform of the day in one run; the
    requests made from them by :func:`draw_rows`. Returns ``draw_rows``' tuple (empty arrays: no request)."""
    rng = generator(addrs)
    n_t = residents.shape[0]
    n_c = np.zeros(n_t, np.int64)
    if rate_c > 0:
        for t in range(n_t):
            n_c[t] = rng.poisson(residents[t] * rate_c)
    total_c = 0
    for t in range(n_t):
        total_c += n_c[t]
    u_c = np.empty(total_c)
    for i in range(total_c):
        u_c[i] = rng.random()
    rates = np.zeros(0)
    lam = 0.0
    if rate_e > 0:
        rates = np.empty(stage.shape[0])
        for i in range(stage.shape[0]):
            rates[i] = rate_e * stage_rate[stage[i]]
        lam = tree_sum(rates, 0, rates.shape[0], 0.0)
    total_e = rng.poisson(lam) if lam > 0 else 0
    n = total_c + total_e
    m = 2 * total_e + total_c + (2 * n if s > 0 else n) if n else 0
    u = np.empty(m)
    for i in range(m):
        u[i] = rng.random()
    return draw_rows(day, n_c, u_c, total_e, u, start, count, rates, lam, ent_town, tables, s, hours)


_k_draw_all = Direct(draw_all)  # called once a day: without numba's type dispatch (``calls``)


def draw_whole_day(day: int, rng, residents, rate_c: float, rate_e: float, stage, start, count, ent_town, tabs, s):
    """:func:`draw_all` for ``demand.draw`` (``tabs``: :func:`tables`): the day's requests as a tuple of
    ``demand.Requests``' arrays."""
    asc = np.ascontiguousarray
    return _k_draw_all(
        float(day),
        addresses(rng),
        asc(residents, dtype=np.float64),  # (counts: exact as doubles, as Python multiplies them)
        float(rate_c),
        float(rate_e),
        asc(stage, dtype=np.int8),
        _STAGE_RATE,
        asc(start, dtype=np.int64),
        asc(count, dtype=np.int64),
        asc(ent_town, dtype=np.int32),
        tabs,
        float(s),
        _HOURS,
    )


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
