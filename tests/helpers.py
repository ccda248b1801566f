"""Shared test helpers: replicated paired runs and confidence intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats

from townsim.experiments.core.county import SMALL_COUNTY
from townsim.model import Params, TownshipModel

SMALL = SMALL_COUNTY
"""A small county for quick tests (the one the registered checks run)."""


def small(**changes) -> Params:
    return Params(**{**SMALL, **changes})


def replicate(params: Params, key, reps: int = 8, days: int = 100, seed0: int = 1) -> np.ndarray:
    """``key(model)`` (or summary[key]) for ``reps`` seeds (common random numbers across calls)."""
    out = []
    for s in range(seed0, seed0 + reps):
        m = TownshipModel(params, rng=s).run(days)
        out.append(key(m) if callable(key) else m.summary()[key])
    return np.asarray(out, dtype=float)


def replicate_keys(params: Params, keys, reps: int = 8, days: int = 100, seed0: int = 1) -> list[np.ndarray]:
    """:func:`replicate` for several keys, read from one set of runs (the same seeds, so each array equals
    what ``replicate(params, key, ...)`` returns for that key, at the cost of one set of runs)."""
    out: list[list[float]] = [[] for _ in keys]
    for s in range(seed0, seed0 + reps):
        m = TownshipModel(params, rng=s).run(days)
        for got, key in zip(out, keys):
            got.append(key(m) if callable(key) else m.summary()[key])
    return [np.asarray(got, dtype=float) for got in out]


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
