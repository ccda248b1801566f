"""The fast paths of the cheap day give bit for bit what the general code gives."""

from __future__ import annotations

import numpy as np

from townsim.model.satisfaction import ewma_update


def _reference_ewma(arr, idx, values, alpha):
    """The general rule: repeated rows in turn, one ``np.unique`` round per repetition."""
    idx = np.asarray(idx)
    values = np.asarray(values, float)
    while len(idx):
        _, first = np.unique(idx, return_index=True)
        i = idx[first]
        arr[i] += alpha * (values[first] - arr[i])
        keep = np.ones(len(idx), bool)
        keep[first] = False
        idx, values = idx[keep], values[keep]


def test_ewma_update_matches_the_general_rule_bit_for_bit():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n_rows = int(rng.integers(1, 40))
        n = int(rng.integers(0, 60))
        base = rng.random(n_rows)
        idx = rng.integers(0, n_rows, n) if trial % 2 else rng.permutation(n_rows)[: min(n, n_rows)]
        values = rng.random(len(idx))
        alpha = float(rng.random())
        a, b = base.copy(), base.copy()
        ewma_update(a, idx, values, alpha)
        _reference_ewma(b, idx, values, alpha)
        assert a.tobytes() == b.tobytes()


def test_ewma_update_applies_repeated_rows_in_turn():
    arr = np.array([0.0, 1.0])
    ewma_update(arr, np.array([0, 0, 1]), np.array([1.0, 1.0, 0.0]), 0.5)
    assert arr.tolist() == [0.75, 0.5]
