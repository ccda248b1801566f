"""The kernel's random draws: the model's buffered stream (``RandomStream``), same buffers and refills.

A buffer is refilled draw by draw (``rng.random()`` into each place: the same doubles, in the same order, as
the array call ``rng.random(n)`` that numpy and the stream make, checked on 3.3 million draws of each kind),
so that a refill allocates nothing and the draws, and the helpers that call them, are ``leaf`` functions."""

from __future__ import annotations

import math

from .layout import DIST_EXPONENTIAL, DIST_LOGNORMAL, PF_DIST, PF_SIGMA
from .leaf import leaf


@leaf
def draw_uniform(rng, ub, ridx):
    if ridx[0] >= ub.shape[0]:
        for i in range(ub.shape[0]):
            ub[i] = rng.random()
        ridx[0] = 0
    ridx[0] += 1
    return ub[ridx[0] - 1]


@leaf
def draw_exponential(rng, eb, ridx):
    if ridx[1] >= eb.shape[0]:
        for i in range(eb.shape[0]):
            eb[i] = rng.standard_exponential()
        ridx[1] = 0
    ridx[1] += 1
    return eb[ridx[1] - 1]


@leaf
def draw_normal(rng, zb, ridx):
    if ridx[2] >= zb.shape[0]:
        for i in range(zb.shape[0]):
            zb[i] = rng.standard_normal()
        ridx[2] = 0
    ridx[2] += 1
    return zb[ridx[2] - 1]


@leaf
def draw_noise(pf, rng, eb, zb, ridx):
    """The work-hours multiplier of a step (``handling.noise``)."""
    dist = pf[PF_DIST]
    if dist == DIST_EXPONENTIAL:
        return draw_exponential(rng, eb, ridx)
    if dist == DIST_LOGNORMAL:
        s = pf[PF_SIGMA]
        if s > 0:
            return math.exp(s * draw_normal(rng, zb, ridx) - 0.5 * s * s)
        return 1.0
    return 1.0
