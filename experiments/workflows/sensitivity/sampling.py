"""SALib designs for a spec: the draw matrix, the model values of each point, nested sub-designs.

Row layout (SALib 1.6) — each is made of blocks, so the first ``n`` blocks are
themselves a valid design of size ``n``, which the convergence plot uses:

- ``sobol``: Saltelli's scheme on a scrambled Sobol' sequence
  (:func:`SALib.sample.sobol.sample`), one block of ``D + 2`` rows
  (``2D + 2`` with second order) per base sample; nested sizes are powers of 2.
- ``morris``: :func:`SALib.sample.morris.sample`, one trajectory of ``D + 1`` rows per block
  (trajectories are drawn independently, so any leading subset is a design).
- ``fast``: :func:`SALib.sample.fast_sampler.sample`, one search curve of ``N`` rows per
  parameter; a shorter curve is a different design, so eFAST has no nested sizes.
"""

from __future__ import annotations

import numpy as np
from SALib.sample import fast_sampler
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as sobol_sampler

from .spec import SensitivitySpec, design_size

MIN_SOBOL_N = 16
"""Smallest base-sample count shown in the Sobol' convergence plot."""
MIN_MORRIS_N = 4
"""Fewest trajectories shown in the Morris convergence plot."""


def design(spec: SensitivitySpec) -> np.ndarray:
    """The SALib draw matrix (points × parameters) in the continuous draw space, seeded by ``spec.seed``."""
    problem = spec.problem()
    if spec.method == "sobol":
        X = sobol_sampler.sample(problem, spec.N, calc_second_order=spec.second_order, scramble=True, seed=spec.seed)
    elif spec.method == "morris":
        X = morris_sampler.sample(problem, spec.N, num_levels=spec.num_levels, seed=spec.seed)
    elif spec.method == "fast":
        X = fast_sampler.sample(problem, spec.N, M=spec.M, seed=spec.seed)
    else:  # pragma: no cover - spec validation forbids it
        raise ValueError(f"unknown method {spec.method!r}")
    X = np.asarray(X, dtype=float)
    assert X.shape == (spec.n_points(), len(spec.parameters)), X.shape
    return X


def point_values(spec: SensitivitySpec, X: np.ndarray) -> list[dict]:
    """Model values of every point: a dict per row (integers rounded, switches thresholded at ½)."""
    cols = [p.values(X[:, j]) for j, p in enumerate(spec.parameters)]
    names = spec.names
    return [dict(zip(names, row)) for row in zip(*cols)]


def nested_sizes(spec: SensitivitySpec) -> list[int]:
    """Growing design sizes (in base samples / trajectories) for the convergence plot, ending at ``N``."""
    if spec.method == "sobol":
        sizes, n = [], spec.N
        while n >= MIN_SOBOL_N:
            sizes.append(n)
            n //= 2
        return sorted(sizes) or [spec.N]
    if spec.method == "morris":
        # Trajectories are independent: any leading subset is a design; up to 8 sizes, geometric.
        if spec.N <= MIN_MORRIS_N:
            return [spec.N]
        k = min(8, spec.N - MIN_MORRIS_N + 1)
        return sorted({int(round(n)) for n in np.geomspace(MIN_MORRIS_N, spec.N, k)})
    return [spec.N]


def rows_for(spec: SensitivitySpec, n: int) -> int:
    """Design rows of the first ``n`` base samples (sobol) or trajectories (morris)."""
    return design_size(spec.method, n, len(spec.parameters), spec.second_order)
