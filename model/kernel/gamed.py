"""A gamed closure on the compiled engine's tables, inside the day's gaming decisions (``projection.decide_run``).

``handling.close(model, cid, t, gamed=True)`` step for step where it is array bookkeeping: the case's close
time and outcome columns, ``resolution.on_close``'s draws for a gamed case (the call-back and, never
resolved, the repeat contact, from the model's stream in the reference's order) with the call-back desk's
budget (``callback.take``), its owner's gamed and caught counts, and ``handling.close``'s withdrawal
(:func:`withdraw`: its released steps and its forwarding or coordination requests cancelled, its flow
closed). What is Python's state is left to the caller, in close order: the case's entry in
``model.closed_today``, its grid mediation and work log dropped, its repeat contact pushed on
``model.repeat_queue``, the handlers' ``open_tasks`` and the owners' counts written back. Times in working
hours.
"""

from __future__ import annotations

from numba import njit

from .callback import take_call
from .draws import draw_exponential, draw_uniform
from .layout import (
    CANCELLED,
    CTR_OPEN,
    CTR_UNRELEASED,
    HI_OPEN,
    HOURS,
    PENDING,
    PF_CALLBACK,
    PF_REPEAT,
    PF_REPEAT_DAYS,
    WAITING,
)


@njit(cache=True)
def owner_net(k, own, weights):
    """``gaming.net_of`` of owner row ``k`` (the same double operations in the same order). ``own`` per owner:
    its rank, gamed and caught counts (whole numbers, as doubles) and a column for its net gain; ``weights``:
    ontime_weight, ranking_pressure, detection_prior_strength, detection_prior, callback_penalty."""
    net = weights[0] * (1.0 + weights[1] * own[k, 0])
    net -= (weights[2] * weights[3] + own[k, 2]) / (weights[2] + own[k, 1]) * weights[4]
    return net


@njit(cache=True)
def close_gamed(cid, t, k, cols, own, pf, draws, rep, cnt, withdrawing):
    """Close the open case ``cid`` at ``t`` without solving it, its owner row ``k`` of ``own`` (see
    :func:`owner_net` and the module docstring).

    ``cols``: the case table's closed, work_share, resolved, gamed, called_back, outstanding and matter columns
    and the catalogue's departments per matter; ``rep``: the repeat contacts' (due hours, case) logs, ``cnt[1]``
    their count; ``draws``: the stream's generator, uniform and exponential buffers and positions;
    ``withdrawing``: what :func:`withdraw` takes."""
    rng, ub, eb, ridx = draws
    closed, work_share, resolved, gamed, called_back, outstanding, matter, cat_n = cols
    closed[cid] = t
    # resolution.on_close, gamed: the share of its steps finished, never resolved, counted against its owner
    n = max(cat_n[matter[cid]], 1)
    work_share[cid] = max(0.0, (n - outstanding[cid]) / n)
    resolved[cid] = False
    gamed[cid] = True
    own[k, 1] += 1.0
    if pf[PF_CALLBACK] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_CALLBACK]:
        if take_call(t, pf):  # made if the call-back desk has the minutes left today
            called_back[cid] = True
            own[k, 2] += 1.0
    if pf[PF_REPEAT] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_REPEAT]:
        j = cnt[1]
        rep[0][j] = t + draw_exponential(rng, eb, ridx) * pf[PF_REPEAT_DAYS] * HOURS
        rep[1][j] = cid
        cnt[1] = j + 1
    fl, fl_task, fl_c, tk, hi, ctr, opened = withdrawing
    withdraw(cid, fl, fl_task, fl_c, tk, hi, ctr, opened)


@njit(cache=True)
def withdraw(cid, fl, fl_task, fl_c, tk, hi, ctr, opened):
    """``handling.close``'s withdrawal: the case's released steps, then its forwarding or coordination requests,
    cancelled in the reference's order (a waiting one leaves its handler's open tasks, counted in ``opened``);
    its flow closed."""
    fl_off, fl_n, fl_next, fl_open, cw_has, fl_aux = fl[0], fl[1], fl[2], fl[4], fl[8], fl[10]
    tk_case, tk_h, tk_state = tk[0], tk[1], tk[3]
    off, nxt = fl_off[cid], fl_next[cid]
    for j in range(nxt + 3):
        if j < nxt:
            task = fl_task[off + j]
        else:
            task = fl_aux[cid] if j == nxt else fl_c[cid, j - nxt - 1]
            if task < 0 or tk_case[task] != cid:
                continue
        # (a task listed twice is cancelled once: the second time it is no longer waiting or pending)
        state = tk_state[task]
        if state == WAITING:
            tk_state[task] = CANCELLED
            h = tk_h[task]
            hi[h, HI_OPEN] -= 1
            opened[h] += 1
        elif state == PENDING:
            tk_state[task] = CANCELLED
    fl_open[cid] = False
    cw_has[cid] = False
    fl_c[cid, 0] = -1
    fl_c[cid, 1] = -1
    ctr[CTR_OPEN] -= 1
    ctr[CTR_UNRELEASED] -= fl_n[cid] - nxt
