"""Closing a case: the work share, the resolution draw, call-backs and repeat contacts."""

from __future__ import annotations

import math

from numba import njit

from .coordination import withdraw_coord
from .delegated import competence
from .draws import draw_exponential, draw_uniform
from .layout import (
    CTR_NCLOSED,
    CTR_NREP,
    CTR_OPEN,
    CTR_STATUS,
    CTR_UNRELEASED,
    E_LIVE_AT_CLOSE,
    HOURS,
    PF_CALLBACK,
    PF_DISPUTE_HOURS,
    PF_LOCAL_MEDIATION,
    PF_MEDIATION_ID,
    PF_REPEAT,
    PF_REPEAT_DAYS,
    PF_RES_BASE,
    PF_REWORK,
    PF_THETA,
)


@njit(cache=True)
def close_case(cid, t, hi, tk, fl, cs, pf, rng, rb, logs, ctr, esc):
    """``handling.close`` and ``resolution.on_close`` (not gamed): the work share, the resolution draw (a dispute
    in local mediation settled by the mediators' hours), call-backs, repeat contacts, the coordination requests
    withdrawn. Returns False when the case closed with steps still live (``ctr[CTR_STATUS]`` set)."""
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    ub, eb, zb, ridx = rb
    closed_log, ref_from, ref_to, rep_due, rep_cid, acc = logs
    closed[cid] = t
    done = 1.0
    worked = 0.0
    if cw_has[cid]:
        worked = cw_done[cid]
        if cw_need[cid] > 0:
            done = min(cw_done[cid] / cw_need[cid], 1.0)
        cw_has[cid] = False
    work_share[cid] = done
    if matter[cid] == pf[PF_MEDIATION_ID]:
        # a dispute in local mediation: settled more often the more hours the mediators spent
        # (the township's work on it and a grid worker's, resolution.mediation_success)
        mediated = worked + grid_hours[cid]
        p_res = pf[PF_LOCAL_MEDIATION] * (1.0 - math.exp(-max(mediated, 0.0) / pf[PF_DISPUTE_HOURS]))
    else:
        comp = 1.0  # a delegated case: the township's competence now (resolution)
        if delegated[cid]:
            m = matter[cid]
            comp = 1.0 - pf[PF_REWORK] * (1.0 - competence(pf, handled[township[cid], m]))
        scale = max(done, 0.0) ** pf[PF_THETA] if done < 1 else 1.0
        p_res = pf[PF_RES_BASE] * comp * scale
    res = draw_uniform(rng, ub, ridx) < p_res
    resolved[cid] = res
    if pf[PF_CALLBACK] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_CALLBACK]:
        called_back[cid] = True
    if not res and pf[PF_REPEAT] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_REPEAT]:
        j = ctr[CTR_NREP]
        rep_due[j] = t + draw_exponential(rng, eb, ridx) * pf[PF_REPEAT_DAYS] * HOURS
        rep_cid[j] = cid
        ctr[CTR_NREP] = j + 1
    closed_log[ctr[CTR_NCLOSED]] = cid
    ctr[CTR_NCLOSED] += 1
    fl_open[cid] = False
    ctr[CTR_OPEN] -= 1
    withdraw_coord(cid, hi, tk, fl, esc)  # handling.close: its coordination requests withdrawn
    ctr[CTR_UNRELEASED] -= fl_n[cid] - fl_next[cid]
    if fl_live[cid] > 0:
        ctr[CTR_STATUS] = E_LIVE_AT_CLOSE
        return False
    return True
