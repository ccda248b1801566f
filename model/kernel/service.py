"""A server takes its next task: the task's clock hours, the handler's hour accounts, its finish event."""

from __future__ import annotations

import math

from numba import njit

from .delegated import competence
from .events import ev_push
from .layout import (
    BUSY,
    COMMISSIONER,
    COORD,
    DEPT,
    DISPATCH,
    FINISH,
    FORWARD,
    HF_EFFORT,
    HF_FRACTION,
    HF_OVERTIME,
    HF_WORKED_TODAY,
    HF_WORKED_TOTAL,
    HI_IDLE_N,
    HI_KIND,
    HI_S0,
    HI_SERVED,
    IDLE,
    PF_COORD1,
    PF_COORD2,
    PF_DISPATCH_H,
    PF_ERRAND_H,
    PF_FORWARD_H,
    PF_SITE,
    RUNNING,
    SECOND,
    TOWN,
)
from .queues import q_pop, urgent
from .servers import finish_time


@njit(cache=True)
def service_hours(task, h, now, hf, hi, tk, fl, cs, town_hid0, cat_hours, pf, esc):
    """The clock hours of a task a server starts at ``now``: a coordination's or a forwarding's fixed hours,
    or a step's (``handling.service_hours``: the work fraction of its needed hours at the handler's speed, a
    department's overtime), with the case's work log."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    if tk_kind[task] == COORD:  # a coordination's hours (model.coordination_hours)
        clock = pf[PF_COORD1] if tk_stage[task] == 1 else pf[PF_COORD2]
    elif tk_kind[task] == FORWARD:  # referral.hours
        hk = hi[h, HI_KIND]
        if tk_stage[task] == SECOND:
            clock = pf[PF_FORWARD_H]
        elif hk == DISPATCH:
            clock = pf[PF_DISPATCH_H]
        elif hk == COMMISSIONER:
            clock = pf[PF_ERRAND_H]
        else:
            clock = pf[PF_FORWARD_H]
    else:
        # handling.service_hours: the work fraction of the step's needed hours at the handler's speed
        cid = tk_case[task]
        if math.isnan(started[cid]):
            started[cid] = now
        need = cat_hours[matter[cid]] * tk_noise[task]
        if urgent(task, tk, hi, esc):  # the department's on-site hours of a whistled case (workload)
            need += pf[PF_SITE]
        done = hf[h, HF_FRACTION] * need
        hk = hi[h, HI_KIND]
        if hk == DEPT:
            e = hf[h, HF_EFFORT]
            if e == 1.0:
                clock = done
            else:
                clock = done / e
                hf[h, HF_OVERTIME] += max(done - clock, 0.0)
        else:
            speed = 1.0  # a township's competence on its delegated step (workload.speed)
            if hk == TOWN and tk_stage[task] == 0 and delegated[cid]:
                speed = competence(pf, handled[h - town_hid0, matter[cid]])
            clock = done / speed
        if cw_has[cid]:
            cw_need[cid] += need
            cw_done[cid] += done
        else:
            cw_need[cid] = need
            cw_done[cid] = done
            cw_has[cid] = True
        cw_start[cid] = now  # the latest step's start and clock hours (gaming's projection)
        cw_clock[cid] = clock
    return clock


@njit(cache=True)
def serve(h, k, now, hf, hi, srv, tk, fl, cs, town_hid0, cat_hours, pf, evt, evi, ctr, hq, ent, esc):
    """``Engine._serve``: server ``k`` of handler ``h`` takes its queue's next task (else joins the idle list;
    a part-time server last) and is busy until it finishes."""
    s_status, s_token, s_free, s_pend, s_base, s_idle = srv
    tk_state, tk_hours = tk[3], tk[6]
    s = hi[h, HI_S0] + k
    task = q_pop(hq, hi, ent, tk, h)
    if task < 0:
        s_status[s] = IDLE
        s_free[s] = now
        s0 = hi[h, HI_S0]
        m = hi[h, HI_IDLE_N]
        if s_base[s] > 0:  # the part-time server is the last choice for new work
            for j in range(m, 0, -1):
                s_idle[s0 + j] = s_idle[s0 + j - 1]
            s_idle[s0] = k
        else:
            s_idle[s0 + m] = k
        hi[h, HI_IDLE_N] = m + 1
        return
    tk_state[task] = RUNNING
    clock = service_hours(task, h, now, hf, hi, tk, fl, cs, town_hid0, cat_hours, pf, esc)
    tk_hours[task] = clock
    hi[h, HI_SERVED] += 1
    hf[h, HF_WORKED_TODAY] += clock
    hf[h, HF_WORKED_TOTAL] += clock
    s_status[s] = BUSY
    end = finish_time(now, clock, s_base[s])
    s_free[s] = end
    ev_push(evt, evi, ctr, end, FINISH, task, k, 0)
