"""Growable tables in pages of their own: zero until written, an old copy freed once copied."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from townsim.model import gcpolicy
from townsim.model.cases import DEFAULTS_AHEAD, FIELDS, CaseTable

BIG = gcpolicy.PAGES_FROM // 8 * 3  # float64 rows of a mapped array


def _mapped(a: np.ndarray) -> bool:
    base = a.base
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview)


@pytest.mark.parametrize("shape", [10, (3, 7), BIG, (4, BIG)])
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float64, np.bool_])
def test_zeros_is_np_zeros(shape, dtype):
    a = gcpolicy.zeros(shape, dtype)
    b = np.zeros(shape, dtype)
    assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned
    assert _mapped(a) == (a.nbytes >= gcpolicy.PAGES_FROM)
    a[...] = 1
    assert (a == 1).all()


def test_full_and_a_pickle():
    a = gcpolicy.full((2, BIG), np.nan)
    assert np.isnan(a).all()
    b = pickle.loads(pickle.dumps(a))
    assert b.shape == a.shape and np.isnan(b).all()


def test_release_zeroes_a_mapped_row_only():
    a = gcpolicy.zeros((3, BIG))
    a[...] = 7.0
    gcpolicy.release(a[1])
    assert (a[0] == 7.0).all() and (a[2] == 7.0).all()
    inner = a[1, 1024:-1024]  # whole pages inside the row: freed, read as zeros
    assert (inner == 0.0).all()
    small = np.full(100, 7.0)
    gcpolicy.release(small)  # the heap's: left alone
    assert (small == 7.0).all()


def test_case_rows_get_their_defaults_when_added_and_growth_frees_the_old_blocks():
    c = CaseTable(16)
    c.add(5, closed=np.arange(5.0))
    old = c.blocks
    for _ in range(3):
        c.add(BIG // 3, matter=2)
    assert c.blocks is not old
    n = c.n
    assert np.array_equal(c.closed[:5], np.arange(5.0)) and np.isnan(c.closed[5:n]).all()
    for name, (_, default) in FIELDS.items():
        col = getattr(c, name)
        if name not in ("closed", "matter"):
            assert np.array_equal(col[:n], np.full(n, default, col.dtype), equal_nan=col.dtype.kind == "f"), name
        # rows not yet added: zero pages, their defaults written as they are added (a few pages ahead at most)
        assert not col[c._filled :].any() and c._filled - n <= DEFAULTS_AHEAD, name
    grown = c.blocks
    c.add(c._cap - c.n + 1)  # one more row than the capacity: the mapped blocks copied, then freed
    for b in (b for b in grown if _mapped(b)):
        k = 4096 // b.itemsize  # the whole pages inside each row: freed, read as zeros
        assert not b[:, k:-k].any()
    assert np.array_equal(c.closed[:5], np.arange(5.0)) and np.isnan(c.closed[5 : c.n]).all()


def test_engine_growth_frees_the_old_array():
    from townsim.model.kernel.tables import grow  # deferred: imports numba

    a = gcpolicy.full(BIG, 3.0)
    b = grow(a, BIG + 1, -1)
    assert len(b) == 2 * BIG and (b[:BIG] == 3.0).all() and (b[BIG:] == -1).all()
    assert not a.any()


def test_a_pickle_holds_the_rows_in_use_and_thaws_with_the_capacity():
    c = CaseTable(16)
    c.add(BIG, matter=1)
    c.add(10, closed=np.arange(10.0))
    assert c._cap >= 8 * BIG  # eightfold growth: the free rows are untouched pages
    data = pickle.dumps(c)
    assert len(data) < 1.1 * sum(b[:, : c.n].nbytes for b in c.blocks)
    d = pickle.loads(data)
    assert d._cap == c._cap and [b.shape for b in d.blocks] == [b.shape for b in c.blocks]
    for b, e in zip(c.blocks, d.blocks):
        assert np.array_equal(b[:, : c.n], e[:, : c.n], equal_nan=True) and not e[:, c.n :].any()
    d.add(3)
    assert np.isnan(d.closed[c.n : d.n]).all() and (d.repeat_of[c.n : d.n] == -1).all()


def test_the_flows_free_value_is_written_up_to_the_highest_case_handed_over():
    pytest.importorskip("numba")
    from helpers import small

    from townsim.model import TownshipModel

    m = TownshipModel(small(engine="compiled", warmup_days=0), rng=3)
    m.run(5)
    e = m.engine
    mark = e._filled
    assert mark == max(256, int(np.flatnonzero(e.fl[1])[-1]) + 1)  # every case handed over has steps
    assert not e.fl[10][mark:].any() and not e.fl_c[mark:].any()  # beyond: zero pages, not written
    untouched = e.fl[1][:mark] == 0  # rows of no case handed over yet: the free value
    assert (e.fl[10][:mark][untouched] == -1).all() and (e.fl_c[:mark][untouched] == -1).all()


def test_the_int32_ids_refuse_a_table_beyond_them():
    pytest.importorskip("numba")
    from townsim.model.kernel.tables import NotCovered, _fits_int32

    _fits_int32(2**31 - 1)
    with pytest.raises(NotCovered):
        _fits_int32(2**31)
