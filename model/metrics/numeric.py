"""Small numeric helpers shared by the KPI computations (NaN when undefined)."""

from __future__ import annotations

import numpy as np


def rate(num, den) -> float:
    """``sum(num) / sum(den)``; NaN when the denominator is 0."""
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def mean(x) -> float:
    """The mean of ``x``; NaN when empty. The same pairwise sum and division as ``np.mean`` (bit for bit),
    without its dispatch: float64, float32, integer and boolean values; anything else goes to ``np.mean``."""
    a = np.asarray(x)
    n = a.size
    if not n:
        return float("nan")
    if a.dtype == _F8:
        return float(np.add.reduce(a, axis=None)) / n
    if a.dtype.kind in "biu":
        return float(np.add.reduce(a, axis=None, dtype=_F8)) / n
    if a.dtype == _F4:  # np.mean's float32 sum, and its quotient rounded to float32 (exact from the double's)
        return float(np.float32(float(np.add.reduce(a, axis=None)) / n))
    return float(np.mean(a))


_F8, _F4 = np.dtype(np.float64), np.dtype(np.float32)


def participation(model) -> float:
    """Mean propensity of citizens to report through the grid app (NaN without citizens)."""
    r = model.citizen_state["report"]
    return mean(r)  # NaN when empty
