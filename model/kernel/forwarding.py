"""Referral: a file forwarded by township clerks, the platform's dispatchers or commissioners."""

from __future__ import annotations

import math

from .layout import (
    HOURS,
    PF_COURIER_DAYS,
)
from .leaf import leaf


@leaf
def next_courier(pf, t, paper):
    """``referral.next_courier``: when a file sent at ``t`` reaches the seat (the next courier run on paper)."""
    interval = pf[PF_COURIER_DAYS]
    if not paper or interval <= 0:
        return t
    step = interval * HOURS
    return (math.floor(t / step + 1e-12) + 1) * step
