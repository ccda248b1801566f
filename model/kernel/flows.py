"""A case's flow begins: intake's batch of new cases opened, each case's file at its first handler."""

from __future__ import annotations

import numpy as np
from numba import njit

from .coordination import due, request
from .events import ev_push, ev_room
from .layout import (
    COORD,
    CTR_NSTEPS,
    CTR_OPEN,
    CTR_STATUS,
    CTR_UNRELEASED,
    DEPT,
    ESCALATE,
    FIRST,
    FORWARD,
    HF_DUTY_BACKLOG,
    HI_KIND,
    HI_N,
    OK,
    PF_135,
    PF_SITE,
    PF_TOWN_HID0,
)
from .leaf import leaf
from .rawrng import generator
from .tasks import new_task, release_steps


@leaf
def begin(cid, t, desk1, desk2, cs, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf):
    """``handling.begin``: the case's file reaches its first handler at ``t``: it queues for coordination
    (``escalation.start``: ad hoc, or the 135 rule's first request and its escalation event; its steps
    held; skipped when no desk has staff), else its first step (all, when joint) is released."""
    township, whistle, needs_coord, joint, difficulty, tier = cs[1], cs[4], cs[5], cs[6], cs[7], cs[8]
    if whistle[cid]:
        # the township blew the whistle: every step at once, the departments' steps urgent, and the township
        # meets each department on site (its hours owed as duty, handling._release)
        first = fl[2][cid]
        release_steps(cid, t, np.bool_(True), tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)  # a bool, not a literal
        off = fl[0][cid]
        for i in range(first, fl[2][cid]):
            if hi[fl[5][off + i], HI_KIND] == DEPT:
                hf[int(pf[PF_TOWN_HID0]) + township[cid], HF_DUTY_BACKLOG] += pf[PF_SITE]
        return
    if pf[PF_135] != 0.0:
        level = int(np.int64(esc[0][cid]))  # int64 as the event loop's levels: one signature of request and due_at
        if level > 0:
            request(cid, level, t, desk1, desk2, hi, tk, ctr, evt, evi, esc)
        top = tier[cid] + 1 if tier[cid] else 0
        if level < top:
            ev_push(evt, evi, ctr, due(cid, level, pf, esc), ESCALATE, cid, level, 0)
        if needs_coord[cid]:
            return
    elif needs_coord[cid]:
        # the lowest level able to settle it, the other when it has no staff
        level = min(max(difficulty[cid], 1), tier[cid] + 1, 2)
        first, other = (desk1, desk2) if level == 1 else (desk2, desk1)
        desk = first if hi[first, HI_N] > 0 else other
        if hi[desk, HI_N] == 0:
            needs_coord[cid] = False  # no coordinators modelled: the step is skipped
        else:
            fl[10][cid] = new_task(
                tk, ctr, cid, desk, COORD, 1 if desk == desk1 else 2, t, evt, evi
            )  # stage: desk's level
            return
    release_steps(cid, t, joint[cid], tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)


@njit(cache=True)
def submit_batch(ids, times, fwd, intake, hi, tk, fl, pf, rng, rb, evt, evi, ctr, esc, hf):
    """``handling.submit`` for a batch of new cases, in their order (intake's): open each flow, then begin
    it (``begin``), or, for a case filed at a township hall or through a commissioner (``fwd[j]`` ≥ 0, the
    handler), queue the forwarding of its file (``referral.start``). A case decided at the centre is one
    step of the level-1 desk. Returns the (maybe grown) heap arrays."""
    town_hid0, desk1, desk2, cat_deps, cat_n, cs = intake[0], intake[1], intake[2], intake[4], intake[5], intake[6]
    matter, township, delegated, receiver = cs[0], cs[1], cs[2], cs[3]
    fl_off, fl_n, fl_next, fl_live = fl[0], fl[1], fl[2], fl[3]
    fl_open, fl_steps, cw_has, fl_aux = fl[4], fl[5], fl[8], fl[10]
    eb, zb, ridx = rb[1], rb[2], rb[3]
    total = 0
    for j in range(ids.shape[0]):
        total += cat_n[matter[ids[j]]] + 1
    evt, evi = ev_room(evt, evi, ctr, total + 1)
    nsteps = ctr[CTR_NSTEPS]
    for j in range(ids.shape[0]):
        cid = ids[j]
        t = times[j]
        m = matter[cid]
        fl_off[cid] = nsteps
        if receiver[cid] >= 0:  # one step fixed at intake: a desk decision, an enquiry (handling.steps_of)
            n = 1
            fl_steps[nsteps] = receiver[cid]
        else:
            n = cat_n[m]
            for i in range(n):
                d = cat_deps[m, i]
                if d < 0 or (i == 0 and delegated[cid]):
                    fl_steps[nsteps + i] = town_hid0 + township[cid]
                else:
                    fl_steps[nsteps + i] = d
        nsteps += n
        fl_n[cid] = n
        fl_open[cid] = True
        ctr[CTR_OPEN] += 1
        cw_has[cid] = False
        fl_next[cid] = 0
        fl_live[cid] = 0
        ctr[CTR_UNRELEASED] += n
        if fwd[j] >= 0:
            fl_aux[cid] = new_task(tk, ctr, cid, fwd[j], FORWARD, FIRST, t, evt, evi)
        else:
            begin(cid, t, desk1, desk2, cs, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf)
        if ctr[CTR_STATUS] != OK:
            break
    ctr[CTR_NSTEPS] = nsteps
    return evt, evi


@njit(cache=True)
def submit_batch_at(ids, times, fwd, intake, hi, tk, fl, pf, addrs, rb, evt, evi, ctr, esc, hf):
    """:func:`submit_batch` called from Python with the model's Generator as its addresses (``rawrng``: numba
    would unbox the Generator object at every call)."""
    return submit_batch(ids, times, fwd, intake, hi, tk, fl, pf, generator(addrs), rb, evt, evi, ctr, esc, hf)
