"""A case's step finished: rework, the case closed, or its next step released."""

from __future__ import annotations

from numba import njit

from .closing import close_case
from .delegated import delegated_done
from .layout import CTR_NREF, HI_KIND, PF_ONE_STOP, PF_TRAVEL, TOWN
from .tasks import release_steps


@njit(cache=True)
def step_finished(task, h, cid, t, hf, hi, tk, fl, cs, town_hid0, travel_hours, pf, rng, rb, logs, evt, evi, ctr, esc):
    """``handling.on_finish`` for a case's step: a delegated step's learning and rework, then the case closes,
    or its next step is released (the requester running between departments when offline at the seat).
    Returns False when the case closed with steps still live (``ctr[CTR_STATUS]`` set)."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    ub, eb, zb, ridx = rb
    closed_log, ref_from, ref_to, rep_due, rep_cid, acc = logs
    offline_runs = at_seat[cid] and pf[PF_ONE_STOP] == 0.0
    redo = False
    if hi[h, HI_KIND] == TOWN and delegated[cid] and tk_stage[task] == 0:
        redo = delegated_done(task, h, cid, t, hf, tk, fl, cs, town_hid0, pf, rng, rb, evt, evi, ctr)
    if not redo:
        outstanding[cid] -= 1
    if redo:
        pass  # reworked: the step runs again
    elif outstanding[cid] <= 0:
        if not close_case(cid, t, hi, tk, fl, cs, pf, rng, rb, logs, ctr, esc):
            return False
    elif fl_next[cid] < fl_n[cid] and fl_live[cid] == 0:
        i = fl_next[cid]
        nxt = fl_steps[fl_off[cid] + i]
        j = ctr[CTR_NREF]
        ref_from[j] = h
        ref_to[j] = nxt
        ctr[CTR_NREF] = j + 1
        delay = 0.0
        if offline_runs:
            trips[cid] += 1
            seat_trips[cid] += 1
            travel[cid] += 2.0 * travel_hours[township[cid]]
            delay = pf[PF_TRAVEL]
        release_steps(cid, t + delay, False, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)
    return True
