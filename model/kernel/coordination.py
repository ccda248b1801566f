"""Coordination: requests at the desks and the joint conference, the 135 rule's escalation and boost."""

from __future__ import annotations

import numpy as np
from numba import njit

from .events import ev_room
from .layout import (
    CANCELLED,
    COORD,
    CTR_NCONF,
    HF_DUTY_BACKLOG,
    HI_N,
    HI_OPEN,
    PENDING,
    PF_LEVEL_SHARE,
    WAITING,
)
from .leaf import leaf
from .queues import rekey
from .tasks import new_task, release_steps


@leaf
def _before(a, b, deadline):
    """Does case ``a`` come before case ``b`` in the joint conference's queue: the Python engine's entries
    ``(deadline, case)`` compared as tuples (deadlines are set at filing and never change)?"""
    return deadline[a] < deadline[b] or (deadline[a] == deadline[b] and a < b)


@leaf
def _sift_down(heap, start, pos, deadline):
    """``heapq._siftdown``: the entry at ``pos`` moved up towards ``start`` while it comes before its parent."""
    item = heap[pos]
    while pos > start:
        parent = (pos - 1) >> 1
        if _before(item, heap[parent], deadline):
            heap[pos] = heap[parent]
            pos = parent
            continue
        break
    heap[pos] = item


@leaf
def conf_push(cid, deadline, heap, ctr):
    """``heapq.heappush`` of case ``cid`` onto the joint conference's queue: a binary heap of cases in
    ``heap[:ctr[CTR_NCONF]]``, in exactly the list order of the Python engine's ``model.conference_queue``
    (``escalation.request``; read as that list by ``tables.ConferenceQueue``). The caller made room: a case
    is queued once in its life (level 3 is the top)."""
    n = ctr[CTR_NCONF]
    heap[n] = cid
    ctr[CTR_NCONF] = n + 1
    _sift_down(heap, 0, n, deadline)


@leaf
def conf_pop(deadline, heap, ctr):
    """``heapq.heappop`` from the joint conference's queue (:func:`conf_push`; not empty): its first case, the
    last entry moved to the root and sifted as ``heapq._siftup`` does (to a leaf by the smaller child, then up)."""
    n = ctr[CTR_NCONF] - 1
    ctr[CTR_NCONF] = n
    last = heap[n]
    if n == 0:
        return last
    first = heap[0]
    heap[0] = last
    pos = 0
    child = 1
    while child < n:
        right = child + 1
        if right < n and not _before(heap[child], heap[right], deadline):
            child = right
        heap[pos] = heap[child]
        pos = child
        child = 2 * pos + 1
    heap[pos] = last
    _sift_down(heap, 0, pos, deadline)
    return first


@leaf
def request(cid, level, t, desk1, desk2, hi, tk, ctr, evt, evi, esc):
    """``escalation.request``: ask level ``level`` to coordinate the case from ``t`` (the joint conference: its
    queue, :func:`conf_push`; a desk without staff: nothing)."""
    if level >= 3:
        conf_push(cid, esc[4], esc[10], ctr)
        return
    desk = desk1 if level == 1 else desk2
    if hi[desk, HI_N] == 0:
        return
    esc[8][cid, level - 1] = new_task(tk, ctr, cid, desk, COORD, level, t, evt, evi)


@leaf
def due_at(cid, level, deadline, created, start_level, pf):
    """``escalation._due``: when the case leaves level ``level`` (hours)."""
    span = (deadline[cid] - created[cid]) * pf[PF_LEVEL_SHARE]
    return created[cid] + span * (level - start_level[cid] + 1)


@leaf
def due(cid, level, pf, esc):
    """``due_at`` read from the 135 rule's arrays ``esc``."""
    return due_at(cid, level, esc[4], esc[5], esc[1], pf)


@leaf
def withdraw_requests(cid, fl_aux, fl_c, tk_case, tk_h, tk_state, tk_kind, hi):
    """``escalation.withdraw``: the case's coordination requests not yet started, cancelled (the arrays it reads,
    not the kernel's tuples: the event loop calls it at every closure)."""
    for j in range(3):
        task = fl_aux[cid] if j == 0 else fl_c[cid, j - 1]
        if task < 0 or tk_case[task] != cid or tk_kind[task] != COORD:
            continue
        state = tk_state[task]
        if state == WAITING:
            tk_state[task] = CANCELLED
            hi[tk_h[task], HI_OPEN] -= 1
        elif state == PENDING:
            tk_state[task] = CANCELLED
    fl_c[cid, 0] = -1
    fl_c[cid, 1] = -1


@leaf
def withdraw_coord(cid, hi, tk, fl, esc):
    """``withdraw_requests`` read from the task table ``tk``, the flows ``fl`` and the 135 rule's arrays ``esc``."""
    withdraw_requests(cid, fl[10], esc[8], tk[0], tk[1], tk[3], tk[8], hi)


@njit(cache=True)
def boost_case(cid, level, t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint):
    """``escalation.boost``: the case first in every queue it needs (its waiting steps re-keyed) and its
    remaining steps released (``handling.release``). The caller made room in the task, entry and event
    tables; returns the (maybe grown) queue table."""
    fl_off, fl_next, fl_open = fl[0], fl[2], fl[4]
    boost = esc[2]
    if not fl_open[cid]:
        return hq
    if boost[cid] >= level and fl_next[cid] > 0:
        return hq
    boost[cid] = max(boost[cid], level)
    fl_task = fl[9]
    off = fl_off[cid]
    for i in range(fl_next[cid]):
        hq = rekey(np.int64(fl_task[off + i]), hq, hi, ent, tk, ctr, pf, esc)  # int64: task_key's one signature
    if fl_next[cid] == 0:
        release_steps(cid, t, joint[cid], tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)
    return hq


@njit(cache=True)
def conference_case(cid, level, t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint, most):
    """The joint conference settles case ``cid`` (``escalation.hold_conference``): its coordination requests
    withdrawn (``withdraw_coord``), then boosted (``boost_case``) with room for ``most`` events; the caller
    made room in the task and entry tables. Returns the (maybe grown) queue and heap arrays."""
    withdraw_coord(cid, hi, tk, fl, esc)
    evt, evi = ev_room(evt, evi, ctr, most)
    hq = boost_case(cid, level, t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint)
    return hq, evt, evi


@leaf
def _among(cid, picked, k):
    """Is ``cid`` among the first ``k`` of ``picked``?"""
    for i in range(k):
        if picked[i] == cid:
            return True
    return False


@njit(cache=True)
def hold_meeting(meet, hf, hq, hi, ent, tk, fl, pf, rng, rb, evt, evi, ctr, esc, intake, acc):
    """``escalation.hold_conference`` on a meeting day, in the day's call after intake's batch: up to ``slots``
    cases taken from the queue's front (:func:`conf_pop`) that are open and not coordinated meanwhile (settling
    one changes no other's state), settled in that order (``conference_case``), then the meeting's hours charged
    in that order (``escalation.charge_conferences``: ``hours`` to each department the case's matter needs and to
    the convening office, owed as duty; ``hours`` × (departments + 1) to the attendance account ``acc[0]``).
    ``meet``: (the meeting's time in hours, hours a case, slots, the office's handler, room a case: ``most``) and
    the departments' handlers; the caller made room in the task and entry tables for ``most`` a slot. Returns the
    (maybe grown) queue and heap arrays."""
    mf, dept_hid = meet
    eb, zb, ridx = rb[1], rb[2], rb[3]
    t, hours, slots, office, most = mf[0], mf[1], int(mf[2]), int(mf[3]), int(mf[4])
    deadline, boost, heap, fl_open = esc[4], esc[2], esc[10], fl[4]
    picked = np.empty(max(slots, 0), dtype=np.int64)
    k = 0
    while ctr[CTR_NCONF] > 0 and k < slots:
        cid = conf_pop(deadline, heap, ctr)
        if cid < fl_open.shape[0] and fl_open[cid] and boost[cid] == 0 and not _among(cid, picked, k):
            picked[k] = cid
            k += 1
    joint = intake[6][6]
    for i in range(k):
        hq, evt, evi = conference_case(
            picked[i], np.int64(3), t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint, most
        )
    if hours > 0:
        cat_deps, cat_n, matter = intake[4], intake[5], intake[6][0]
        for i in range(k):
            m = matter[picked[i]]
            n = 0
            for j in range(cat_n[m]):
                d = cat_deps[m, j]
                if d >= 0:
                    hf[dept_hid[d], HF_DUTY_BACKLOG] += hours
                    n += 1
            hf[office, HF_DUTY_BACKLOG] += hours
            acc[0] += hours * (n + 1)
    return hq, evt, evi
