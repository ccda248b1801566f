"""The day's one kernel call: intake's batch, the day's start, then the event loop to the day's end."""

from __future__ import annotations

from numba import njit

from .flows import submit_batch
from .layout import CTR_STATUS, OK
from .loop import run_until
from .servers import start_day


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
