"""Shared test helpers: replicated paired runs and confidence intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats

from townsim.model import Params, TownshipModel

SMALL = dict(
    townships=4,
    departments=8,
    enterprises=300,
    residents=30_000,
    residents_per_agent=100,
    matter_types=40,
    department_staff=16.0,
    township_staff=12.0,
)
"""A small county for quick tests."""


def small(**changes) -> Params:
    return Params(**{**SMALL, **changes})


def replicate(params: Params, key, reps: int = 8, days: int = 100, seed0: int = 1) -> np.ndarray:
    """``key(model)`` (or summary[key]) for ``reps`` seeds (common random numbers across calls)."""
    out = []
    for s in range(seed0, seed0 + reps):
        m = TownshipModel(params, rng=s).run(days)
        out.append(key(m) if callable(key) else m.summary()[key])
    return np.asarray(out, dtype=float)


def paired_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of b − a with its t-interval (paired: same seeds)."""
    d = b - a
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), d.mean() - half, d.mean() + half


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a ``python -m townsim.experiments.cli`` subprocess that imports THIS tree's townsim."""
    import os
    from pathlib import Path

    import townsim

    root = str(Path(townsim.__file__).parent.parent)  # not resolved: the folder that holds it as `townsim`
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]), **extra}
