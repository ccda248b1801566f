"""Delegated steps (强镇扩权, G3): the township's learning curve, rework and the owner's oversight."""

from __future__ import annotations

import math

from numba import njit

from .draws import draw_noise, draw_uniform
from .events import ev_push
from .layout import ARRIVE, CTR_NTASK, HF_DUTY_BACKLOG, PENDING, PF_C0, PF_LEARNING, PF_OVERSIGHT, PF_REWORK, STEP


@njit(cache=True)
def competence(pf, handled):
    """``delegation.competence``: a township's competence on a delegated matter after ``handled`` cases."""
    return 1.0 - (1.0 - pf[PF_C0]) * math.exp(-handled / pf[PF_LEARNING])


@njit(cache=True)
def delegated_done(task, h, cid, t, hf, tk, fl, cs, town_hid0, pf, rng, rb, evt, evi, ctr):
    """The township's delegated step finished: its learning curve, maybe rework (the step runs again, with the
    requester's trip), else the owner's oversight hours. Returns whether the step is redone."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    ub, eb, zb, ridx = rb
    redo = False
    # the township's delegated step: its learning curve, maybe rework, else the owner's oversight
    m = matter[cid]
    town = h - town_hid0
    comp = competence(pf, handled[town, m])
    handled[town, m] += 1
    if draw_uniform(rng, ub, ridx) < pf[PF_REWORK] * (1.0 - comp):
        redo = True
        reworks[cid] += 1
        if not online[cid]:  # the requester brings the corrected file to the township hall
            trips[cid] += 1
        stage = tk_stage[task]
        nz = draw_noise(pf, rng, eb, zb, ridx)
        new = ctr[CTR_NTASK]
        ctr[CTR_NTASK] = new + 1
        tk_case[new] = cid
        tk_h[new] = h
        tk_stage[new] = stage
        tk_state[new] = PENDING
        tk_noise[new] = nz
        tk_hours[new] = 0.0
        tk_arrival[new] = 0.0
        tk_kind[new] = STEP
        fl_task[fl_off[cid] + stage] = new
        fl_live[cid] += 1
        ev_push(evt, evi, ctr, t, ARRIVE, new, 0, 0)
    else:
        owner = cat_owner[m]
        if owner >= 0:  # oversight of the delegated power stays with the department
            hf[owner, HF_DUTY_BACKLOG] += pf[PF_OVERSIGHT]
    return redo
