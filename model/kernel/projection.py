"""Deadline gaming's projection compiled: when would an open case's remaining work be done (hours)?

``gaming.projected_finish`` step for step on the kernel's tables (``kernel.gaming`` is its Python side):
the released steps' ends (running: its start plus clock hours; waiting: the hours queued ahead of it at
its handler's rate, then its own expected hours), a case held for coordination waits for the soonest of
its requests at the desks (or for the joint conference's next meeting), then the steps not yet released,
one after another (serial) or the longest (joint). Each handler's queue is read the first time a
projection needs it (``queue_ahead``) and kept for the day's decisions (``qs``: per handler, read yet
and the hours in its queue; per task, the hours ahead of it, valid where its stamp is the day's token).
Every sum and comparison is taken in the reference's order, so the result is the same float.
The helpers and ``projected`` are inlined into ``decide_run`` (``inline="always"``): called, each is handed
some thirty arrays whose reference counts numba updates at every call (a day's decisions took ~30 % longer).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .draws import draw_exponential
from .gamed import close_gamed, owner_net
from .layout import (
    COORD,
    HF_CAP,
    HF_DUTY_BACKLOG,
    HF_DUTY_CAP,
    HF_EFFORT,
    HF_FRACTION,
    HOURS,
    PENDING,
    RUNNING,
    WAITING,
)
from .queues import queue_ahead
from .rawrng import generator

_INF = math.inf


@njit(cache=True)
def handler_rates(hf, is_dept, desk, hw, rate):
    """What the projection reads of each handler, from the handler table ``hf`` as the day's call left it (its
    work fraction and a department's effort read in before the call; its duty hours written back after it):
    ``hw``: work fraction (1 but for departments and townships), effort (1 but for departments), whether it is a
    department; ``rate``: ``gaming._Queues.rate``, its hours free for cases (``case_capacity``; a desk: all its
    hours) per working hour, at least 1e-9 — the same doubles as the reference's per-handler arithmetic."""
    for h in range(hf.shape[0]):
        hw[h, 0] = hf[h, HF_FRACTION]
        hw[h, 1] = hf[h, HF_EFFORT]
        hw[h, 2] = is_dept[h]
        cap = hf[h, HF_CAP]
        if desk[h]:
            free = cap
        else:
            free = max(cap - min(min(hf[h, HF_DUTY_BACKLOG], cap), hf[h, HF_DUTY_CAP]), 0.0)
        rate[h] = max(free / HOURS, 1e-9)


@njit(cache=True, inline="always")
def _ensure(h, qs, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk):
    """Handler ``h``'s queue read (once a day): the hours ahead of each waiting task, and in all."""
    loaded, total, ahead_of, stamp, token = qs
    if loaded[h]:
        return
    matter, whistle, delegated, cat_hours = cs
    tasks, ahead, cum = queue_ahead(
        h, hq, hi, ent, tk, desk[h], matter, whistle, delegated, cat_hours, coord, hw, handled, town, learn
    )
    for i in range(tasks.shape[0]):
        ahead_of[tasks[i]] = ahead[i]
        stamp[tasks[i]] = token
    total[h] = cum
    loaded[h] = True


@njit(cache=True, inline="always")
def _wait_before(task, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk):
    """Working hours before a waiting task starts (``gaming._Queues.wait_before``)."""
    h = tk[1][task]
    _ensure(h, qs, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk)
    if qs[3][task] == qs[4]:
        a = qs[2][task]
    else:  # not in the queue as read: behind every task in it
        a = qs[1][h]
    return a / rate[h]


@njit(cache=True, inline="always")
def _wait_all(h, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk):
    """Working hours before a task joining the end of the handler's queue starts."""
    _ensure(h, qs, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk)
    return qs[1][h] / rate[h]


@njit(cache=True, inline="always")
def _step_hours(cid, h, stage, noise, waiting, cs, hw, handled, town, learn):
    """``kernel.gaming.step_hours``: expected clock hours of a case's step at handler ``h``."""
    matter, whistle, delegated, cat_hours = cs
    m = matter[cid]
    need = cat_hours[m] * noise
    if waiting and hw[h, 2] == 1.0 and whistle[cid]:
        need += learn[2]
    sp = hw[h, 1]
    if town[h] >= 0 and stage == 0 and delegated[cid]:
        sp = 1.0 - (1.0 - learn[0]) * math.exp(-handled[town[h], m] / learn[1])
    return hw[h, 0] * need / sp


@njit(cache=True, inline="always")
def projected(cid, now, joint, in_conf, conf_wait, tabs):
    """``gaming.projected_finish`` of the open case ``cid`` at ``now`` (hours). ``joint``: the case's steps run
    jointly; ``in_conf``: it waits in the joint conference's queue, ``conf_wait`` hours till its meeting;
    ``tabs``: the projection's tables, as :func:`decide_run` takes them one by one.

    Over 60 lines: one compiled call per case at risk, as ``loop.run_until`` is one function; split, each part
    would be handed the flow, queue, task and case tables again (the per-call cost the kernel exists to avoid)."""
    fl, fl_steps, fl_task, fl_c, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk = tabs
    fl_off, fl_n, fl_next, cw_has, fl_aux, cw_start, cw_clock = fl[0], fl[1], fl[2], fl[8], fl[10], fl[11], fl[12]
    tk_case, tk_stage, tk_state, tk_noise, tk_hours, tk_kind = tk[0], tk[2], tk[3], tk[5], tk[6], tk[8]
    off, n, nxt = fl_off[cid], fl_n[cid], fl_next[cid]
    any_end = False
    t = now
    for k in range(nxt):
        task = fl_task[off + k]
        state = tk_state[task]
        if state == RUNNING:
            if cw_has[cid]:
                e = now
                x = cw_start[cid] + cw_clock[cid]
                if x > now:
                    e = x
            else:
                e = now + tk_hours[task]
        elif state == PENDING or state == WAITING:
            stage = tk_stage[task]
            w = _wait_before(task, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk)
            e = (
                now
                + w
                + _step_hours(cid, fl_steps[off + stage], stage, tk_noise[task], True, cs, hw, handled, town, learn)
            )
        else:
            continue
        if not any_end or e > t:
            t = e
        any_end = True
    if not any_end and nxt == 0:  # held for coordination: the soonest of its requests (``_coordination_wait``)
        best = _INF
        seen0 = -1
        seen1 = -1
        for j in range(3):
            task = fl_aux[cid] if j == 0 else fl_c[cid, j - 1]
            if task < 0 or task == seen0 or task == seen1 or tk_kind[task] != COORD or tk_case[task] != cid:
                continue
            if seen0 < 0:
                seen0 = task
            else:
                seen1 = task
            hours = coord[tk_stage[task]]
            state = tk_state[task]
            if state == PENDING or state == WAITING:
                x = _wait_before(task, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk) + hours
                if x < best:
                    best = x
            elif state == RUNNING:
                if hours < best:
                    best = hours
        if best == _INF and in_conf:
            best = conf_wait
        t = now + (0.0 if best == _INF else best)
    if joint and nxt == 0:
        top = 0.0
        first = True
        for i in range(nxt, n):
            h = fl_steps[off + i]
            v = _wait_all(h, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk) + _step_hours(
                cid, h, i, 1.0, False, cs, hw, handled, town, learn
            )
            if first or v > top:
                top = v
            first = False
        t += top
    else:
        for i in range(nxt, n):
            h = fl_steps[off + i]
            t += _wait_all(h, qs, rate, hq, hi, ent, tk, cs, hw, handled, town, learn, coord, desk) + _step_hours(
                cid, h, i, 1.0, False, cs, hw, handled, town, learn
            )
    return t


@njit(cache=True)
def _waits_for_conference(cid, conf):
    """Is the case in the joint conference's queue (``conf``: its cases)?"""
    for j in range(conf.shape[0]):
        if conf[j] == cid:
            return True
    return False


@njit(cache=True)
def take_due(queue, t_end):
    """The decisions due before ``t_end`` (hours) taken from the decision queue ``queue`` (moments, cases, its
    head: the earliest moment left, its length; the due ones' moments and cases) in (moment, case) order, the
    order ``numpy.lexsort((cases, moments))`` gives and a heap of (moment, case) pairs pops (``gaming.due``):
    the rest kept in their order, the head set to the earliest of them (inf: none). Returns how many are due."""
    qt, qi, head, size, due_t, due_i = queue
    k = 0
    j = 0
    first = _INF
    for i in range(size[0]):
        x = qt[i]
        if x < t_end:
            due_t[k] = x
            due_i[k] = qi[i]
            k += 1
        else:
            qt[j] = x
            qi[j] = qi[i]
            j += 1
            if x < first:
                first = x
    size[0] = j
    head[0] = first
    by_case = np.argsort(due_i[:k], kind="mergesort")  # stable: by case, then (stable) by moment
    order = by_case[np.argsort(due_t[:k][by_case], kind="mergesort")]
    t, c = due_t[:k][order], due_i[:k][order]
    due_t[:k] = t
    due_i[:k] = c
    return k


@njit(cache=True)
def decide_run(
    queue,
    conf,
    log,
    consts,
    days,
    fl,
    fl_steps,
    fl_task,
    fl_c,
    qs,
    rate,
    hq,
    hi,
    ent,
    tk,
    cs,
    hw,
    handled,
    town,
    learn,
    coord,
    desk,
    rated,
    addrs,
    ub,
    eb,
    ridx,
    pf,
    own,
    weights,
    owning,
    cols,
    rep,
    cnt,
    ctr,
    opened,
):
    """``gaming.decide``'s loop over the day's decisions, in one call: the decisions due before now taken from the
    queue (:func:`take_due`), every gamed case closed on the way (``gamed.close_gamed``), so that the next decision
    reads the queues, the stream and its owner's counts as the reference leaves them.

    ``queue``: :func:`take_due`'s (the due ones' cases and moments, a gamed case's close time, in decision order);
    ``conf``: the cases in the joint conference's queue; ``log``: per open case decided, in decision order, its
    case, its (moment, projection, deadline) and whether it was gamed (``model.gaming_log``'s rows), ``cnt[2]``
    their count; ``consts``: now, the hours till the conference's next meeting, ``gaming_aversion``, the number
    of departments; ``days``: the case table's joint and deadline columns; ``rated``: the handler table and per
    handler whether it is a department (``handler_rates``' arguments: ``hw`` and ``rate`` filled here, the
    handlers' queues marked unread in ``qs``); ``owning``: the catalogue's owner per matter and the case table's
    township column (``resolution.owner_agent``: a department's row, else the departments' count plus the
    township's). An open case gets its projection (``projected``); when it is at risk and its owner's net gain
    (``gamed.owner_net``, kept in ``own[:, 3]``) is positive, the owner's scruples are drawn (the stream's next
    exponential) and compared as ``gaming.games`` does; a gamed case is closed. Returns the number of gamed
    cases; ``cnt[1]`` counts the repeat contacts logged in ``rep``, ``cnt[3]`` the decisions due.

    Over 60 lines: its signature lists the projection's and the closure's tables one per line (Python hands
    them over one by one: a tuple from Python costs its unboxing at every call); the loop is some thirty lines."""
    now, conf_wait, aversion, n_dept = consts[0], consts[1], consts[2], int(consts[3])
    n = take_due(queue, now)
    cnt[3] = n
    cnt[2] = 0
    if n == 0:
        return 0
    ids, moments = queue[5], queue[4]
    rng = generator(addrs)  # the model's Generator, from its addresses (``rawrng``: no unboxing a call)
    handler_rates(rated[0], rated[1], desk, hw, rate)
    qs[0][:] = False  # no handler's queue read yet today
    log_case, log_t, log_gamed = log
    fl_next, fl_open = fl[2], fl[4]
    matter, whistle, delegated = cs[0], cs[1], cs[2]
    joint, deadline = days
    cat_owner, township = owning
    tabs = (
        fl,
        fl_steps,
        fl_task,
        fl_c,
        qs,
        rate,
        hq,
        hi,
        ent,
        tk,
        cs,
        hw,
        handled,
        town,
        learn,
        coord,
        desk,
    )  # handed to ``projected`` as one tuple
    withdrawing = (fl, fl_task, fl_c, tk, hi, ctr, opened)  # what a gamed closure's withdrawal changes
    for k in range(own.shape[0]):
        own[k, 3] = owner_net(k, own, weights)
    n_gamed = 0
    r = 0
    for i in range(n):
        cid = ids[i]
        if cid >= fl_open.shape[0] or not fl_open[cid]:
            continue
        nxt = fl_next[cid]
        jt = joint[cid] or (whistle[cid] and nxt == 0)
        in_conf = nxt == 0 and _waits_for_conference(cid, conf)
        t = projected(cid, now, jt, in_conf, conf_wait if in_conf else 0.0, tabs)
        log_case[r] = cid
        log_t[0, r] = moments[i]
        log_t[1, r] = t
        log_t[2, r] = deadline[cid]
        log_gamed[r] = False
        if t > deadline[cid]:
            k = cat_owner[matter[cid]]
            if delegated[cid] or k < 0:
                k = n_dept + township[cid]
            x = own[k, 3]
            if x > 0 and x > draw_exponential(rng, eb, ridx) * aversion:
                log_gamed[r] = True
                close_gamed(cid, moments[i], k, cols, own, pf, (rng, ub, eb, ridx), rep, cnt, withdrawing)
                own[k, 3] = owner_net(k, own, weights)
                n_gamed += 1
        r += 1
    cnt[2] = r
    return n_gamed
