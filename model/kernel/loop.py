"""The kernel's event loop: every event before the day's end, dispatched in (time, sequence number) order."""

# ruff: noqa: F403, F405  (the layout's constants by a star import: the loop reads some fifty of them)

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .callback import take_call
from .coordination import boost_case, due_at, request, withdraw_requests
from .delegated import competence
from .draws import draw_exponential, draw_noise, draw_uniform
from .events import ev_pop, ev_push, ev_room
from .flows import begin
from .forwarding import next_courier
from .layout import *  # the columns, kinds, states and counters (all of them: the loop reads most)
from .queues import hq_room, is_urgent, key_of, pop_entry, push_entry
from .servers import finish_time, go_idle
from .tasks import new_task, release_steps


@njit(cache=True)
def run_until(
    t_end, now, hf, hi, srv, tk, fl, cs, cat, travel_hours, pf, rng, rb, logs, evt, evi, ctr, intake, hq, ent, esc
):
    """``Engine.run_until`` with ``handling``'s step flow and ``resolution``'s closing compiled.

    Processes every event before ``t_end`` (hours); returns the (maybe grown) heap arrays. The
    closed cases, the referrals between handlers and the repeat contacts are written to ``logs`` in
    the order they happened; a path the kernel does not cover sets ``ctr[CTR_STATUS]``.

    Over 60 lines on purpose: the event loop's dispatch, one branch per event kind, kept in one function.
    Its branches split into functions (arrival, a step finished, closing, serving) doubled the kernel's time
    on the baseline county-year (0.21 → 0.45 s CPU in the day's calls), the per-call cost of handing the
    case, flow and task tables over at every event.
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
    # the arrays the helpers read, taken out of their tuples once (``queues.is_urgent``)
    e_start, e_boost, e_deadline, e_created, e_fl_c, e_whistle = esc[1], esc[2], esc[4], esc[5], esc[8], esc[11]
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
        if ctr[CTR_NEV] + most + 4 > evt.shape[0]:  # an event pushes at most a case's steps and two more
            evt, evi = ev_room(evt, evi, ctr, most + 4)
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
            h = int(np.int64(tk_h[task]))  # int64 as the queues' other callers hand it: one signature of push_entry
            tk_arrival[task] = t
            tk_state[task] = WAITING
            hi[h, HI_OPEN] += 1
            hq = hq_room(hq, hi, h)
            k1, k2 = key_of(task, tk_case, tk_h, tk_arrival, tk_kind, e_boost, e_deadline, e_whistle, hi, pf)
            push_entry(hq, hi, ent, tk_seq, ctr, h, task, k1, k2)
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
            cid = int(np.int64(tk_case[task]))  # int64 as from the event heap: one signature of each callee
            if tk_kind[task] == COORD:
                # escalation.coordinated: the other requests withdrawn, the departments' attendance, then the
                # steps released (ad hoc), or the case first in every queue it needs (the 135 rule)
                withdraw_requests(cid, fl_aux, e_fl_c, tk_case, tk_h, tk_state, tk_kind, hi)
                if fl_open[cid]:
                    level = int(np.int64(tk_stage[task]))  # int64 as the conference's level: one boost_case
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
                            if arrive != t or hop_courier[cid] != 0.0:  # a zero over its zero not written: the
                                hop_courier[cid] = arrive - t  # column's pages stay untouched when no file waits
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
                        if take_call(t, pf):  # made if the call-back desk has the minutes left today
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
                    # handling.close: its coordination requests withdrawn
                    withdraw_requests(cid, fl_aux, e_fl_c, tk_case, tk_h, tk_state, tk_kind, hi)
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
                    release_steps(cid, t + delay, np.bool_(False), tk, fl, pf, rng, eb, zb, ridx, evt, evi, ctr)
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
                    ev_push(evt, evi, ctr, due_at(cid, new, e_deadline, e_created, e_start, pf), ESCALATE, cid, new, 0)
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
        task = pop_entry(hq, hi, ent, tk_seq, tk_state, h)
        if task < 0:
            go_idle(hi, s_status, s_free, s_base, s_idle, h, k, s, now)
            continue
        tk_state[task] = RUNNING
        if tk_kind[task] == STEP:  # Engine._serve: the step's wait in the queue
            hf[h, HF_WAIT] += now - tk_arrival[task]
            hi[h, HI_WAITED] += 1
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
            if is_urgent(task, tk_case, tk_h, tk_kind, e_whistle, hi):  # a whistled case's on-site hours (workload)
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
        hf[h, HF_WORKED_TOTAL] += clock
        s_status[s] = BUSY
        end = finish_time(now, clock, s_base[s])
        hf[h, HF_WORKED_TODAY] += min(end, (math.floor(now / HOURS) + 1) * HOURS) - now  # today's part
        s_free[s] = end
        ev_push(evt, evi, ctr, end, FINISH, task, k, 0)
    return evt, evi, hq
