"""The compiled kernel's functions: the event heap, the handlers' servers and queues, the case flow.

Every function here is ``numba.njit(cache=True)`` and works on plain arrays (struct of arrays) that
the Python side (:mod:`.engine`) owns and passes in; nothing here holds state between calls. Times
are working hours, as in :mod:`townsim.model.engine`, whose event loop these functions reproduce
event for event: same event order (time, then sequence number), same server choice, same random
draws from the model's buffered stream, the same floating-point operations in the same order.

Layouts (column constants below):

* handlers: ``hf`` (float64, one row per handler: capacity, duty, hours, today's work fraction and
  effort, overtime) and ``hi`` (int64: servers, first server's slot, open tasks, tasks started,
  kind, queue length, idle count);
* servers: flat arrays, a handler's servers in the slots ``hi[h, HI_S0] + k``;
* queues: ``hq``, one row per handler, its waiting task ids in ``heapq``'s list order;
* tasks: ``tk_*`` arrays (case, handler, step, state, queue sequence number, draw, hours, arrival,
  kind: a step, a coordination or a forwarding);
* flows: per case, its steps (``fl_steps[fl_off[c] : fl_off[c] + fl_n[c]]``), the next step to
  release, its live steps, whether it is open, and the work log (needed and done work-hours);
* the event heap: ``evt`` (time) and ``evi`` (sequence number, kind, three integer arguments);
* ``ctr``: counters (``CTR_*``) shared with Python between calls;
* the random stream: the model's generator and its three buffers with their positions.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

HOURS = 8.0  # working hours per day (params.HOURS_PER_DAY)

# event kinds (COURIER: a referred case's file reaches the seat, ``referral``)
ARRIVE, FINISH, WAKE, COURIER, ESCALATE = 0, 1, 2, 3, 4  # ESCALATE: a case's level is due (135)
# task kinds (engine.TaskKind): a case's step, a coordination at a desk, forwarding a file
STEP, COORD, FORWARD = 0, 1, 2
FIRST, SECOND = 0, 1  # a forwarding task's pass (referral.FIRST, referral.SECOND)
# task states (engine.TaskState)
WAITING, RUNNING, DONE, CANCELLED, PENDING = 0, 1, 2, 3, 4
# server states (engine.ServerState)
IDLE, BUSY, ASLEEP = 0, 1, 2
# handler kinds
DEPT, TOWN, OTHER, DISPATCH, COMMISSIONER = 0, 1, 2, 3, 4

# handler float columns
HF_CAP, HF_DUTY_BACKLOG, HF_DUTY_CAP, HF_DUTY_TODAY, HF_DUTY_TOTAL = 0, 1, 2, 3, 4
HF_WORKED_TODAY, HF_WORKED_TOTAL, HF_FRACTION, HF_EFFORT, HF_OVERTIME = 5, 6, 7, 8, 9
N_HF = 10
# handler int columns
HI_N, HI_S0, HI_OPEN, HI_SERVED, HI_KIND, HI_QLEN, HI_IDLE_N = 0, 1, 2, 3, 4, 5, 6
N_HI = 7

# counters
CTR_SEQ, CTR_NTASK, CTR_UNRELEASED, CTR_NEV, CTR_NCLOSED = 0, 1, 2, 3, 4
CTR_NREF, CTR_NREP, CTR_STATUS, CTR_NSTEPS, CTR_OPEN = 5, 6, 7, 8, 9
CTR_NENT, CTR_NCONF = 10, 11  # queue entries made; cases sent to the joint conference this call
N_CTR = 12

# parameters (float array)
PF_DIST, PF_SIGMA, PF_ONE_STOP, PF_TRAVEL, PF_RES_BASE, PF_THETA, PF_CALLBACK, PF_REPEAT, PF_REPEAT_DAYS = range(9)
PF_ATTEND, PF_COORD1, PF_COORD2 = 9, 10, 11  # attendance share, coordination hours at levels 1 and 2
PF_FORWARD_H, PF_DISPATCH_H, PF_ERRAND_H, PF_MISROUTE, PF_COURIER_DAYS, PF_ONLINE_DISPATCH = 12, 13, 14, 15, 16, 17
PF_N_DEPTS = 18  # departments (their handlers are the first ones)
PF_MEDIATION_ID, PF_LOCAL_MEDIATION, PF_DISPUTE_HOURS = 19, 20, 21  # the dispute in local mediation (resolution)
PF_C0, PF_LEARNING, PF_REWORK, PF_OVERSIGHT = 22, 23, 24, 25  # delegation: competence, rework, oversight hours
PF_135, PF_LEVEL_SHARE = 26, 27  # the 135 rule on; the share of the deadline a level has (escalation)
PF_SITE, PF_TOWN_HID0 = 28, 29  # the whistle's on-site hours (each side); the first township's handler
N_PF = 30
DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_DETERMINISTIC = 0, 1, 2

# status codes: a path the kernel does not cover was reached (the Python side raises)
OK, E_LIVE_AT_CLOSE, E_TASKS_FULL = 0, 3, 4
E_ROOM = 6  # not an error: the task table is nearly full; Python grows it and calls ``run_until`` again
STATUS_TEXT = {
    E_LIVE_AT_CLOSE: "a case closed with steps still live (rework or gaming are not compiled)",
    E_TASKS_FULL: "the task arrays were full (the Python side sizes them before each call)",
}


# --- random stream (the model's RandomStream, same buffers and refills) ---------------------------
@njit(cache=True)
def draw_uniform(rng, ub, ridx):
    if ridx[0] >= ub.shape[0]:
        ub[:] = rng.random(ub.shape[0])
        ridx[0] = 0
    ridx[0] += 1
    return ub[ridx[0] - 1]


@njit(cache=True)
def draw_exponential(rng, eb, ridx):
    if ridx[1] >= eb.shape[0]:
        eb[:] = rng.standard_exponential(eb.shape[0])
        ridx[1] = 0
    ridx[1] += 1
    return eb[ridx[1] - 1]


@njit(cache=True)
def draw_normal(rng, zb, ridx):
    if ridx[2] >= zb.shape[0]:
        zb[:] = rng.standard_normal(zb.shape[0])
        ridx[2] = 0
    ridx[2] += 1
    return zb[ridx[2] - 1]


@njit(cache=True)
def draw_noise(pf, rng, eb, zb, ridx):
    """The work-hours multiplier of a step (``handling.noise``)."""
    dist = pf[PF_DIST]
    if dist == DIST_EXPONENTIAL:
        return draw_exponential(rng, eb, ridx)
    if dist == DIST_LOGNORMAL:
        s = pf[PF_SIGMA]
        if s > 0:
            return math.exp(s * draw_normal(rng, zb, ridx) - 0.5 * s * s)
        return 1.0
    return 1.0


@njit(cache=True)
def competence(pf, handled):
    """``delegation.competence``: a township's competence on a delegated matter after ``handled`` cases."""
    return 1.0 - (1.0 - pf[PF_C0]) * math.exp(-handled / pf[PF_LEARNING])


# --- the event heap, ordered by (time, sequence number) ------------------------------------------
@njit(cache=True)
def _before(evt, evi, i, j):
    return evt[i] < evt[j] or (evt[i] == evt[j] and evi[i, 0] < evi[j, 0])


@njit(cache=True)
def _swap(evt, evi, i, j):
    t = evt[i]
    evt[i] = evt[j]
    evt[j] = t
    for c in range(5):
        x = evi[i, c]
        evi[i, c] = evi[j, c]
        evi[j, c] = x


@njit(cache=True)
def ev_push(evt, evi, ctr, t, kind, a, b, c):
    """Push an event; the caller made room (``ev_room``)."""
    n = ctr[CTR_NEV]
    evt[n] = t
    evi[n, 0] = ctr[CTR_SEQ]
    ctr[CTR_SEQ] += 1
    evi[n, 1] = kind
    evi[n, 2] = a
    evi[n, 3] = b
    evi[n, 4] = c
    ctr[CTR_NEV] = n + 1
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if _before(evt, evi, i, parent):
            _swap(evt, evi, i, parent)
            i = parent
        else:
            break


@njit(cache=True)
def ev_pop(evt, evi, ctr):
    """Remove the first event into the last slot of the heap's old size and return that slot."""
    n = ctr[CTR_NEV] - 1
    _swap(evt, evi, 0, n)
    ctr[CTR_NEV] = n
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        best = left
        right = left + 1
        if right < n and _before(evt, evi, right, left):
            best = right
        if _before(evt, evi, best, i):
            _swap(evt, evi, best, i)
            i = best
        else:
            break
    return n


@njit(cache=True)
def ev_room(evt, evi, ctr, extra):
    """The heap arrays, doubled while fewer than ``extra`` slots are free."""
    n = ctr[CTR_NEV]
    cap = evt.shape[0]
    if n + extra <= cap:
        return evt, evi
    while n + extra > cap:
        cap *= 2
    evt2 = np.empty(cap, np.float64)
    evi2 = np.empty((cap, 5), np.int64)
    evt2[:n] = evt[:n]
    evi2[:n] = evi[:n]
    return evt2, evi2


# --- queues and servers ----------------------------------------------------------------------------
# --- queues: one binary heap per handler, the very list Python's heapq keeps -----------------------
# Row ``h`` of ``hq`` holds handler ``h``'s queue entries in heapq's list order, so that a pass over the
# queue (a handler's work-fraction decision) adds up in the reference's order. An entry (``ent``: task,
# key, key, sequence number, version) is pushed each time a task joins or is re-keyed; it is valid while
# its version is the task's (``tk[4]``) and the task waits. Its key is ``escalation.priority_key``'s:
# (0, arrival) first come first served, (−coordination level, deadline) under the 135 rule; then the
# push's sequence number.
@njit(cache=True)
def _lt(a, b, ent):
    k1, k2, seq = ent[1], ent[2], ent[3]
    if k1[a] != k1[b]:
        return k1[a] < k1[b]
    if k2[a] != k2[b]:
        return k2[a] < k2[b]
    return seq[a] < seq[b]


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
def urgent(task, tk, hi, esc):
    """``Task.urgent``: a whistled case's department step (吹哨报到, P3)."""
    return tk[8][task] == STEP and esc[11][tk[0][task]] and hi[tk[1][task], HI_KIND] == DEPT


@njit(cache=True)
def task_key(task, tk, pf, hi, esc):
    """``escalation.priority_key`` of a task now: (0, arrival), or (−level, deadline) under the 135 rule; an
    urgent task's first part −10."""
    cid = tk[0][task]
    if pf[PF_135] != 0.0:
        k1 = -float(esc[2][cid])
        k2 = esc[4][cid]
    else:
        k1 = 0.0
        k2 = tk[7][task]
    if urgent(task, tk, hi, esc):
        k1 = -10.0
    return k1, k2


@njit(cache=True)
def q_push(hq, hi, ent, tk, ctr, h, task, k1, k2):
    """``Engine.push``: a new entry for the task (its version + 1) onto its handler's queue (the caller made
    room in the entry table)."""
    e = ctr[CTR_NENT]
    ctr[CTR_NENT] = e + 1
    tk_ver = tk[4]
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


@njit(cache=True)
def valid(e, ent, tk):
    """The entry is its task's latest and the task waits."""
    task = ent[0][e]
    return ent[4][e] == tk[4][task] and tk[3][task] == WAITING


@njit(cache=True)
def q_pop(hq, hi, ent, tk, h):
    """``Engine._pop``: ``heapq.heappop`` until a valid entry; its task (-1: none)."""
    row = hq[h]
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
        if valid(e, ent, tk):
            return ent[0][e]
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
        h = tk[1][task]
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
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    for h in range(hi.shape[0]):
        queued = 0.0
        slack = 0.0
        n = 0
        kind = hi[h, HI_KIND]
        for j in range(hi[h, HI_QLEN]):
            e = hq[h, j]
            task = ent[0][e]
            if not valid(e, ent, tk) or tk_kind[task] != STEP:
                continue
            cid = tk_case[task]
            speed = 1.0  # workload.speed: a department's effort, a township's competence on a delegated step
            if kind == DEPT:
                speed = effort[h]
            elif kind == TOWN and tk_stage[task] == 0 and delegated[cid]:
                speed = competence(pf, handled[h - town_hid0, matter[cid]])
            need = cat_hours[matter[cid]] * tk_noise[task]
            if urgent(task, tk, hi, esc):  # the department's on-site hours of a whistled case (workload)
                need += pf[PF_SITE]
            queued += need / speed
            slack += max(deadline[cid] - now, 0.0)
            n += 1
        out[h, 0] = queued
        out[h, 1] = slack
        out[h, 2] = n


@njit(cache=True)
def finish_time(t, hours, base_offset):
    """``engine.finish_time``: end of ``hours`` of work started at ``t`` by a server present ``[base, 8)``."""
    end = t + hours
    if base_offset <= 0:
        return end
    day_end = (math.floor(t / HOURS) + 1) * HOURS
    if end <= day_end:
        return end
    window = HOURS - base_offset
    rest = hours - (day_end - t)
    days = math.ceil(rest / window) - 1
    return day_end + days * HOURS + base_offset + (rest - days * window)


@njit(cache=True)
def start_day(day, hf, hi, s_status, s_token, s_free, s_pend, s_base, s_idle, evt, evi, ctr):
    """``Engine.start_day``: take the day's duty hours off the servers and wake the idle ones."""
    total = 0
    for h in range(hf.shape[0]):
        total += hi[h, HI_N]
    evt, evi = ev_room(evt, evi, ctr, total + 1)
    t0 = day * HOURS
    for h in range(hf.shape[0]):
        hf[h, HF_WORKED_TODAY] = 0.0
        n = hi[h, HI_N]
        if n == 0:
            hf[h, HF_DUTY_TODAY] = 0.0
            continue
        cap = hf[h, HF_CAP]
        duty = min(hf[h, HF_DUTY_BACKLOG], cap, hf[h, HF_DUTY_CAP])
        hf[h, HF_DUTY_BACKLOG] -= duty
        hf[h, HF_DUTY_TODAY] = duty
        hf[h, HF_DUTY_TOTAL] += duty
        share = duty / cap
        hi[h, HI_IDLE_N] = 0
        s0 = hi[h, HI_S0]
        for k in range(n):
            s = s0 + k
            base = s_base[s]
            free = max(s_free[s], t0 + base) + share * (HOURS - base)
            s_free[s] = free
            s_token[s] += 1
            if s_status[s] == BUSY:
                s_pend[s] = free
                continue
            s_status[s] = ASLEEP
            ev_push(evt, evi, ctr, free, WAKE, h, k, s_token[s])
    return evt, evi


@njit(cache=True)
def release_steps(cid, t, every, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr):
    """``handling._release`` (``release_all`` when ``every``): the case's next step (all its steps not yet
    released) as new tasks arriving at ``t``, each drawn now. The caller made room in the heap."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
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


@njit(cache=True)
def new_task(tk, ctr, cid, h, kind, stage, t, evt, evi):
    """A task of ``kind`` for handler ``h`` arriving at ``t`` (no draw: a coordination or a forwarding); returns
    its id (-1: the task arrays were full)."""
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
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


@njit(cache=True)
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


@njit(cache=True)
def due(cid, level, pf, esc):
    """``escalation._due``: when the case leaves level ``level`` (hours)."""
    deadline, created, start_level = esc[4], esc[5], esc[1]
    span = (deadline[cid] - created[cid]) * pf[PF_LEVEL_SHARE]
    return created[cid] + span * (level - start_level[cid] + 1)


@njit(cache=True)
def begin(cid, t, desk1, desk2, cs, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf):
    """``handling.begin``: the case's file reaches its first handler at ``t``: it queues for coordination
    (``escalation.start``: ad hoc, or the 135 rule's first request and its escalation event; its steps
    held; skipped when no desk has staff), else its first step (all, when joint) is released."""
    matter, township, delegated, desk_decided, whistle, needs_coord, joint, difficulty, tier = cs
    if whistle[cid]:
        # the township blew the whistle: every step at once, the departments' steps urgent, and the township
        # meets each department on site (its hours owed as duty, handling._release)
        first = fl[2][cid]
        release_steps(cid, t, True, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)
        off = fl[0][cid]
        for i in range(first, fl[2][cid]):
            if hi[fl[5][off + i], HI_KIND] == DEPT:
                hf[int(pf[PF_TOWN_HID0]) + township[cid], HF_DUTY_BACKLOG] += pf[PF_SITE]
        return
    if pf[PF_135] != 0.0:
        level = esc[0][cid]
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
def withdraw_coord(cid, hi, tk, fl, esc):
    """``escalation.withdraw``: the case's coordination requests not yet started, cancelled."""
    fl_aux, fl_c = fl[10], esc[8]
    for j in range(3):
        task = fl_aux[cid] if j == 0 else fl_c[cid, j - 1]
        if task < 0 or tk[0][task] != cid or tk[8][task] != COORD:
            continue
        state = tk[3][task]
        if state == WAITING:
            tk[3][task] = CANCELLED
            hi[tk[1][task], HI_OPEN] -= 1
        elif state == PENDING:
            tk[3][task] = CANCELLED
    fl_c[cid, 0] = -1
    fl_c[cid, 1] = -1


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
def submit_batch(ids, times, fwd, intake, hi, tk, fl, pf, rng, rb, evt, evi, ctr, esc, hf):
    """``handling.submit`` for a batch of new cases, in their order (intake's): open each flow, then begin
    it (``begin``), or, for a case filed at a township hall or through a commissioner (``fwd[j]`` ≥ 0, the
    handler), queue the forwarding of its file (``referral.start``). A case decided at the centre is one
    step of the level-1 desk. Returns the (maybe grown) heap arrays."""
    town_hid0, desk1, desk2, dispatch, cat_deps, cat_n, cs = intake
    matter, township, delegated, desk_decided, whistle, needs_coord, joint, difficulty, tier = cs
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    ub, eb, zb, ridx = rb
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
        if desk_decided[cid]:  # decided on the spot by a chief representative (handling.steps_of)
            n = 1
            fl_steps[nsteps] = desk1
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
def next_courier(pf, t, paper):
    """``referral.next_courier``: when a file sent at ``t`` reaches the seat (the next courier run on paper)."""
    interval = pf[PF_COURIER_DAYS]
    if not paper or interval <= 0:
        return t
    step = interval * HOURS
    return (math.floor(t / step + 1e-12) + 1) * step


@njit(cache=True)
def run_until(
    t_end, now, hf, hi, srv, tk, fl, cs, cat, travel_hours, pf, rng, rb, logs, evt, evi, ctr, intake, hq, ent, esc
):
    """``Engine.run_until`` with ``handling``'s step flow and ``resolution``'s closing compiled.

    Processes every event before ``t_end`` (hours); returns the (maybe grown) heap arrays. The
    closed cases, the referrals between handlers and the repeat contacts are written to ``logs`` in
    the order they happened; a path the kernel does not cover sets ``ctr[CTR_STATUS]``.
    """
    s_status, s_token, s_free, s_pend, s_base, s_idle = srv
    tk_case, tk_h, tk_stage, tk_state, tk_seq, tk_noise, tk_hours, tk_arrival, tk_kind = tk
    fl_off, fl_n, fl_next, fl_live, fl_open, fl_steps, cw_need, cw_done, cw_has, fl_task, fl_aux, cw_start, cw_clock = (
        fl
    )
    matter, township, at_seat, delegated, outstanding, started, closed, trips, seat_trips, travel = cs[0]
    resolved, called_back, work_share, joint = cs[1]
    created, referred, hop_clerk, hop_courier, misrouted, hop_misrouted, grid_hours = cs[2]
    reworks, online, handled, cat_owner = cs[3]
    town_hid0, desk1, desk2, dispatch, _deps, _n, cs_in = intake
    cat_hours, cat_deps, cat_n = cat
    ub, eb, zb, ridx = rb
    closed_log, ref_from, ref_to, rep_due, rep_cid, acc = logs
    one_stop = pf[PF_ONE_STOP] != 0.0
    most = 1
    for m in range(cat_n.shape[0]):
        most = max(most, cat_n[m])
    while ctr[CTR_NEV] > 0 and evt[0] < t_end:
        if ctr[CTR_STATUS] != OK:
            break
        if ctr[CTR_NTASK] + most + 2 > tk_case.shape[0] or ctr[CTR_NENT] + most + 2 > ent[0].shape[0]:
            # an event adds at most a case's steps (or a rework, a request) and re-keys at most its steps
            ctr[CTR_STATUS] = E_ROOM
            break
        evt, evi = ev_room(evt, evi, ctr, most + 4)  # an event pushes at most a case's steps and two more
        slot = ev_pop(evt, evi, ctr)
        t = evt[slot]
        kind = evi[slot, 1]
        a = evi[slot, 2]
        b = evi[slot, 3]
        now = t
        serve_h = -1
        serve_k = -1
        if kind == ARRIVE:
            task = a
            if tk_state[task] != PENDING:
                continue
            h = tk_h[task]
            tk_arrival[task] = t
            tk_state[task] = WAITING
            hi[h, HI_OPEN] += 1
            hq = hq_room(hq, hi, h)
            k1, k2 = task_key(task, tk, pf, hi, esc)
            q_push(hq, hi, ent, tk, ctr, h, task, k1, k2)
            if hi[h, HI_IDLE_N] > 0:
                hi[h, HI_IDLE_N] -= 1
                serve_h = h
                serve_k = s_idle[hi[h, HI_S0] + hi[h, HI_IDLE_N]]
        elif kind == FINISH:
            task = a
            k = b
            h = tk_h[task]
            tk_state[task] = DONE
            hi[h, HI_OPEN] -= 1
            cid = tk_case[task]
            if tk_kind[task] == COORD:
                # escalation.coordinated: the other requests withdrawn, the departments' attendance, then the
                # steps released (ad hoc), or the case first in every queue it needs (the 135 rule)
                withdraw_coord(cid, hi, tk, fl, esc)
                if fl_open[cid]:
                    level = tk_stage[task]
                    hours = pf[PF_ATTEND] * (pf[PF_COORD1] if level == 1 else pf[PF_COORD2])
                    if hours > 0:
                        m = matter[cid]
                        skip = 1 if level == 1 else 0  # the level-1 coordinator's own department
                        count = 0
                        for i in range(cat_n[m]):
                            d = cat_deps[m, i]
                            if d < 0:
                                continue
                            if skip > 0:
                                skip -= 1
                                continue
                            hf[d, HF_DUTY_BACKLOG] += hours
                            count += 1
                        acc[0] += hours * count
                    if pf[PF_135] != 0.0:
                        hq = boost_case(
                            cid, level, t, hq, hi, ent, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, joint
                        )
                    elif fl_next[cid] == 0:
                        release_steps(cid, t, joint[cid], tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)
            elif tk_kind[task] == FORWARD:
                # referral.finished: the file goes on (maybe to the wrong department first)
                if fl_open[cid]:
                    hk = hi[h, HI_KIND]
                    if tk_stage[task] == FIRST:
                        hop_clerk[cid] = t - created[cid]
                        if hk == COMMISSIONER:
                            if referred[cid]:  # filed with the township, which refers it up: forwarded in turn
                                fh = dispatch if pf[PF_ONLINE_DISPATCH] != 0 else town_hid0 + township[cid]
                                fl_aux[cid] = new_task(tk, ctr, cid, fh, FORWARD, FIRST, t, evt, evi)
                            else:
                                begin(
                                    cid,
                                    t,
                                    desk1,
                                    desk2,
                                    cs_in,
                                    hi,
                                    tk,
                                    fl,
                                    pf,
                                    rng,
                                    eb,
                                    zb,
                                    ridx,
                                    evt,
                                    evi,
                                    ctr,
                                    esc,
                                    hf,
                                )
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
            else:
                fl_live[cid] -= 1
            # handling.on_finish: the next step, or the case closes
            if tk_kind[task] == STEP and fl_open[cid]:
                offline_runs = at_seat[cid] and not one_stop
                redo = False
                if hi[h, HI_KIND] == TOWN and delegated[cid] and tk_stage[task] == 0:
                    # the township's delegated step: its learning curve, maybe rework, else the owner's oversight
                    m = matter[cid]
                    town = h - town_hid0
                    comp = competence(pf, handled[town, m])
                    handled[town, m] += 1
                    if draw_uniform(rng, ub, ridx) < pf[PF_REWORK] * (1.0 - comp):
                        redo = True
                        reworks[cid] += 1
                        if not online[cid]:  # the requester brings the corrected file to the township hall
                            trips[cid] += 1
                        stage = tk_stage[task]
                        nz = draw_noise(pf, rng, eb, zb, ridx)
                        new = ctr[CTR_NTASK]
                        ctr[CTR_NTASK] = new + 1
                        tk_case[new] = cid
                        tk_h[new] = h
                        tk_stage[new] = stage
                        tk_state[new] = PENDING
                        tk_noise[new] = nz
                        tk_hours[new] = 0.0
                        tk_arrival[new] = 0.0
                        tk_kind[new] = STEP
                        fl_task[fl_off[cid] + stage] = new
                        fl_live[cid] += 1
                        ev_push(evt, evi, ctr, t, ARRIVE, new, 0, 0)
                    else:
                        owner = cat_owner[m]
                        if owner >= 0:  # oversight of the delegated power stays with the department
                            hf[owner, HF_DUTY_BACKLOG] += pf[PF_OVERSIGHT]
                if not redo:
                    outstanding[cid] -= 1
                if redo:
                    pass  # reworked: the step runs again
                elif outstanding[cid] <= 0:
                    # handling.close and resolution.on_close (not gamed, not a dispute, not delegated)
                    closed[cid] = t
                    done = 1.0
                    worked = 0.0
                    if cw_has[cid]:
                        worked = cw_done[cid]
                        if cw_need[cid] > 0:
                            done = min(cw_done[cid] / cw_need[cid], 1.0)
                        cw_has[cid] = False
                    work_share[cid] = done
                    if matter[cid] == pf[PF_MEDIATION_ID]:
                        # a dispute in local mediation: settled more often the more hours the mediators spent
                        # (the township's work on it and a grid worker's, resolution.mediation_success)
                        mediated = worked + grid_hours[cid]
                        p_res = pf[PF_LOCAL_MEDIATION] * (1.0 - math.exp(-max(mediated, 0.0) / pf[PF_DISPUTE_HOURS]))
                    else:
                        comp = 1.0  # a delegated case: the township's competence now (resolution)
                        if delegated[cid]:
                            m = matter[cid]
                            comp = 1.0 - pf[PF_REWORK] * (1.0 - competence(pf, handled[township[cid], m]))
                        scale = max(done, 0.0) ** pf[PF_THETA] if done < 1 else 1.0
                        p_res = pf[PF_RES_BASE] * comp * scale
                    res = draw_uniform(rng, ub, ridx) < p_res
                    resolved[cid] = res
                    if pf[PF_CALLBACK] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_CALLBACK]:
                        called_back[cid] = True
                    if not res and pf[PF_REPEAT] > 0 and draw_uniform(rng, ub, ridx) < pf[PF_REPEAT]:
                        j = ctr[CTR_NREP]
                        rep_due[j] = t + draw_exponential(rng, eb, ridx) * pf[PF_REPEAT_DAYS] * HOURS
                        rep_cid[j] = cid
                        ctr[CTR_NREP] = j + 1
                    closed_log[ctr[CTR_NCLOSED]] = cid
                    ctr[CTR_NCLOSED] += 1
                    fl_open[cid] = False
                    ctr[CTR_OPEN] -= 1
                    withdraw_coord(cid, hi, tk, fl, esc)  # handling.close: its coordination requests withdrawn
                    ctr[CTR_UNRELEASED] -= fl_n[cid] - fl_next[cid]
                    if fl_live[cid] > 0:
                        ctr[CTR_STATUS] = E_LIVE_AT_CLOSE
                        break
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
            # the server: back to duty or absence owed, else the next task
            if k < hi[h, HI_N]:
                s = hi[h, HI_S0] + k
                back = s_pend[s]
                s_pend[s] = -1.0
                if back > t:
                    s_status[s] = ASLEEP
                    s_token[s] += 1
                    s_free[s] = back
                    ev_push(evt, evi, ctr, back, WAKE, h, k, s_token[s])
                else:
                    serve_h = h
                    serve_k = k
        elif kind == ESCALATE:
            # escalation's escalate_due: still at this level when its share of the deadline has passed
            cid = a
            level = esc[0]
            if fl_open[cid] and level[cid] == b and pf[PF_135] != 0.0:
                new = b + 1
                level[cid] = new
                esc[3][cid] += 1
                esc[9][new] += 1
                request(cid, new, t, desk1, desk2, hi, tk, ctr, evt, evi, esc)
                tr = esc[6][cid]
                if new < (tr + 1 if tr else 0):
                    ev_push(evt, evi, ctr, due(cid, new, pf, esc), ESCALATE, cid, new, 0)
        elif kind == COURIER:
            # referral's courier arrival: the file reaches its department
            cid = a
            if fl_open[cid]:
                if misrouted[cid]:
                    hop_misrouted[cid] = t - created[cid] - hop_clerk[cid] - hop_courier[cid]
                begin(cid, t, desk1, desk2, cs_in, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf)
        else:
            h = a
            k = b
            if k < hi[h, HI_N]:
                s = hi[h, HI_S0] + k
                if s_token[s] == evi[slot, 4] and s_status[s] == ASLEEP:
                    serve_h = h
                    serve_k = k
        if serve_h < 0:
            continue
        # Engine._serve
        h = serve_h
        k = serve_k
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
            continue
        tk_state[task] = RUNNING
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
        tk_hours[task] = clock
        hi[h, HI_SERVED] += 1
        hf[h, HF_WORKED_TODAY] += clock
        hf[h, HF_WORKED_TOTAL] += clock
        s_status[s] = BUSY
        end = finish_time(now, clock, s_base[s])
        s_free[s] = end
        ev_push(evt, evi, ctr, end, FINISH, task, k, 0)
    return evt, evi, hq


@njit(cache=True)
def work_day(
    day,
    t_end,
    now,
    ids,
    times,
    fwd,
    intake,
    hf,
    hi,
    srv,
    tk,
    fl,
    cs,
    cat,
    travel_hours,
    pf,
    rng,
    rb,
    logs,
    evt,
    evi,
    ctr,
    hq,
    ent,
    esc,
):
    """A working day in one call: intake's batch of new cases (``submit_batch``; none when ``ids`` is empty),
    ``start_day`` (skipped when ``day < 0``), then ``run_until(t_end)``. Returns the event heap's and the
    queues' (maybe grown) arrays."""
    if ids.shape[0] > 0:
        evt, evi = submit_batch(ids, times, fwd, intake, hi, tk, fl, pf, rng, rb, evt, evi, ctr, esc, hf)
        if ctr[CTR_STATUS] != OK:
            return evt, evi, hq
    if day >= 0:
        s_status, s_token, s_free, s_pend, s_base, s_idle = srv
        evt, evi = start_day(day, hf, hi, s_status, s_token, s_free, s_pend, s_base, s_idle, evt, evi, ctr)
    return run_until(
        t_end, now, hf, hi, srv, tk, fl, cs, cat, travel_hours, pf, rng, rb, logs, evt, evi, ctr, intake, hq, ent, esc
    )
