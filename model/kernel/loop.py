"""The kernel's event loop and the day's one call: events dispatched in (time, sequence number) order."""

from __future__ import annotations

from numba import njit

from .coordination import coordinated, escalate_due
from .events import ev_pop, ev_room
from .flows import begin, submit_batch
from .forwarding import forwarded
from .layout import (
    ARRIVE,
    ASLEEP,
    COORD,
    COURIER,
    CTR_NENT,
    CTR_NEV,
    CTR_NTASK,
    CTR_STATUS,
    DONE,
    E_ROOM,
    ESCALATE,
    FINISH,
    FORWARD,
    HI_N,
    HI_OPEN,
    HI_S0,
    OK,
    PENDING,
    STEP,
)
from .queues import arrive
from .servers import server_back, start_day
from .service import serve
from .steps import step_finished


@njit(cache=True)
def run_until(
    t_end, now, hf, hi, srv, tk, fl, cs, cat, travel_hours, pf, rng, rb, logs, evt, evi, ctr, intake, hq, ent, esc
):
    """``Engine.run_until`` with ``handling``'s step flow and ``resolution``'s closing compiled.

    Processes every event before ``t_end`` (hours); returns the (maybe grown) heap arrays. The
    closed cases, the referrals between handlers and the repeat contacts are written to ``logs`` in
    the order they happened; a path the kernel does not cover sets ``ctr[CTR_STATUS]``.
    Over 60 lines: the event loop's dispatch, one branch per event kind, each a call.
    """
    s_status, s_token = srv[0], srv[1]
    tk_case, tk_state, tk_kind = tk[0], tk[3], tk[8]
    fl_open, fl_live = fl[4], fl[3]
    matter, joint = cs[0][0], cs[1][3]
    created, hop_clerk, hop_courier, misrouted, hop_misrouted = cs[2][0], cs[2][2], cs[2][3], cs[2][4], cs[2][5]
    town_hid0, desk1, desk2, dispatch, _deps, _n, cs_in = intake
    cat_hours, cat_deps, cat_n = cat
    ub, eb, zb, ridx = rb
    acc = logs[5]
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
            if tk_state[a] != PENDING:
                continue
            hq, serve_k = arrive(a, t, hi, srv[5], tk, pf, ent, ctr, hq, esc)
            if serve_k >= 0:
                serve_h = tk[1][a]
        elif kind == FINISH:
            task = a
            h = tk[1][task]
            tk_state[task] = DONE
            hi[h, HI_OPEN] -= 1
            cid = tk_case[task]
            if tk_kind[task] == COORD:
                hq = coordinated(
                    task, cid, t, hf, hi, tk, fl, matter, joint, cat, acc, pf, rng, rb, evt, evi, ctr, hq, ent, esc
                )
            elif tk_kind[task] == FORWARD:
                forwarded(task, h, cid, t, hi, tk, fl, cs, intake, pf, rng, rb, evt, evi, ctr, esc, hf)
            else:
                fl_live[cid] -= 1
            if tk_kind[task] == STEP and fl_open[cid]:
                if not step_finished(
                    task, h, cid, t, hf, hi, tk, fl, cs, town_hid0, travel_hours, pf, rng, rb, logs, evt, evi, ctr, esc
                ):
                    break
            if server_back(h, b, t, hi, srv, evt, evi, ctr):
                serve_h = h
                serve_k = b
        elif kind == ESCALATE:
            escalate_due(a, b, t, desk1, desk2, hi, tk, fl, pf, evt, evi, ctr, esc)
        elif kind == COURIER:
            # referral's courier arrival: the file reaches its department
            cid = a
            if fl_open[cid]:
                if misrouted[cid]:
                    hop_misrouted[cid] = t - created[cid] - hop_clerk[cid] - hop_courier[cid]
                begin(cid, t, desk1, desk2, cs_in, hi, tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr, esc, hf)
        else:
            if b < hi[a, HI_N]:
                s = hi[a, HI_S0] + b
                if s_token[s] == evi[slot, 4] and s_status[s] == ASLEEP:
                    serve_h = a
                    serve_k = b
        if serve_h >= 0:
            serve(serve_h, serve_k, now, hf, hi, srv, tk, fl, cs, town_hid0, cat_hours, pf, evt, evi, ctr, hq, ent, esc)
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
