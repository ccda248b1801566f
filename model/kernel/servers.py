"""The handlers' servers: a part-time server's finish time, the day's start (duty hours, wake-ups), going idle,
and a day with nothing to serve."""

from __future__ import annotations

import math

from numba import njit

from .events import ev_pop, ev_push, ev_room
from .layout import (
    ASLEEP,
    BUSY,
    CTR_NEV,
    HF_DUTY_BACKLOG,
    HF_DUTY_CAP,
    HF_DUTY_TODAY,
    HF_DUTY_TOTAL,
    HF_WORKED_TODAY,
    HI_IDLE_N,
    HI_N,
    HI_QLEN,
    HI_S0,
    HOURS,
    IDLE,
    WAKE,
)
from .leaf import leaf


@leaf
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
    """``Engine.start_day``: book carried steps, take the day's duty hours off the servers, wake the idle ones."""
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
        s0 = hi[h, HI_S0]
        t_end = t0 + HOURS
        room = 0.0  # the servers' free hours today (a task carried over is booked as worked)
        for k in range(n):
            s = s0 + k
            base = s_base[s]
            if s_free[s] <= t0 + base:
                room += HOURS - base
            else:
                room += max(t_end - s_free[s], 0.0)
                if s_status[s] == BUSY:
                    hf[h, HF_WORKED_TODAY] += min(s_free[s], t_end) - (t0 + base)
        duty = min(hf[h, HF_DUTY_BACKLOG], room, hf[h, HF_DUTY_CAP])
        hf[h, HF_DUTY_BACKLOG] -= duty
        hf[h, HF_DUTY_TODAY] = duty
        hf[h, HF_DUTY_TOTAL] += duty
        share = duty / room if room > 0 else 0.0
        hi[h, HI_IDLE_N] = 0
        for k in range(n):
            s = s0 + k
            base = s_base[s]
            if s_free[s] <= t0 + base:
                avail = HOURS - base
            else:
                avail = max(t_end - s_free[s], 0.0)
            free = max(s_free[s], t0 + base) + share * avail
            s_free[s] = free
            s_token[s] += 1
            if s_status[s] == BUSY:
                s_pend[s] = free
                continue
            s_status[s] = ASLEEP
            ev_push(evt, evi, ctr, free, WAKE, h, k, s_token[s])
    return evt, evi


@leaf
def go_idle(hi, s_status, s_free, s_base, s_idle, h, k, s, now):
    """``Engine._serve`` with nothing to serve: server ``k`` of handler ``h`` (row ``s``) idle from ``now`` (hours)
    and listed idle, a part-time server as the last choice for new work."""
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


@njit(cache=True)
def quiet_day(day, t_end, hf, hi, srv, evt, evi, ctr):
    """The day's call when intake hands over no case, with a few arrays to hand over (the full call's ~80 cost
    ~20 µs to unbox): :func:`start_day` (skipped when ``day < 0``), then the events before ``t_end`` (hours)
    as ``loop.run_until`` takes them while each is a server's wake-up at a handler with nothing queued (it goes
    idle, :func:`go_idle`). Returns the heap's arrays and whether the day is done (False: the first other event
    is left on the heap, for ``run_until`` to go on from; the same events in the same order either way)."""
    s_status, s_token, s_free, s_pend, s_base, s_idle = srv
    if day >= 0:
        evt, evi = start_day(day, hf, hi, s_status, s_token, s_free, s_pend, s_base, s_idle, evt, evi, ctr)
    while ctr[CTR_NEV] > 0 and evt[0] < t_end:
        h = evi[0, 2]
        if evi[0, 1] != WAKE or hi[h, HI_QLEN] > 0:
            return evt, evi, False
        slot = ev_pop(evt, evi, ctr)
        k = evi[slot, 3]
        if k < hi[h, HI_N]:
            s = hi[h, HI_S0] + k
            if s_token[s] == evi[slot, 4] and s_status[s] == ASLEEP:
                go_idle(hi, s_status, s_free, s_base, s_idle, h, k, s, evt[slot])
    return evt, evi, True
