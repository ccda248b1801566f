"""``model.feedback``'s day on the compiled engine: the day's closures judged, and the enterprises' life cycle,
each in one kernel call.

In numpy a day's judgements are ~60 small calls (the chain's outcome gathered column by column, the
satisfaction expression, a mask and a judge per requester kind, the owners' counters, the reports learnt);
:func:`judge_day` does them in one loop over the closed cases, with the reference's doubles: each case's
satisfaction is ``satisfaction.case_satisfaction``'s expression evaluated left to right as numpy does it
elementwise (``np.clip``, ``np.divide(..., where=)`` and ``np.maximum`` as scalar branches that keep a NaN),
the requesters' updates ``a + α (v − a)`` case by case (``satisfaction.ewma_update``: a requester with several
cases in turn; ``judge.judge_rows``), the owners' counters as ``closures.count_closures`` and the reports'
Bush–Mosteller steps as ``grid.bush_mosteller``. The enterprises' and citizens' arrays are distinct, so one
pass in case order updates each as the reference's per-kind passes do.

:func:`life_cycle_day` takes the model's random Generator (as ``rawrng``'s addresses): the two uniform
draws per firm (numba's ``Generator.random`` is numpy's; for a PCG64 Generator both runs made at once,
``pcg64``'s two chains: the same doubles), the moves and exits (``judge.life_cycle_rows``), the
live firms' mean satisfaction (``pairwise``: ``numeric.mean``'s double) and the entry Poisson draw (numba's
``Generator.poisson`` is numpy's), in the reference's order. ``tests/test_day6_judge.py`` compares both with
``model.feedback``'s numpy reference.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .calls import Direct
from .closures import count_closures
from .judge import judge_row, life_cycle_row, life_cycle_rows
from .pairwise import pairwise_mean
from .pcg64 import draw, pair_start
from .rawrng import generator


@njit(cache=True)
def _clip01(x):
    """``np.clip(x, 0.0, 1.0)`` of a double (a NaN stays NaN)."""
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@njit(cache=True)
def judge_day(ids, cases, reals, kinds, firms, citizens, report, counts, lates, cases_dt, bad_dt, s_case, late):
    """Judge the closed cases ``ids`` (int64, in order): fills ``s_case`` (each case's satisfaction, 0–1) and
    ``late`` (closed after its own deadline), updates the requesters' arrays ``firms`` and ``citizens``
    (satisfaction, online and offline memories, trips), the citizens' app ``report`` propensities of the
    reported cases, and the owners' counters (``closures.count_closures``: ``counts``/``lates`` filled,
    ``cases_dt``/``bad_dt`` added to).

    ``cases``: the case table's columns (closed, deadline, created, repeat_of, resolved, trips, travel,
    contact, petitioned, requester_kind, requester, online, reported, matter, delegated, township) and the
    catalogue's owner column; ``reals``: the six satisfaction weights (unresolved, overdue, trip, travel
    hours, repeat, petition), the learning rate α, an ignored report's stimulus and the reporting learning
    rate; ``kinds``: the enterprise requester code."""
    closed, deadline, created, repeat_of, resolved, trips, travel, contact = cases[:8]
    petitioned, kind, requester, online, reported, matter, delegated, township, owner = cases[8:]
    w_u, w_o, w_t, w_h, w_r, w_p, alpha, ignored, rate = reals
    sat_f, on_f, off_f, trips_f = firms
    sat_c, on_c, off_c, trips_c = citizens
    for k in range(ids.shape[0]):
        cid = ids[k]
        r = repeat_of[cid]
        root = r if r >= 0 else cid  # ``resolution.root_of``
        promised = deadline[root] - created[root]
        over = closed[cid] - deadline[root]
        if over < 0.0:  # np.maximum(0.0, ·): a NaN stays NaN
            over = 0.0
        share = over / promised if promised > 0 else 0.0
        res = 1.0 if resolved[cid] else 0.0
        pet = 1.0 if (petitioned[root] or petitioned[cid]) else 0.0
        s = 1.0 - w_u * (1.0 - res)
        s = s - w_o * _clip01(share)
        s = s - w_t * float(trips[cid])
        s = s - w_h * travel[cid]
        s = s - w_r * float(contact[cid])
        s = s - w_p * pet
        v = _clip01(s)
        s_case[k] = v
        is_late = closed[cid] > deadline[cid]
        late[k] = is_late
        row = requester[cid]
        if kind[cid] == kinds:
            sat, mem_on, mem_off, trips_total = sat_f, on_f, off_f, trips_f
        else:
            sat, mem_on, mem_off, trips_total = sat_c, on_c, off_c, trips_c
        judge_row(sat, mem_on, mem_off, trips_total, row, v, trips[cid], online[cid], alpha)
        if reported[cid]:  # ``Citizen.learn_reporting``: acted on when really resolved by its deadline
            x = 1.0 if (resolved[cid] and not is_late) else ignored
            p = report[row]
            report[row] = p + rate * x * (1.0 - p) if x >= 0 else p + rate * x * p
    count_closures(ids, late, matter, delegated, township, resolved, owner, counts, lates, cases_dt, bad_dt)


@njit(cache=True)
def life_cycle_day(rng_addresses, state, stage, sat, reals, stages, exits):
    """``feedback.enterprise_life_cycle``'s draws and arithmetic for the firms' rows ``stage``/``sat`` (int8
    stages moved in place): the growth and exit uniforms, the moves and exits (their rows in ``exits``,
    ascending), the live count, the live firms' mean satisfaction and the entry Poisson draw. ``reals``:
    1/startup days, 1/growth days, exit base, exit sensitivity, exit threshold, entry rate, entry reference,
    the starting satisfaction (the mean when no firm lives, an entrant's); ``rng_addresses``: the model's Generator
    (``rawrng.addresses``); ``state``: its PCG64 state (``pcg64.state_view``: the uniforms made here, the same
    doubles) or empty (drawn through the Generator). Returns (exits, live, mean satisfaction, entries, the mean
    with the entrants' rows appended: the day's KPI, ``metrics.collect.enterprise_stocks``)."""
    rng = generator(rng_addresses)
    n = stage.shape[0]
    p_grow, p_mature, base, sens, threshold, entry_rate, reference, start = reals
    u = np.empty(n)  # the live firms' satisfaction, in row order (``sat[alive]``), at its head
    if state.shape[0] == 4:  # the two runs of uniforms made here (the same doubles and state: ``pcg64``)
        k, live = _rows_drawn(state, stage, sat, u, p_grow, p_mature, base, sens, threshold, stages, exits)
    else:
        u = rng.random(n)
        v = rng.random(n)
        alive = np.empty(n, dtype=np.bool_)
        k = life_cycle_rows(stage, sat, u, v, p_grow, p_mature, base, sens, threshold, stages, alive, exits)
        live = 0
        for i in range(n):
            if alive[i]:
                u[live] = sat[i]
                live += 1
    mean_sat = pairwise_mean(u, live) if live else start
    lam = entry_rate * max(live, 1) * mean_sat / reference
    entries = rng.poisson(lam) if lam > 0 else 0
    after = mean_sat
    if entries:  # the live firms' mean once the entrants' rows (live, at the start value) follow theirs
        m = live + entries
        buf = u
        if m > n:  # (element loops: slice assignments cost numba seconds of compiling)
            buf = np.empty(m)
            for i in range(live):
                buf[i] = u[i]
        for i in range(live, m):
            buf[i] = start
        after = pairwise_mean(buf, m)
    return k, live, mean_sat, entries, after


@njit(cache=True)
def _rows_drawn(state, stage, sat, live_sat, p_grow, p_mature, base, sens, threshold, stages, exits):
    """``fill_pair``'s two runs of uniforms and ``life_cycle_rows``' pass in one loop: row ``i``'s growth uniform
    is the first run's ``i``-th draw, its exit uniform the second's (``pcg64.pair_start``, ``draw``: the same
    doubles, the state left after the ``2n`` draws), each used as it is made; the live firms' satisfaction written
    to the head of ``live_sat`` in row order. Returns (exits, live)."""
    a_lo, a_hi, b_lo, b_hi, inc_lo, inc_hi = pair_start(state, stage.shape[0])
    k = live = 0
    exited = stages[3]
    for i in range(stage.shape[0]):
        if stage[i] == exited:  # a firm that exited before: its draws made, their doubles unused (``life_cycle_row``
            a_lo, a_hi, _ = draw(a_lo, a_hi, inc_lo, inc_hi)  # returns 0 and moves nothing), so only the chains step
            b_lo, b_hi, _ = draw(b_lo, b_hi, inc_lo, inc_hi)
            continue
        a_lo, a_hi, u = draw(a_lo, a_hi, inc_lo, inc_hi)
        b_lo, b_hi, v = draw(b_lo, b_hi, inc_lo, inc_hi)
        now = life_cycle_row(stage, sat, i, u, v, p_grow, p_mature, base, sens, threshold, stages)
        if now == 2:
            exits[k] = i
            k += 1
        elif now == 1:
            live_sat[live] = sat[i]
            live += 1
    state[0] = b_lo
    state[1] = b_hi
    return k, live


judge_day_call = Direct(judge_day)
"""``judge_day`` called without numba's type dispatch (``calls.Direct``)."""
life_cycle_day_call = Direct(life_cycle_day)
"""``life_cycle_day`` called without numba's type dispatch (``calls.Direct``)."""
