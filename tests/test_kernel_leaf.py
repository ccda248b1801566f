"""``kernel.leaf``: the hot helpers compiled without numba's reference counting, and the guard that keeps
that safe (a leaf that would allocate is refused)."""

from __future__ import annotations

import numpy as np
import pytest

numba = pytest.importorskip("numba")


def test_the_event_helpers_are_leaves():
    """The helpers called at every event or queue operation are compiled without reference counting (13 % of a
    drawn-world run went to counting their arrays)."""
    from townsim.model.kernel import draws, events, flows, queues, tasks

    leaves = (events.ev_push, events.ev_pop, queues.pop_entry, queues.push_entry, queues.is_valid, queues.key_of)
    for f in (*leaves, draws.draw_noise, draws.draw_uniform, tasks.release_steps, flows.begin):
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


def test_a_refill_draw_by_draw_gives_the_array_calls_doubles():
    """``kernel.draws`` refills its buffers one draw at a time (no allocation): the same doubles and the same
    generator state as numpy's array calls, for each kind, over several refills."""
    from townsim.model.kernel import draws

    for seed in range(3):
        ref = np.random.default_rng(seed)
        want = [(ref.random(64), ref.standard_exponential(64), ref.standard_normal(64)) for _ in range(3)]
        rng = np.random.default_rng(seed)
        ub, eb, zb = np.empty(64), np.empty(64), np.empty(64)
        ridx = np.array([64, 64, 64], dtype=np.int64)
        for u, e, z in want:
            got = (
                [draws.draw_uniform(rng, ub, ridx) for _ in range(64)],
                [draws.draw_exponential(rng, eb, ridx) for _ in range(64)],
                [draws.draw_normal(rng, zb, ridx) for _ in range(64)],
            )
            assert got[0] == u.tolist() and got[1] == e.tolist() and got[2] == z.tolist()
        assert rng.bit_generator.state == ref.bit_generator.state
