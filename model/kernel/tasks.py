"""New tasks: a case's steps released (drawn now), a coordination or a forwarding task."""

from __future__ import annotations

from numba import njit

from .draws import draw_noise
from .events import ev_push
from .layout import ARRIVE, CTR_NTASK, CTR_STATUS, CTR_UNRELEASED, E_TASKS_FULL, PENDING, STEP
from .leaf import leaf


@njit(cache=True)
def release_steps(cid, t, every, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr):
    """``handling._release`` (``release_all`` when ``every``): the case's next step (all its steps not yet
    released) as new tasks arriving at ``t``, each drawn now. The caller made room in the heap."""
    tk_case, tk_h, tk_stage, tk_state = tk[0], tk[1], tk[2], tk[3]
    tk_noise, tk_hours, tk_arrival, tk_kind = tk[5], tk[6], tk[7], tk[8]
    fl_off, fl_n, fl_next, fl_live, fl_steps, fl_task = fl[0], fl[1], fl[2], fl[3], fl[5], fl[9]
    while fl_next[cid] < fl_n[cid]:
        i = fl_next[cid]
        nz = draw_noise(pf, rng, eb, zb, ridx)
        new = ctr[CTR_NTASK]
        if new >= tk_case.shape[0]:
            ctr[CTR_STATUS] = E_TASKS_FULL
            return
        ctr[CTR_NTASK] = new + 1
        tk_case[new] = cid
        tk_h[new] = fl_steps[fl_off[cid] + i]
        tk_stage[new] = i
        tk_state[new] = PENDING
        tk_noise[new] = nz
        tk_hours[new] = 0.0
        tk_arrival[new] = 0.0
        tk_kind[new] = STEP
        fl_task[fl_off[cid] + i] = new
        fl_next[cid] = i + 1
        fl_live[cid] += 1
        ctr[CTR_UNRELEASED] -= 1
        ev_push(evt, evi, ctr, t, ARRIVE, new, 0, 0)
        if not every:
            return


@leaf
def new_task(tk, ctr, cid, h, kind, stage, t, evt, evi):
    """A task of ``kind`` for handler ``h`` arriving at ``t`` (no draw: a coordination or a forwarding); returns
    its id (-1: the task arrays were full)."""
    tk_case, tk_h, tk_stage, tk_state = tk[0], tk[1], tk[2], tk[3]
    tk_noise, tk_hours, tk_arrival, tk_kind = tk[5], tk[6], tk[7], tk[8]
    new = ctr[CTR_NTASK]
    if new >= tk_case.shape[0]:
        ctr[CTR_STATUS] = E_TASKS_FULL
        return -1
    ctr[CTR_NTASK] = new + 1
    tk_case[new] = cid
    tk_h[new] = h
    tk_stage[new] = stage
    tk_state[new] = PENDING
    tk_noise[new] = 1.0
    tk_hours[new] = 0.0
    tk_arrival[new] = 0.0
    tk_kind[new] = kind
    ev_push(evt, evi, ctr, t, ARRIVE, new, 0, 0)
    return new
