"""The county's call-back desk (回访): its staff's hours limit how many closed cases are called back.

A share ``callback_share`` of closed cases is drawn for a call-back (``resolution``). With
``callback_desk_posts`` = 0 (the default) every drawn call-back is made, at no one's cost. With posts
> 0 the desk has a daily budget of

    B = posts × 8 h × 60 / callback_minutes   call-backs a working day,

and makes the drawn call-backs in the order the cases close until the day's next call-back would
not fit (made today + 1 > B); the rest are not made (a gamed closure not called back is not caught).
The desk's posts are in the county's staff budget (``staffing``: ``staff_hours``, ``posts_callback_desk``,
and an equal-staff comparison funds them from department posts).
The draw is taken either way, so the random stream is the one without the desk.

The desk's state is three numbers, ``model.callback_desk``: the working day it counts, the call-backs
made that day and those drawn but not made. The compiled engine keeps them in its lever table
(``kernel.layout.PF_CB_DAY``…) and ``model.callback_desk`` is a view of them, so the kernel's
closures and Python's (gamed ones) count against one budget in the same order as the Python engine.
"""

from __future__ import annotations

import math

import numpy as np

from .params import HOURS_PER_DAY, Params

DAY, MADE, MISSED = 0, 1, 2
"""Slots of ``model.callback_desk``: the day counted, call-backs made that day, drawn but not made."""


def new_desk() -> np.ndarray:
    """An empty desk: day 0, nothing made or missed."""
    return np.zeros(3)


def daily_budget(params: Params) -> float:
    """Call-backs the desk can make a working day (0: no desk, every drawn call-back is made)."""
    if params.callback_desk_posts <= 0:
        return 0.0
    return params.callback_desk_posts * HOURS_PER_DAY * 60.0 / params.callback_minutes


def take(desk: np.ndarray, t: float, budget: float) -> bool:
    """A call-back drawn for a case closed at ``t`` (hours): made (True) while the day's budget allows
    (always when ``budget`` ≤ 0), else counted as not made. The kernel's loop does the same."""
    day = float(math.floor(t / HOURS_PER_DAY))
    if day != desk[DAY]:
        desk[DAY] = day
        desk[MADE] = 0.0
        desk[MISSED] = 0.0
    if budget > 0 and desk[MADE] + 1.0 > budget:
        desk[MISSED] += 1.0
        return False
    desk[MADE] += 1.0
    return True


def today(desk: np.ndarray, day: int) -> tuple[int, int]:
    """(call-backs made, drawn but not made) on working day ``day``."""
    if desk[DAY] != float(day):
        return 0, 0
    return int(desk[MADE]), int(desk[MISSED])
