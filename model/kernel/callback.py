"""The call-back desk's daily budget in the kernel (``callback.take``'s arithmetic)."""

from __future__ import annotations

import math

from .layout import HOURS, PF_CB_BUDGET, PF_CB_DAY, PF_CB_MADE, PF_CB_MISSED
from .leaf import leaf


@leaf
def take_call(t, pf):
    """A call back wanted at ``t`` (hours): made if the desk has the minutes left today (``callback.take``),
    else counted as missed; the day's counts live in ``pf`` and restart on a new day. Returns whether it is made."""
    cb_day = float(math.floor(t / HOURS))
    if cb_day != pf[PF_CB_DAY]:
        pf[PF_CB_DAY] = cb_day
        pf[PF_CB_MADE] = 0.0
        pf[PF_CB_MISSED] = 0.0
    if pf[PF_CB_BUDGET] > 0 and pf[PF_CB_MADE] + 1.0 > pf[PF_CB_BUDGET]:
        pf[PF_CB_MISSED] += 1.0
        return False
    pf[PF_CB_MADE] += 1.0
    return True
