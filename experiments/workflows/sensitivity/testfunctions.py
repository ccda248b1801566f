"""Functions with known sensitivity indices, usable as ``evaluate = "module:function"`` plug-ins.

A plug-in takes a parameter dict and an integer seed and returns a dict of
outputs (see :mod:`.spec`). These check the pipeline against analytical
values and serve as templates for researchers' own plug-ins:

- :func:`ishigami` — Ishigami–Homma, ``x1, x2, x3 ~ U(−π, π)``, output ``y``;
  analytical S1/ST from :func:`ishigami_indices`.
- :func:`noisy_ishigami` — the same plus seed noise ``e ~ N(0, 1)`` (output ``y``),
  independent between points: its seed-noise share of a single run is
  ``1 / (V + 1)`` (:func:`ishigami_noise_share`).
- :func:`pure_noise` — standard-normal seed noise that ignores the parameters (any names): output ``y``.
- :func:`sobol_g` — Sobol' G function on ``x1..x6 ~ U(0, 1)`` with
  ``a = (0, 1, 4.5, 9, 99, 99)``: importance falls as ``a`` grows; output ``y``.
- :func:`linear` — ``y = 8 x1 + 4 x2 + 2 x3 + 1 x4 + 0 x5``: Morris μ* equals |coefficient| × range.

The numerics are SALib's own test functions (:mod:`SALib.test_functions`).
"""

from __future__ import annotations

import math

import numpy as np
from SALib.test_functions import Ishigami, Sobol_G

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1
SOBOL_G_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0)
LINEAR_COEF = (8.0, 4.0, 2.0, 1.0, 0.0)


def _row(params: dict, names: list[str]) -> np.ndarray:
    try:
        return np.array([[float(params[n]) for n in names]])
    except KeyError as exc:
        raise KeyError(f"this test function needs parameters {', '.join(names)}; missing {exc}") from None


def ishigami(params: dict[str, float], seed: int) -> dict[str, float]:
    """Ishigami–Homma (a = 7, b = 0.1) of ``x1, x2, x3``; deterministic (``seed`` unused)."""
    x = _row(params, ["x1", "x2", "x3"])
    return {"y": float(Ishigami.evaluate(x, A=ISHIGAMI_A, B=ISHIGAMI_B)[0])}


def noisy_ishigami(params: dict[str, float], seed: int) -> dict[str, float]:
    """Ishigami plus standard-normal noise drawn from (seed, point): seed noise of known variance 1."""
    x = _row(params, ["x1", "x2", "x3"])
    words = np.frombuffer(x.astype(np.float64).tobytes(), dtype=np.uint32).tolist()
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(seed) >> 32, *words])
    y = float(Ishigami.evaluate(x, A=ISHIGAMI_A, B=ISHIGAMI_B)[0])
    return {"y": y + float(rng.standard_normal()), "y_clean": y}


def pure_noise(params: dict[str, float], seed: int) -> dict[str, float]:
    """Standard-normal noise from (seed, point) that ignores every parameter: all variance is seed noise."""
    x = np.array([[float(v) for _, v in sorted(params.items())]])
    words = np.frombuffer(x.astype(np.float64).tobytes(), dtype=np.uint32).tolist()
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(seed) >> 32, *words])
    return {"y": float(rng.standard_normal())}


def sobol_g(params: dict[str, float], seed: int) -> dict[str, float]:
    """Sobol' G function of ``x1..x6`` in [0, 1] with ``a = SOBOL_G_A``; deterministic."""
    names = [f"x{i + 1}" for i in range(len(SOBOL_G_A))]
    x = _row(params, names)
    return {"y": float(Sobol_G.evaluate(x, a=np.array(SOBOL_G_A))[0])}


def linear(params: dict[str, float], seed: int) -> dict[str, float]:
    """``sum(LINEAR_COEF[i] * x{i+1})``; deterministic."""
    names = [f"x{i + 1}" for i in range(len(LINEAR_COEF))]
    x = _row(params, names)[0]
    return {"y": float(np.dot(LINEAR_COEF, x))}


# --- analytical values ----------------------------------------------------------------------
def ishigami_variances(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, float]:
    """Partial variances of Ishigami on U(−π, π)³: V, V1, V2, V3 (= 0), V13."""
    pi4, pi8 = math.pi**4, math.pi**8
    V1 = 0.5 * (1 + b * pi4 / 5) ** 2
    V2 = a * a / 8
    V13 = b * b * pi8 * (1 / 18 - 1 / 50)
    return {"V": V1 + V2 + V13, "V1": V1, "V2": V2, "V3": 0.0, "V13": V13}


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytical first- and total-order indices: ``{"S1": {"x1": ..}, "ST": {...}}``."""
    v = ishigami_variances(a, b)
    V = v["V"]
    return {
        "S1": {"x1": v["V1"] / V, "x2": v["V2"] / V, "x3": 0.0},
        "ST": {"x1": (v["V1"] + v["V13"]) / V, "x2": v["V2"] / V, "x3": v["V13"] / V},
    }


def ishigami_noise_share(noise_var: float = 1.0) -> float:
    """Share of a single noisy-Ishigami run's variance that is seed noise."""
    V = ishigami_variances()["V"]
    return noise_var / (V + noise_var)


def sobol_g_indices(a=SOBOL_G_A) -> dict[str, dict[str, float]]:
    """Analytical S1/ST of the Sobol' G function (SALib's formulas)."""
    names = [f"x{i + 1}" for i in range(len(a))]
    s1 = Sobol_G.sensitivity_index(np.array(a))
    st = Sobol_G.total_sensitivity_index(np.array(a))
    return {"S1": dict(zip(names, map(float, s1))), "ST": dict(zip(names, map(float, st)))}
