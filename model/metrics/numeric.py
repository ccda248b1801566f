"""Small numeric helpers shared by the KPI computations (NaN when undefined)."""

from __future__ import annotations

import numpy as np


def rate(num, den) -> float:
    """``sum(num) / sum(den)``; NaN when the denominator is 0."""
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def mean(x) -> float:
    """The mean of ``x``; NaN when empty. The same pairwise sum and division as ``np.mean`` (bit for bit),
    without its dispatch: float64, integer and boolean values; anything else goes to ``np.mean``."""
    a = np.asarray(x)
    n = a.size
    if not n:
        return float("nan")
    if a.dtype == _F8:
        return float(np.add.reduce(a, axis=None)) / n
    if a.dtype.kind in "biu":
        return float(np.add.reduce(a, axis=None, dtype=_F8)) / n
    return float(np.mean(a))


_F8 = np.dtype(np.float64)


def participation(model) -> float:
    """Mean propensity of citizens to report through the grid app (NaN without citizens)."""
    r = model.citizen_state["report"]
    return mean(r)  # NaN when empty
