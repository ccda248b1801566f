"""The case table's columns are rows of its per-dtype blocks, and stay so after growth, copy and pickling."""

import copy
import pickle

import numpy as np

from townsim.model.cases import FIELDS, LAYOUT, CaseTable


def _linked(c: CaseTable) -> bool:
    """Every column is its row of its block (writing one writes the other)."""
    return all(np.shares_memory(getattr(c, k), c.blocks[b]) for k, (b, _) in LAYOUT.items())


def test_every_field_has_one_row_of_its_dtype():
    assert sorted(LAYOUT) == sorted(FIELDS)
    c = CaseTable(16)
    for name, (b, _row) in LAYOUT.items():
        assert c.blocks[b].dtype == np.dtype(FIELDS[name][0])
        assert getattr(c, name).flags.c_contiguous
    assert _linked(c)


def test_growth_keeps_the_rows_and_the_fill_values():
    c = CaseTable(16)
    c.add(10, closed=np.arange(10.0), matter=3, online=True)
    c.add(30, closed=np.arange(30.0) + 10, matter=4)
    assert c.n == 40 and c.blocks[0].shape[1] >= 40
    assert np.array_equal(c.view("closed"), np.arange(40.0))
    assert np.array_equal(c.view("matter"), [3] * 10 + [4] * 30)
    assert c.online[:10].all() and not c.online[10:].any()
    assert np.isnan(c.onset[:40]).all() and (c.repeat_of[:40] == -1).all()
    assert _linked(c)


def test_a_copy_and_a_pickle_have_linked_columns_of_their_own():
    c = CaseTable(16)
    c.add(5, created=np.arange(5.0))
    for d in (copy.deepcopy(c), pickle.loads(pickle.dumps(c))):
        assert _linked(d)
        d.created[0] = 99.0
        assert c.created[0] == 0.0
        b, row = LAYOUT["created"]
        assert d.blocks[b][row, 0] == 99.0
        assert np.array_equal(d.view("created")[1:], c.view("created")[1:])
