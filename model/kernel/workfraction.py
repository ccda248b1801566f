"""The departments' and townships' work fractions of the day in one kernel call (compiled engine).

``workload.decide`` is the agents' decision (``decide_work_fraction``): from its queue's clock hours, its hours
free for cases and the look-ahead to its cases' deadlines. ``workload.decide_compiled`` takes it for every agent
at once from the queue summary (``queues.queue_summary``: every handler's queue added up in the reference's
order); :func:`work_fractions` is its arithmetic (``workload.case_capacity`` and ``workload.work_fraction``),
the same double operations in the same order, per agent (the compiled engine's ``k_work_fractions``).
"""

from __future__ import annotations

from numba import njit

from .layout import HF_CAP, HOURS

MIN_HORIZON_DAYS = 1.0  # ``workload.MIN_HORIZON_DAYS`` (a test keeps them equal)


@njit(cache=True)
def work_fractions(summary, hf, hids, backlog, duty_cap, floor, cutting, out):
    """``out[i]``: the work fraction of the agent working handler ``hids[i]``, from ``summary[h]`` (queued clock
    hours, summed slack hours, count), its capacity (``hf``), its duty owed ``backlog[i]`` and its duty cap
    ``duty_cap[i]``; ``floor`` and ``cutting``: ``work_fraction_floor`` and ``corner_cutting``."""
    for i in range(hids.shape[0]):
        h = hids[i]
        queued, slack, n = summary[h, 0], summary[h, 1], summary[h, 2]
        if n == 0 or queued <= 0:
            out[i] = 1.0
            continue
        cap = hf[h, HF_CAP]
        free = max(cap - min(min(backlog[i], cap), duty_cap[i]), 0.0)  # ``case_capacity``
        r = min(free * max(slack / n / HOURS, MIN_HORIZON_DAYS) / queued, 1.0)
        out[i] = max(floor, 1.0 - cutting * (1.0 - r))
