"""Coordination: requests at the desks and the joint conference, the 135 rule's escalation and boost."""

from __future__ import annotations

from numba import njit

from .events import ev_room
from .layout import (
    CANCELLED,
    COORD,
    CTR_NCONF,
    HI_N,
    HI_OPEN,
    PENDING,
    PF_LEVEL_SHARE,
    WAITING,
)
from .leaf import leaf
from .queues import rekey
from .rawrng import generator
from .tasks import new_task, release_steps


@leaf
def request(cid, level, t, desk1, desk2, hi, tk, ctr, evt, evi, esc):
    """``escalation.request``: ask level ``level`` to coordinate the case from ``t`` (the joint conference:
    logged for Python's conference queue; a desk without staff: nothing)."""
    if level >= 3:
        conf_log = esc[10]
        conf_log[ctr[CTR_NCONF]] = cid
        ctr[CTR_NCONF] += 1
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
        hq = rekey(fl_task[off + i], hq, hi, ent, tk, ctr, pf, esc)
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


@njit(cache=True)
def conference_cases(cids, level, t, hq, hi, ent, tk, fl, pf, addrs, eb, zb, ridx, evt, evi, ctr, esc, joint, most):
    """The joint conference settles the cases ``cids`` in their order (``conference_case`` for each, in one call:
    a call hands over some forty arrays and the generator, as its addresses: ``rawrng``); the caller made room in
    the task and entry tables for ``most`` tasks per case. Returns the (maybe grown) queue and heap arrays."""
    rng = generator(addrs)
    for i in range(cids.shape[0]):
        hq, evt, evi = conference_case(
            cids[i], level, t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint, most
        )
    return hq, evt, evi
