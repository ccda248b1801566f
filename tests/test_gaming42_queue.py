"""The compiled engine's gaming decision queue (``gaming.DecisionQueue``, ``kernel.projection.take_due``): the
decisions due are taken in the order a heap of (moment, case) pairs pops them, as ``gaming.due`` takes the Python
engine's batches, across growth, ties, NaN moments and days with nothing due; ``first`` is the earliest moment left."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from townsim.model.gaming import DecisionQueue


def _batches(seed: int):
    """Intake batches: moments with ties (and a NaN, never due), cases out of order across batches."""
    rng = np.random.default_rng(seed)
    for start in (36, 0, 48, 12, 24, 300, 60):
        ids = rng.permutation(np.arange(start, start + 40))
        t = rng.integers(0, 12, 40).astype(float) * 4.0
        if start == 48:
            t[3] = np.nan
        yield t, ids


def _heap_due(heap: list, t_end: float) -> list:
    out = []
    while heap and heap[0][0] < t_end:
        out.append(heapq.heappop(heap))
    return out


def _check(take, seed: int) -> None:
    q = DecisionQueue(size=16)  # grown several times
    heap: list = []
    ends = iter((2.0, 8.0, 8.0, 17.0, 30.0, 31.0, 45.0, 100.0))
    for t, ids in _batches(seed):
        q.add(t, ids)
        for ti, cid in zip(t.tolist(), ids.tolist()):
            if ti == ti:  # a NaN moment stays queued, as in the Python engine's batches
                heapq.heappush(heap, (ti, cid))
        t_end = next(ends)
        want = _heap_due(heap, t_end)
        moments, cids = take(q, t_end)
        assert list(zip(moments, cids)) == want
        assert q.first == (heap[0][0] if heap else float("inf"))
    assert len(q) == len(heap) + 1  # the NaN one
    moments, cids = take(q, 1e9)
    assert list(zip(moments, cids)) == _heap_due(heap, 1e9) and len(q) == 1 and q.first == float("inf")


def _numpy_take(q: DecisionQueue, t_end: float) -> tuple:
    t, ids = q.take(t_end)
    return t.tolist(), ids.tolist()


def _kernel_take(q: DecisionQueue, t_end: float) -> tuple:
    from townsim.model.kernel.projection import take_due

    k = take_due(q.arrays, t_end)
    q.first = float(q.arrays[2][0])
    return q.arrays[4][:k].tolist(), q.arrays[5][:k].tolist()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_takes_the_due_decisions_in_the_heaps_order(seed):
    _check(_numpy_take, seed)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kernel_takes_the_due_decisions_in_the_heaps_order(seed):
    pytest.importorskip("numba")
    _check(_kernel_take, seed)


def test_a_day_before_the_first_moment_leaves_the_queue():
    q = DecisionQueue(size=4)
    q.add(np.array([30.0, 20.0, 25.0]), np.array([5, 6, 7]))
    assert q.first == 20.0 and len(q) == 3
    t, ids = q.take(20.0)  # due strictly before the day's end
    assert len(ids) == 0 and len(q) == 3 and q.first == 20.0
    assert q.due_cases(25.5).tolist() == [6, 7] and len(q) == 3
