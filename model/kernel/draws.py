"""The kernel's random draws: the model's buffered stream (``RandomStream``), same buffers and refills."""

from __future__ import annotations

import math

from numba import njit

from .layout import DIST_EXPONENTIAL, DIST_LOGNORMAL, PF_DIST, PF_SIGMA


@njit(cache=True)
def draw_uniform(rng, ub, ridx):
    if ridx[0] >= ub.shape[0]:
        ub[:] = rng.random(ub.shape[0])
        ridx[0] = 0
    ridx[0] += 1
    return ub[ridx[0] - 1]


@njit(cache=True)
def draw_exponential(rng, eb, ridx):
    if ridx[1] >= eb.shape[0]:
        eb[:] = rng.standard_exponential(eb.shape[0])
        ridx[1] = 0
    ridx[1] += 1
    return eb[ridx[1] - 1]


@njit(cache=True)
def draw_normal(rng, zb, ridx):
    if ridx[2] >= zb.shape[0]:
        zb[:] = rng.standard_normal(zb.shape[0])
        ridx[2] = 0
    ridx[2] += 1
    return zb[ridx[2] - 1]


@njit(cache=True)
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
