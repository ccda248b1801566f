"""Referral: a file forwarded by township clerks, the platform's dispatchers or commissioners."""

from __future__ import annotations

import math

from numba import njit

from .draws import draw_uniform
from .events import ev_push
from .flows import begin
from .layout import (
    COMMISSIONER,
    COURIER,
    FIRST,
    FORWARD,
    HI_KIND,
    HOURS,
    PF_COURIER_DAYS,
    PF_MISROUTE,
    PF_N_DEPTS,
    PF_ONLINE_DISPATCH,
    SECOND,
    TOWN,
)
from .tasks import new_task


@njit(cache=True)
def next_courier(pf, t, paper):
    """``referral.next_courier``: when a file sent at ``t`` reaches the seat (the next courier run on paper)."""
    interval = pf[PF_COURIER_DAYS]
    if not paper or interval <= 0:
        return t
    step = interval * HOURS
    return (math.floor(t / step + 1e-12) + 1) * step


@njit(cache=True)
def forwarded(task, h, cid, t, hi, tk, fl, cs, intake, pf, rng, rb, evt, evi, ctr, esc, hf):
    """``referral.finished``: a forwarding task done, the file goes on (maybe to the wrong department first):
    the commissioner's errand begins the case, a clerk sends it by courier."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    town_hid0, desk1, desk2, dispatch, _deps, _n, cs_in = intake
    ub, eb, zb, ridx = rb
    if fl_open[cid]:
        hk = hi[h, HI_KIND]
        if tk_stage[task] == FIRST:
            hop_clerk[cid] = t - created[cid]
            if hk == COMMISSIONER:
                if referred[cid]:  # filed with the township, which refers it up: forwarded in turn
                    fh = dispatch if pf[PF_ONLINE_DISPATCH] != 0 else town_hid0 + township[cid]
                    fl_aux[cid] = new_task(tk, ctr, cid, fh, FORWARD, FIRST, t, evt, evi)
                else:
                    begin(cid, t, desk1, desk2, cs_in, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf)
            else:
                arrive = next_courier(pf, t, hk == TOWN)  # sent on paper by its clerks
                hop_courier[cid] = arrive - t
                wrong = -1
                if pf[PF_MISROUTE] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_MISROUTE]:
                    misrouted[cid] = True
                    n_dep = int(pf[PF_N_DEPTS])
                    if n_dep >= 2:  # referral._wrong_department
                        right = fl_steps[fl_off[cid]] if fl_n[cid] > 0 else -1
                        wrong = min(int(draw_uniform(rng, ub, ridx) * (n_dep - 1)), n_dep - 2)
                        if wrong >= right and right >= 0:
                            wrong += 1
                if wrong >= 0:
                    fl_aux[cid] = new_task(tk, ctr, cid, wrong, FORWARD, SECOND, arrive, evt, evi)
                else:
                    ev_push(evt, evi, ctr, arrive, COURIER, cid, 0, 0)
        else:
            arrive = next_courier(pf, t, pf[PF_ONLINE_DISPATCH] == 0)
            ev_push(evt, evi, ctr, arrive, COURIER, cid, 0, 0)
