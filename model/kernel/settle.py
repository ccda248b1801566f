"""Start settled, compiled: one township's requesters replayed to their horizon (``settle._replay``).

The replay is a loop of up to ``50 × K`` judgement rounds over a few hundred requesters; in numpy each
round is ~15 calls on tiny arrays, so the settling rounds at the end of the warm-up cost ~0.2 CPU-s of a
county-year. Here the same loop runs element by element with the same draws from the model's generator,
in the same order and sizes (numba calls numpy's bit generator with numpy's algorithms): the channels'
uniforms, the judgements' indices per (channel, contact kind) in ``settle._KEYS`` order, then both gaps'
exponentials. The one difference from the reference: the logistic's ``exp`` is the C library's here and
numpy's there; they may differ in the last bit, which changes a channel only when a uniform falls within
that bit of the probability (~10⁻¹⁶ a draw). ``tests/test_settle_kernel.py`` compares both.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .calls import Direct


@njit(cache=True)
def replay(rng, s_case, pending, vals, starts, codes, rate, horizon, k_updates, alpha, delay, coefs):
    """(satisfaction, online memory, offline memory) per requester after replaying its judgements.

    ``vals``: the pools' judgement indices one after the other, in the order their draws are taken
    (``settle._KEYS``), pool ``j`` being ``vals[starts[j]:starts[j + 1]]`` and ``codes[j]`` its (online +
    2 × coming back). ``rate``, ``horizon``: per requester (per day, days). ``coefs``: the online share,
    its logit, the experience slope and the starting satisfaction.

    Over 60 lines: one round's steps (channels, judgements per pool, updates and gaps) share the round's
    arrays and must draw in the reference's order; split, each part would hand them back and forth."""
    share, logit, slope, start = coefs[0], coefs[1], coefs[2], coefs[3]
    logistic = 0.0 < share < 1.0
    n = rate.shape[0]
    s = np.full(n, start)
    a = s.copy()
    b = s.copy()
    inv_rate = 1.0 / rate
    clock = inv_rate * rng.standard_exponential(n)
    back = np.zeros(n, np.bool_)
    live = np.flatnonzero(clock < horizon)
    for _ in range(50 * k_updates):
        m = live.shape[0]
        if m == 0:
            break
        u = rng.random(m)
        on = np.empty(m, np.bool_)
        code = np.empty(m, np.int64)
        for i in range(m):
            r = live[i]
            if logistic:
                p = 1.0 / (1.0 + math.exp(-(logit + slope * (a[r] - b[r]))))
            else:
                p = share
            on[i] = u[i] < p
            code[i] = (1 if on[i] else 0) + (2 if back[r] else 0)
        pick = np.zeros(m, np.int64)
        for j in range(codes.shape[0]):
            k = codes[j]
            cnt = 0
            for i in range(m):
                if code[i] == k:
                    cnt += 1
            if cnt:
                lo = starts[j]
                drawn = rng.integers(0, starts[j + 1] - lo, cnt)
                c = 0
                for i in range(m):
                    if code[i] == k:
                        pick[i] = vals[lo + drawn[c]]
                        c += 1
        g_back = rng.standard_exponential(m)  # the reference draws both gaps for every requester
        g_fresh = rng.standard_exponential(m)
        kept = 0
        for i in range(m):
            r = live[i]
            x = s_case[pick[i]]
            s[r] = s[r] + alpha * (x - s[r])
            if on[i]:
                a[r] = a[r] + alpha * (x - a[r])
            else:
                b[r] = b[r] + alpha * (x - b[r])
            pend = pending[pick[i]]
            gap = delay * g_back[i] if pend else inv_rate[r] * g_fresh[i]
            clock[r] = clock[r] + gap
            back[r] = pend
            if clock[r] < horizon[r]:
                live[kept] = r
                kept += 1
        live = live[:kept]
    return s, a, b


replay_call = Direct(replay)  # ~80 calls a default county's construction: without numba's type dispatch (``calls``)
