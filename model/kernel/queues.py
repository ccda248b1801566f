"""The handlers' queues: one binary heap per handler, the very list Python's ``heapq`` keeps."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .delegated import competence
from .layout import (
    CTR_NENT,
    CTR_SEQ,
    DEPT,
    HI_KIND,
    HI_QLEN,
    PF_135,
    PF_SITE,
    STEP,
    TOWN,
    WAITING,
)
from .leaf import leaf


# Row ``h`` of ``hq`` holds handler ``h``'s queue entries in heapq's list order, so that a pass over the
# queue (a handler's work-fraction decision) adds up in the reference's order. An entry (``ent``: task,
# key, key, sequence number, version) is pushed each time a task joins or is re-keyed; it is valid while
# its version is the task's (``tk[4]``) and the task waits. Its key is ``escalation.priority_key``'s:
# (0, arrival) first come first served, (−coordination level, deadline) under the 135 rule; then the
# push's sequence number.
@leaf
def _lt(a, b, ent):
    k1, k2, seq = ent[1], ent[2], ent[3]
    if k1[a] != k1[b]:
        return k1[a] < k1[b]
    if k2[a] != k2[b]:
        return k2[a] < k2[b]
    return seq[a] < seq[b]


@leaf
def _siftdown(row, startpos, pos, ent):
    newitem = row[pos]
    while pos > startpos:
        parentpos = (pos - 1) >> 1
        parent = row[parentpos]
        if _lt(newitem, parent, ent):
            row[pos] = parent
            pos = parentpos
            continue
        break
    row[pos] = newitem


@leaf
def _siftup(row, pos, endpos, ent):
    startpos = pos
    newitem = row[pos]
    childpos = 2 * pos + 1
    while childpos < endpos:
        rightpos = childpos + 1
        if rightpos < endpos and not _lt(row[childpos], row[rightpos], ent):
            childpos = rightpos
        row[pos] = row[childpos]
        pos = childpos
        childpos = 2 * pos + 1
    row[pos] = newitem
    _siftdown(row, startpos, pos, ent)


@njit(cache=True)
def hq_room(hq, hi, h):
    """The queue table, its rows doubled when handler ``h``'s row is full."""
    n = hi[h, HI_QLEN]
    if n < hq.shape[1]:
        return hq
    hq2 = np.zeros((hq.shape[0], 2 * hq.shape[1]), np.int64)
    hq2[:, : hq.shape[1]] = hq
    return hq2


@leaf
def is_urgent(task, tk_case, tk_h, tk_kind, whistle, hi):
    """``Task.urgent``: a whistled case's department step (吹哨报到, P3). The helpers of the event loop take
    the arrays they read, not the kernel's tuples: a call handing over some twenty arrays costs ~0.4 µs."""
    return tk_kind[task] == STEP and whistle[tk_case[task]] and hi[tk_h[task], HI_KIND] == DEPT


@leaf
def key_of(task, tk_case, tk_h, tk_arrival, tk_kind, boost, deadline, whistle, hi, pf):
    """``escalation.priority_key`` of a task now: (0, arrival), or (−level, deadline) under the 135 rule; an
    urgent task's first part −10."""
    cid = tk_case[task]
    if pf[PF_135] != 0.0:
        k1 = -float(boost[cid])
        k2 = deadline[cid]
    else:
        k1 = 0.0
        k2 = tk_arrival[task]
    if is_urgent(task, tk_case, tk_h, tk_kind, whistle, hi):
        k1 = -10.0
    return k1, k2


@leaf
def task_key(task, tk, pf, hi, esc):
    """``key_of`` read from the task table ``tk`` and the 135 rule's arrays ``esc``."""
    return key_of(task, tk[0], tk[1], tk[7], tk[8], esc[2], esc[4], esc[11], hi, pf)


@leaf
def push_entry(hq, hi, ent, tk_ver, ctr, h, task, k1, k2):
    """``Engine.push``: a new entry for the task (its version + 1) onto its handler's queue (the caller made
    room in the entry table)."""
    e = ctr[CTR_NENT]
    ctr[CTR_NENT] = e + 1
    tk_ver[task] += 1
    ent[0][e] = task
    ent[1][e] = k1
    ent[2][e] = k2
    ent[3][e] = ctr[CTR_SEQ]
    ctr[CTR_SEQ] += 1
    ent[4][e] = tk_ver[task]
    n = hi[h, HI_QLEN]
    row = hq[h]
    row[n] = e
    hi[h, HI_QLEN] = n + 1
    _siftdown(row, 0, n, ent)


@leaf
def q_push(hq, hi, ent, tk, ctr, h, task, k1, k2):
    """``push_entry`` with the task table ``tk``."""
    push_entry(hq, hi, ent, tk[4], ctr, h, task, k1, k2)


@leaf
def is_valid(e, e_task, e_ver, tk_ver, tk_state):
    """The entry ``e`` is its task's latest and the task waits (the arrays it reads, not the tables' tuples)."""
    task = e_task[e]
    return e_ver[e] == tk_ver[task] and tk_state[task] == WAITING


@leaf
def valid(e, ent, tk):
    """``is_valid`` read from the entry table ``ent`` and the task table ``tk``."""
    return is_valid(e, ent[0], ent[4], tk[4], tk[3])


@leaf
def pop_entry(hq, hi, ent, tk_ver, tk_state, h):
    """``Engine._pop``: ``heapq.heappop`` until a valid entry (``is_valid``); its task (-1: none)."""
    row = hq[h]
    e_task, e_ver = ent[0], ent[4]
    while hi[h, HI_QLEN] > 0:
        n = hi[h, HI_QLEN] - 1
        hi[h, HI_QLEN] = n
        last = row[n]
        if n > 0:
            e = row[0]
            row[0] = last
            _siftup(row, 0, n, ent)
        else:
            e = last
        if is_valid(e, e_task, e_ver, tk_ver, tk_state):
            return e_task[e]
    return -1


@njit(cache=True)
def rekey_all(hq, hi, ent, tk, ctr, pf, esc):
    """``Engine.rekey_all``: every handler's queue rebuilt from its valid entries' tasks, pushed again in
    list order with the key now in force and new sequence numbers (the reform start). The caller made
    room in the entry table."""
    for h in range(hi.shape[0]):
        n = hi[h, HI_QLEN]
        keep = 0
        for j in range(n):  # the waiting tasks, in list order, to the row's front
            e = hq[h, j]
            if valid(e, ent, tk):
                hq[h, keep] = ent[0][e]
                keep += 1
        tasks = hq[h, :keep].copy()
        hi[h, HI_QLEN] = 0
        for j in range(keep):
            k1, k2 = task_key(tasks[j], tk, pf, hi, esc)
            q_push(hq, hi, ent, tk, ctr, h, tasks[j], k1, k2)
    return hq


@njit(cache=True)
def rekey(task, hq, hi, ent, tk, ctr, pf, esc):
    """``Engine.rekey``: a waiting task pushed again with its key now (the caller made room in the entry
    table); returns the (maybe grown) queue table."""
    if tk[3][task] == WAITING:
        k1, k2 = task_key(task, tk, pf, hi, esc)
        h = np.int64(tk[1][task])  # int64 as rekey_all's handler: one signature of q_push
        hq = hq_room(hq, hi, h)
        q_push(hq, hi, ent, tk, ctr, h, task, k1, k2)
    return hq


@njit(cache=True)
def queue_summary(
    now, hq, hi, effort, tk, matter, deadline, cat_hours, out, town_hid0, delegated, handled, pf, ent, esc
):
    """Per handler, over its waiting case steps in queue-list order (``workload.decide``): the clock hours
    they need (needed work-hours / speed: a department's effort, else 1), the summed time left before
    their deadlines (hours) and their count, into ``out`` (rows: handlers)."""
    # the arrays read, taken out of their tuples once: a call handing a helper the tuples (some twenty
    # arrays) costs ~0.4 µs, more than the entry's arithmetic (the helpers here take the arrays)
    tk_case, tk_h, tk_stage, tk_state, tk_ver = tk[0], tk[1], tk[2], tk[3], tk[4]
    tk_noise, tk_kind = tk[5], tk[8]
    e_task, e_ver = ent[0], ent[4]
    whistle = esc[11]
    for h in range(hi.shape[0]):
        queued = 0.0
        slack = 0.0
        n = 0
        kind = hi[h, HI_KIND]
        for j in range(hi[h, HI_QLEN]):
            e = hq[h, j]
            task = e_task[e]
            if not is_valid(e, e_task, e_ver, tk_ver, tk_state) or tk_kind[task] != STEP:
                continue
            cid = tk_case[task]
            speed = 1.0  # workload.speed: a department's effort, a township's competence on a delegated step
            if kind == DEPT:
                speed = effort[h]
            elif kind == TOWN and tk_stage[task] == 0 and delegated[cid]:
                speed = competence(pf, handled[h - town_hid0, matter[cid]])
            need = cat_hours[matter[cid]] * tk_noise[task]
            if is_urgent(task, tk_case, tk_h, tk_kind, whistle, hi):  # the department's on-site hours (workload)
                need += pf[PF_SITE]
            queued += need / speed
            slack += max(deadline[cid] - now, 0.0)
            n += 1
        out[h, 0] = queued
        out[h, 1] = slack
        out[h, 2] = n


@njit(cache=True)
def queue_ahead(h, hq, hi, ent, tk, desk, matter, whistle, delegated, cat_hours, coord_hours, hw, handled, town, learn):
    """Deadline gaming's reading of handler ``h``'s queue (``kernel.gaming.Queues``, ``gaming._Queues``): its
    valid waiting entries (case steps; any task at a desk) sorted by (key, sequence number), and the clock
    hours queued ahead of each: a task's expected clock hours are the work fraction × needed hours ÷ speed
    (``gaming._hours``), a coordination request's its level's hours. ``hw`` per handler: work fraction,
    speed (a department's effort, else 1), 1 for a department; ``town`` a township handler's row of
    ``handled`` (-1: none); ``learn``: initial competence, learning cases, the whistle's on-site hours.
    Returns (tasks, hours ahead of each, hours in all)."""
    tk_case, tk_h, tk_stage, tk_state, tk_ver, tk_noise, tk_kind = tk[0], tk[1], tk[2], tk[3], tk[4], tk[5], tk[8]
    e_task, e_k1, e_k2, e_seq, e_ver = ent
    n = hi[h, HI_QLEN]
    sel = np.empty(n, dtype=np.int64)
    m = 0
    for j in range(n):
        e = hq[h, j]
        x = e_task[e]
        if e_ver[e] == tk_ver[x] and tk_state[x] == WAITING and (desk or tk_kind[x] == STEP):
            sel[m] = e
            m += 1
    sel = sel[:m]
    # lexicographic (key, key, sequence number): stable sorts from the last key to the first
    sel = sel[np.argsort(e_seq[sel], kind="mergesort")]
    sel = sel[np.argsort(e_k2[sel], kind="mergesort")]
    sel = sel[np.argsort(e_k1[sel], kind="mergesort")]
    tasks = np.empty(m, dtype=np.int64)
    ahead = np.empty(m)
    cum = 0.0
    for i in range(m):
        x = e_task[sel[i]]
        tasks[i] = x
        ahead[i] = cum
        if tk_kind[x] != STEP:
            cum += coord_hours[tk_stage[x]]
            continue
        cid = tk_case[x]
        g = tk_h[x]
        mt = matter[cid]
        need = cat_hours[mt] * tk_noise[x]
        if hw[g, 2] == 1.0 and whistle[cid]:
            need += learn[2]
        sp = hw[g, 1]
        if town[g] >= 0 and tk_stage[x] == 0 and delegated[cid]:
            sp = 1.0 - (1.0 - learn[0]) * math.exp(-handled[town[g], mt] / learn[1])
        cum += hw[g, 0] * need / sp
    return tasks, ahead, cum
