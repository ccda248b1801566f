"""Plug-in models with a known posterior, for testing ``townsim calibrate`` (``evaluate = "...:normal_mean"``).

``normal_mean``: one observation y ~ N(θ, σ²) with σ = 1. With the prior θ ~ N(μ₀, τ²) the posterior is
normal with mean (τ²·y + σ²·μ₀)/(τ² + σ²) and variance τ²σ²/(τ² + σ²); ``analytic_posterior`` gives them.
"""

from __future__ import annotations

import math

import numpy as np

SIGMA = 1.0


def normal_mean(params: dict, seed: int) -> dict:
    """A draw y ~ N(theta, SIGMA²)."""
    rng = np.random.default_rng(seed)
    return {"y": float(params["theta"] + SIGMA * rng.standard_normal())}


def analytic_posterior(y: float, mu0: float, tau: float, sigma: float = SIGMA) -> tuple[float, float]:
    """Mean and standard deviation of θ | y for the normal-normal model."""
    var = tau**2 * sigma**2 / (tau**2 + sigma**2)
    return (tau**2 * y + sigma**2 * mu0) / (tau**2 + sigma**2), math.sqrt(var)


def rate_and_count(params: dict, seed: int) -> dict:
    """Two parameters on scales eleven orders apart: ``log_rate`` ~ N(log(rate), 1), ``count_100`` ~
    N(count / 100, 1). With a log-uniform prior on ``rate`` and a uniform one on ``count`` wide enough
    not to truncate, log(rate) | y ~ N(y₁, 1) and count / 100 | y ~ N(y₂, 1)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(2)
    return {"log_rate": float(math.log(params["rate"]) + z[0]), "count_100": float(params["count"] / 100 + z[1])}
