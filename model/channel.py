"""Channel choice of citizens and enterprises: online, the township's hall, or a trip to the seat (F6, F12).

A requester files online with probability (binary logit, McFadden 1974)

    P(online) = σ( logit(online_share) + β_exp · (x_on − x_off) )

where ``x_on`` and ``x_off`` are its remembered satisfaction with cases it
filed online and offline (exponential averages, weight ``satisfaction_learning``,
both starting at the same value, so that the county starts from
``online_share``), β_exp = ``channel_experience_slope``. Offline, a matter held
by a county department is filed at the township's service hall (a referral
hop, ``intake``) or by a trip to the seat:

    P(hall | offline) = σ( logit(township_hall_share) + β_tt · (T_seat,t − T̄_seat) )

with ``T_seat,t`` the township's travel hours to the seat (``geography``),
``T̄_seat`` their population-weighted mean and β_tt = ``channel_travel_slope``:
residents far from the seat use their hall more, the county as a whole at
about ``township_hall_share``; a matter held by the township is filed at its hall.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .cases import HALL, ONLINE, SEAT

_ONLINE, _HALL, _SEAT = int(ONLINE), int(HALL), int(SEAT)  # plain ints: an enum member costs a lookup per use


@lru_cache(maxsize=64)
def _logit(p: float) -> float:
    """The logit of a lever's share, computed once per value (intake asks for it five times a day)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1.0 - p)))


def online_probability(params, exp_online: np.ndarray, exp_offline: np.ndarray) -> np.ndarray:
    """P(online) per requester (exactly ``online_share`` when experiences are equal)."""
    if params.online_share <= 0.0 or params.online_share >= 1.0:
        return np.full(len(exp_online), float(params.online_share))
    z = _logit(params.online_share) + params.channel_experience_slope * (exp_online - exp_offline)
    return 1.0 / (1.0 + np.exp(-z))


def hall_probability(params, farther_hours: np.ndarray) -> np.ndarray:
    """P(township hall | offline) for a department-held matter, ``farther_hours`` = T_seat,t − T̄_seat."""
    share = params.township_hall_share
    if share <= 0.0 or share >= 1.0:
        return np.full(len(farther_hours), float(share))
    z = _logit(share) + params.channel_travel_slope * np.asarray(farther_hours, float)
    return 1.0 / (1.0 + np.exp(-z))


def choose(
    params, u_online: np.ndarray, u_hall: np.ndarray, exp_online, exp_offline, farther_hours, township_held: np.ndarray
) -> np.ndarray:
    """Channels (``cases.ONLINE``/``HALL``/``SEAT``) from uniform draws ``u_online``, ``u_hall``."""
    online = u_online < online_probability(params, exp_online, exp_offline)
    hall = township_held | (u_hall < hall_probability(params, farther_hours))
    return np.where(online, _ONLINE, np.where(hall, _HALL, _SEAT)).astype(np.int8)
