"""Satisfaction from outcomes: what really happened to a request, not whether it was closed (F6).

When a case closes, its requester judges it

    s_case = clip(1 − 0.5·(1 − resolved) − 0.3·min(1, overdue / promised) − 0.05·trips
                  − 0.02·travel hours − 0.1·repeats − 0.3·petitioned, 0, 1)

* ``resolved``: really resolved (``resolution``); a case closed without solving counts as not;
* ``overdue``: time from the chain's first filing to this closure beyond the first promised
  deadline, ``promised`` = that deadline's length (waiting against the promise, chain included);
* ``trips`` and ``travel hours`` of this contact (zero trips is better than one, F6);
* ``repeats``: earlier contacts of the same chain (a repeat contact costs goodwill);
* ``petitioned``: the dispute went up as a petition.

The requester's satisfaction moves ``s ← s + α (s_case − s)`` (α =
``satisfaction_learning``), and so does its memory of the channel it used
(``channel``). The weights are assumptions (ordinal: a real failure weighs
more than waiting, waiting more than a trip); the warm-up (pre-reform regime)
brings satisfaction to its stationary pre-reform level before counting starts.
"""

from __future__ import annotations

import numpy as np

W_UNRESOLVED, W_OVERDUE, W_TRIP, W_TRAVEL_HOUR, W_REPEAT, W_PETITION = 0.5, 0.3, 0.05, 0.02, 0.1, 0.3


def case_satisfaction(resolved, overdue_share, trips, travel_hours, repeats, petitioned) -> np.ndarray:
    s = (
        1.0
        - W_UNRESOLVED * (1.0 - np.asarray(resolved, float))
        - W_OVERDUE * np.clip(np.asarray(overdue_share, float), 0.0, 1.0)
        - W_TRIP * np.asarray(trips, float)
        - W_TRAVEL_HOUR * np.asarray(travel_hours, float)
        - W_REPEAT * np.asarray(repeats, float)
        - W_PETITION * np.asarray(petitioned, float)
    )
    return np.clip(s, 0.0, 1.0)


def ewma_update(arr: np.ndarray, idx: np.ndarray, values: np.ndarray, alpha: float) -> None:
    """``arr[i] += α (v − arr[i])`` for each (i, v) in order, vectorised (repeated rows in turn)."""
    idx = np.asarray(idx)
    values = np.asarray(values, float)
    while len(idx):
        _, first = np.unique(idx, return_index=True)
        i = idx[first]
        arr[i] += alpha * (values[first] - arr[i])
        keep = np.ones(len(idx), bool)
        keep[first] = False
        idx, values = idx[keep], values[keep]
