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


def test_direct_kernel_calls_keep_their_types_and_refuse_others(monkeypatch):
    """``kernel.calls.Direct`` calls the one overload after the first call; in check mode a call with other
    argument types is refused rather than unboxed as the overload's types."""
    import pytest

    numba = pytest.importorskip("numba")
    from townsim.model.kernel import calls

    @numba.njit(cache=False)
    def add(a, x):
        return a.sum() + x

    monkeypatch.setattr(calls, "CHECK", True)
    f = calls.Direct(add)
    a = np.arange(4.0)
    assert f(a, 1.0) == 7.0 and f.entry is not None
    assert f(a, 2.0) == 8.0
    with pytest.raises(TypeError, match="argument types changed"):
        f(np.arange(4), 1.0)


def test_a_copied_model_shares_its_compiled_functions():
    """A deep copy (``model.warmstart``'s start of a run) keeps each ``Direct`` as it is rather than pickling
    numba's dispatcher into a new one; the copy still runs."""
    import copy

    import pytest

    numba = pytest.importorskip("numba")
    from townsim.model.kernel import calls

    @numba.njit(cache=False)
    def one(a):
        return a[0]

    f = calls.Direct(one)
    f(np.arange(3.0))
    holder = {"f": f, "a": np.arange(3.0)}
    twin = copy.deepcopy(holder)
    assert twin["f"] is f and copy.copy(f) is f and twin["a"] is not holder["a"]
    assert twin["f"](twin["a"]) == 0.0


def test_the_check_types_a_new_argument_key_once_and_refuses_what_its_numba_type_would_change(monkeypatch):
    """The check's cheap keys: a call whose keys were seen is not typed by numba again; an array of another
    layout, dtype or writeability, an int beyond 64 bits, or a tuple of other items has a new key and is
    typed (and refused); an argument the keys cannot tell is typed at every call."""
    import pytest

    numba = pytest.importorskip("numba")
    from townsim.model.kernel import calls

    @numba.njit(cache=False)
    def total(a, pair, x):
        return a.sum() + pair[0].sum() + x

    monkeypatch.setattr(calls, "CHECK", True)
    f = calls.Direct(total)
    a, pair = np.arange(4.0), (np.zeros(2), np.ones(3))
    assert f(a, pair, 1.0) == 7.0
    typed = []
    real = f.disp.typeof_pyval
    monkeypatch.setattr(f.disp, "typeof_pyval", lambda v: typed.append(v) or real(v))
    assert f(a, pair, 2.0) == 8.0 and typed  # the first checked call: typed, its key kept
    typed.clear()
    assert f(np.arange(4.0) + 1, (np.zeros(5), np.ones(1)), 3.0) == 13.0 and not typed  # same key: not typed
    frozen = np.arange(4.0)
    frozen.flags.writeable = False
    for bad in (
        (np.arange(8.0)[::2], pair, 1.0),  # not contiguous: numba's layout "A"
        (np.arange(4), pair, 1.0),  # int64
        (frozen, pair, 1.0),  # read-only
        (a, (np.zeros(2), np.ones(3, np.float32)), 1.0),  # a tuple's item
        (a, pair, 2**64),  # an int numba types as another integer, or not at all
    ):
        with pytest.raises((TypeError, ValueError, OverflowError)):
            f(*bad)
    with pytest.raises(calls.Uncached):
        calls.key([1.0])  # a list: numba types it by its items
    assert calls.key(None) is type(None) and calls.key("a") is str  # optional arguments: by class, not every call


def test_the_compiled_engine_calls_the_kernel_with_stable_types(monkeypatch):
    """Every scenario mechanism's kernel calls keep one set of argument types (check mode on), with the
    results of the Python engine."""
    import pytest

    pytest.importorskip("numba")
    from townsim.model import TownshipModel
    from townsim.model.kernel import calls
    from townsim.scenarios import load_scenario

    monkeypatch.setattr(calls, "CHECK", True)
    for name in ("baseline", "full_reform"):
        p = load_scenario(name).params.replace(warmup_days=20)
        a = TownshipModel(p.replace(engine="python"), rng=5).run(40)
        b = TownshipModel(p.replace(engine="compiled"), rng=5).run(40)
        assert b.compiled
        assert a.timeseries().equals(b.timeseries())
        assert a.gaming_log == b.gaming_log


def test_direct_calls_a_plain_function_through():
    from townsim.model.kernel import calls

    f = calls.Direct(lambda x: x + 1)
    assert f(1) == 2 and f(2) == 3 and f.entry is None


def test_batched_uniforms_are_the_case_by_case_draws_across_refills():
    from townsim.model.engine import RandomStream
    from townsim.model.kernel.stream import KernelStream

    for cls in (RandomStream, KernelStream):
        a, b = cls(np.random.default_rng(3), size=7), cls(np.random.default_rng(3), size=7)
        for k in (0, 3, 4, 7, 1, 15, 2):  # batches ending at, before and beyond a buffer's end
            assert a.uniforms(k) == [b.uniform() for _ in range(k)]
        assert a.exponential() == b.exponential()  # the generator left at the same place


def test_gaming_decisions_are_due_in_the_heaps_order():
    import heapq
    from types import SimpleNamespace

    from townsim.model.gaming import due

    rng = np.random.default_rng(5)
    model = SimpleNamespace(gaming_queue=[])
    heap: list = []
    for start in (36, 0, 48, 12, 24):  # intake batches: moments with ties, cases out of order across batches
        ids = np.arange(start, start + 12)
        t = rng.integers(0, 6, 12).astype(float) * 4.0
        model.gaming_queue.append((t, ids))
        for ti, cid in zip(t.tolist(), ids.tolist()):
            heapq.heappush(heap, (ti, cid))
    for t_end in (8.0, 8.0, 17.0, 100.0):
        want = []
        while heap and heap[0][0] < t_end:
            want.append(heapq.heappop(heap))
        moments, cids = due(model, t_end)
        assert list(zip(moments.tolist(), cids.tolist())) == want
    assert model.gaming_queue == []
