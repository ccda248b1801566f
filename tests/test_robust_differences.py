"""The per-world effects' vectorised t-tests (``robustness._differences``) give ``stats.difference``'s floats,
column by column: random columns, constant differences, missing values, few and many replications, both
pairings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from townsim.experiments.core.robustness import _differences
from townsim.experiments.core.stats import difference


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@pytest.mark.parametrize("paired", [True, False])
@pytest.mark.parametrize("reps", [2, 3, 5, 9])
def test_each_column_is_the_scalar_test(paired, reps):
    rng = np.random.default_rng(reps)
    k = 160
    b = rng.lognormal(0.0, 1.0, (reps, k)) * rng.choice([1e-3, 1.0, 1e3], k)
    a = b * (1 + 0.05 * rng.standard_normal((reps, k))) + rng.normal(0, 0.01, k)
    a[:, :20] = b[:, :20] + 0.5  # a constant difference: no spread, no t-test
    a[:, 20:30] = b[:, 20:30]  # no difference at all
    a[0, 30:40] = np.nan  # a lost replication
    b[1, 40:45] = np.nan
    got = _differences(a, b, paired)
    for j in range(k):
        d = difference(a[:, j], b[:, j], paired)
        want = (d["difference"], d["ci_low"], d["ci_high"], d["n"])
        assert all(_same(float(x), float(y)) for x, y in zip(got[j], want)), (j, got[j], want)
