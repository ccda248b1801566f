"""The handlers' servers: a part-time server's finish time, the day's start (duty hours, wake-ups)."""

from __future__ import annotations

import math

from numba import njit

from .events import ev_push, ev_room
from .layout import (
    ASLEEP,
    BUSY,
    HF_DUTY_BACKLOG,
    HF_DUTY_CAP,
    HF_DUTY_TODAY,
    HF_DUTY_TOTAL,
    HF_WORKED_TODAY,
    HI_IDLE_N,
    HI_N,
    HI_S0,
    HOURS,
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
