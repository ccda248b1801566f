"""Growable tables in pages of their own: zero until written, an old copy freed once copied."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from townsim.model import bigarrays
from townsim.model.cases import FIELDS, CaseTable

BIG = bigarrays.THRESHOLD // 8 * 3  # float64 rows of a mapped array


def _mapped(a: np.ndarray) -> bool:
    base = a.base
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview)


@pytest.mark.parametrize("shape", [10, (3, 7), BIG, (4, BIG)])
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float64, np.bool_])
def test_zeros_is_np_zeros(shape, dtype):
    a = bigarrays.zeros(shape, dtype)
    b = np.zeros(shape, dtype)
    assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned
    assert _mapped(a) == (a.nbytes >= bigarrays.THRESHOLD)
    a[...] = 1
    assert (a == 1).all()


def test_full_and_a_pickle():
    a = bigarrays.full((2, BIG), np.nan)
    assert np.isnan(a).all()
    b = pickle.loads(pickle.dumps(a))
    assert b.shape == a.shape and np.isnan(b).all()


def test_release_zeroes_a_mapped_row_only():
    a = bigarrays.zeros((3, BIG))
    a[...] = 7.0
    bigarrays.release(a[1])
    assert (a[0] == 7.0).all() and (a[2] == 7.0).all()
    inner = a[1, 1024:-1024]  # whole pages inside the row: freed, read as zeros
    assert (inner == 0.0).all()
    small = np.full(100, 7.0)
    bigarrays.release(small)  # the heap's: left alone
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
        assert not col[n:].any(), name  # rows not yet added: zero pages, written when added
    grown = c.blocks
    c.add(c._cap - c.n + 1)  # one more row than the capacity: the mapped blocks copied, then freed
    for b in (b for b in grown if _mapped(b)):
        k = 4096 // b.itemsize  # the whole pages inside each row: freed, read as zeros
        assert not b[:, k:-k].any()
    assert np.array_equal(c.closed[:5], np.arange(5.0)) and np.isnan(c.closed[5 : c.n]).all()


def test_engine_growth_frees_the_old_array():
    from townsim.model.kernel.tables import grow  # deferred: imports numba

    a = bigarrays.full(BIG, 3.0)
    b = grow(a, BIG + 1, -1)
    assert len(b) == 2 * BIG and (b[:BIG] == 3.0).all() and (b[BIG:] == -1).all()
    assert not a.any()
