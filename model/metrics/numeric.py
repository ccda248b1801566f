"""Small numeric helpers shared by the KPI computations (NaN when undefined)."""

from __future__ import annotations

import numpy as np


def rate(num, den) -> float:
    """``sum(num) / sum(den)``; NaN when the denominator is 0."""
    den = int(np.sum(den))
    return float(np.sum(num)) / den if den else float("nan")


def mean(x) -> float:
    """The mean of ``x``; NaN when empty."""
    return float(np.mean(x)) if len(x) else float("nan")


def participation(model) -> float:
    """Mean propensity of citizens to report through the grid app (NaN without citizens)."""
    r = model.citizen_state["report"]
    return float(r.mean()) if len(r) else float("nan")
