"""``kernel.leaf``: the hot helpers compiled without numba's reference counting, and the guard that keeps
that safe (a leaf that would allocate is refused)."""

from __future__ import annotations

import numpy as np
import pytest

numba = pytest.importorskip("numba")


def test_the_event_helpers_are_leaves():
    """The helpers called at every event or queue operation are compiled without reference counting (13 % of a
    drawn-world run went to counting their arrays)."""
    from townsim.model.kernel import events, queues

    for f in (events.ev_push, events.ev_pop, queues.pop_entry, queues.push_entry, queues.is_valid, queues.key_of):
        assert f.targetoptions.get("_nrt") is False, f.py_func.__name__


def test_a_leaf_computes_as_a_counted_function_does_and_may_not_allocate():
    from townsim.model.kernel.leaf import leaf

    def total(a, b):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * b[i]
        return s

    a, b = np.random.default_rng(1).random((2, 50))
    assert leaf(total)(a, b) == numba.njit(total)(a, b) == total(a, b)

    def grows(a):
        return np.zeros(a.shape[0]) + a

    with pytest.raises(Exception):  # noqa: B017 - numba's error for a function needing its runtime
        leaf(grows)(a)
