"""Satisfaction from outcomes: what really happened to a request, not whether it was closed (F6).

When a case closes, its requester judges it

    s_case = clip(1 − w_u·(1 − resolved) − w_o·min(1, overdue / promised) − w_t·trips
                  − w_h·travel hours − w_r·repeats − w_p·petitioned, 0, 1)

with the weights ``satisfaction_unresolved_weight`` (w_u = 0.5), ``satisfaction_overdue_weight``
(w_o = 0.3), ``satisfaction_trip_weight`` (w_t = 0.05 per trip), ``satisfaction_travel_weight``
(w_h = 0.02 per hour), ``satisfaction_repeat_weight`` (w_r = 0.1 per earlier contact) and
``satisfaction_petition_weight`` (w_p = 0.3), and

* ``resolved``: really resolved (``resolution``); a case closed without solving counts as not;
* ``overdue``: time from the chain's first filing to this closure beyond the first promised
  deadline, ``promised`` = that deadline's length (waiting against the promise, chain included);
* ``trips`` and ``travel hours`` of this contact (zero trips is better than one, F6);
* ``repeats``: earlier contacts of the same chain (a repeat contact costs goodwill);
* ``petitioned``: the dispute went up as a petition.

The requester's satisfaction moves ``s ← s + α (s_case − s)`` (α =
``satisfaction_learning``), and so does its memory of the channel it used
(``channel``). The weights are assumptions with plausible ranges (ordinal: a real failure
weighs more than waiting, waiting more than a trip); the warm-up (pre-reform regime)
brings satisfaction to its stationary pre-reform level before counting starts.
"""

from __future__ import annotations

import numpy as np

from .params import Params

_DEFAULTS = Params()


def case_satisfaction(
    resolved, overdue_share, trips, travel_hours, repeats, petitioned, params: Params | None = None
) -> np.ndarray:
    """Each closed case's satisfaction in [0, 1] (weights from ``params``; the defaults without)."""
    p = params if params is not None else _DEFAULTS
    s = (
        1.0
        - p.satisfaction_unresolved_weight * (1.0 - np.asarray(resolved, float))
        - p.satisfaction_overdue_weight * np.clip(np.asarray(overdue_share, float), 0.0, 1.0)
        - p.satisfaction_trip_weight * np.asarray(trips, float)
        - p.satisfaction_travel_weight * np.asarray(travel_hours, float)
        - p.satisfaction_repeat_weight * np.asarray(repeats, float)
        - p.satisfaction_petition_weight * np.asarray(petitioned, float)
    )
    return np.clip(s, 0.0, 1.0)


def ewma_update(arr: np.ndarray, idx: np.ndarray, values: np.ndarray, alpha: float) -> None:
    """``arr[i] += α (v − arr[i])`` for each (i, v) in order, vectorised (repeated rows in turn)."""
    idx = np.asarray(idx)
    values = np.asarray(values, float)
    if arr.dtype == np.float64 and len(idx):  # the same double arithmetic as below, without a sort per round
        rows = idx.tolist()
        if len(set(rows)) == len(rows):  # no row twice: one vectorised update
            arr[idx] += alpha * (values - arr[idx])
            return
        now: dict[int, float] = {}
        for i, v in zip(rows, values.tolist()):
            a = now[i] if i in now else float(arr[i])
            now[i] = a + alpha * (v - a)
        arr[np.fromiter(now.keys(), np.int64, len(now))] = np.fromiter(now.values(), float, len(now))
        return
    while len(idx):
        _, first = np.unique(idx, return_index=True)
        i = idx[first]
        arr[i] += alpha * (values[first] - arr[i])
        keep = np.ones(len(idx), bool)
        keep[first] = False
        idx, values = idx[keep], values[keep]
