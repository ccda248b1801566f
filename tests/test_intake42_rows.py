"""The compiled intake's rows reserved and written whole by its kernel call (``CaseTable.reserve``), and the kept
columns of one code (``cases.constant_column``) a batch is handed instead of a new ``np.full``."""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model.cases import FIELDS, NONZERO_FIELDS, CaseTable, constant_column


def test_reserve_gives_room_and_ids_and_add_writes_no_default_over_the_reserved_rows():
    c = CaseTable(16)
    c.add(3, matter=7)
    n0 = c.reserve(40)  # beyond the capacity: grown, the rows in use kept
    assert n0 == 3 and c.n == 43 and c._cap >= 43 and (c.matter[:3] == 7).all()
    c.closed[n0 : c.n] = 5.0  # the caller writes the reserved rows
    c.matter[n0 : c.n] = 2
    ids = c.add(2)
    assert ids.tolist() == [43, 44]
    assert (c.closed[n0:43] == 5.0).all() and (c.matter[n0:43] == 2).all()  # not overwritten by defaults
    assert np.isnan(c.closed[43:45]).all() and (c.matter[43:45] == -1).all()  # the added rows' defaults


def test_every_field_with_a_non_zero_default_is_a_column_the_kernel_writes():
    pytest.importorskip("numba")
    from townsim.model.kernel.route import COLUMNS  # deferred: imports numba

    assert set(NONZERO_FIELDS) <= set(COLUMNS)
    assert {"started", "closed", "hop_clerk", "work_share", "repeat_of"} <= set(NONZERO_FIELDS)
    assert all(not FIELDS[name][1] == 0 for name in NONZERO_FIELDS)


def test_the_kernel_writes_the_reserved_rows_defaults():
    """A compiled run's cases not yet started, open, with no file sent: their columns hold the defaults (NaN), as
    ``CaseTable.add`` writes them; no row beyond those in use is written."""
    pytest.importorskip("numba")
    from helpers import small

    from townsim.model import TownshipModel

    m = TownshipModel(small(engine="compiled", warmup_days=0), rng=3)
    assert m.compiled, m.engine_reason
    m.run(3)
    c = m.cases
    n = c.n
    assert n > 100 and c._filled == n  # reserved rows only: no defaults written ahead
    fresh = np.isnan(c.started[:n])
    assert fresh.any() and np.isnan(c.closed[:n][fresh]).all() and np.isnan(c.work_share[:n][fresh]).all()
    assert np.isnan(c.hop_clerk[:n][~c.referred[:n] & ~c.errand[:n]]).all()
    assert not any(b[:, n:].any() for b in c.blocks)  # the free rows untouched zeros


def test_a_constant_column_is_a_view_of_one_kept_column_of_the_code():
    a = constant_column(3, 5, np.int8)
    b = constant_column(3, 9, np.int8)
    assert a.tolist() == [3] * 5 and b.tolist() == [3] * 9 and a.dtype == np.int8
    assert np.shares_memory(a, b) and a.flags.c_contiguous and a.flags.writeable  # the kernel's argument type
    big = constant_column(3, 5000, np.int8)
    assert len(big) == 5000 and (big == 3).all() and constant_column(3, 0, np.int8).shape == (0,)
    assert constant_column(2, 4, np.int8).tolist() == [2] * 4 and constant_column(3, 4, np.int64).dtype == np.int64


def test_each_kernel_write_goes_to_the_block_of_its_columns_dtype():
    """``route_rows`` names the block of every column it writes (``i32[where[1], r] = ...``); the block must be the
    one ``cases.FIELDS`` gives the column, or the kernel writes past a block's rows (a column's dtype changed in
    ``cases`` without its line in the kernel corrupts memory silently)."""
    pytest.importorskip("numba")
    import inspect
    import re

    from townsim.model.kernel import route  # deferred: imports numba

    names = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "f4": np.float32, "f8": np.float64}
    names["b1"] = np.bool_
    writes = re.findall(r"\b(i8|i16|i32|i64|f4|f8|b1)\[where\[(\d+)\], r\]", inspect.getsource(route.route_rows))
    assert {int(k) for _, k in writes} == set(range(len(route.COLUMNS)))
    wrong = [(route.COLUMNS[int(k)], b) for b, k in writes if names[b] is not FIELDS[route.COLUMNS[int(k)]][0]]
    assert not wrong, f"route_rows writes these columns to another dtype's block: {wrong}"
