"""The kernel's pairwise sum and mean equal numpy's (``np.add.reduce``, ``numeric.mean``) bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.model.kernel.pairwise import pairwise_mean, pairwise_sum, tree_sum  # noqa: E402
from townsim.model.metrics.numeric import mean  # noqa: E402


def _values(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(n) * 10.0 ** rng.integers(-3, 4, n)  # magnitudes apart: the order of additions shows


@pytest.mark.parametrize("seed", [0, 1])
def test_every_short_length_adds_as_numpy(seed):
    for n in range(0, 1100):
        a = _values(n, seed + n)
        assert pairwise_sum(a, 0, n) == float(np.add.reduce(a)), n
        if n:
            assert pairwise_mean(a, n) == mean(a), n


def test_long_arrays_and_offsets_add_as_numpy():
    for n in (4097, 65_536, 1_175_800):
        a = _values(n, n)
        assert pairwise_sum(a, 0, n) == float(np.add.reduce(a))
        assert pairwise_sum(a, 7, n - 20) == float(np.add.reduce(a[7 : n - 13]))
        assert pairwise_mean(a, n // 3) == mean(a[: n // 3])


def test_a_different_order_gives_a_different_double():
    """The check can fail: a plain left-to-right sum differs from numpy's somewhere in these arrays."""
    differs = 0
    for n in range(9, 400):
        a = _values(n, n)
        plain = 0.0
        for x in a.tolist():
            plain += x
        differs += plain != pairwise_sum(a, 0, n)
    assert differs > 0


def test_empty_mean_is_nan():
    assert np.isnan(pairwise_mean(np.zeros(0), 0))


def test_float32_adds_in_float32_as_numpy():
    for n in (5, 100, 129, 1000, 70_001):
        a = _values(n, n).astype(np.float32)
        assert tree_sum(a, 0, n, np.float32(0.0)) == np.add.reduce(a), n


def test_a_kernel_of_another_module_can_call_it():
    """Cached kernels elsewhere link to it (a recursive one could not be loaded from numba's cache)."""
    from numba import njit

    @njit(cache=False)
    def twice(a):
        return 2.0 * pairwise_sum(a, 0, a.shape[0])

    a = _values(5000, 3)
    assert twice(a) == 2.0 * float(np.add.reduce(a))
