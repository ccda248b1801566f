"""The compiled engine's exchange with Python after the day's call (``kernel.writeback``).

``Township.handled`` on the compiled engine is a view of the kernel's table (``HandledCounts``): it answers as
the Python engine's dict (the matters with a count above zero, Python ints), reads the table when asked (no copy
to go stale), and a model copied by pickling (``warmstart.Frozen``) reads its own table. The repeat contacts the
day's call logged join the repeat queue with one sequence number each, taken in log order.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba")

from test_kernel_differential import DELEGATION, _pair  # noqa: E402

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, resolution  # noqa: E402
from townsim.model.kernel import core as K  # noqa: E402
from townsim.model.kernel.writeback import HandledCounts  # noqa: E402
from townsim.model.warmstart import Frozen  # noqa: E402


@pytest.fixture(scope="module")
def pair():
    return _pair(Params(**{**SMALL_COUNTY, **DELEGATION}), 1, 20)


def test_the_view_answers_as_the_python_engines_dict(pair):
    ref, comp = pair
    assert all(type(t.handled) is HandledCounts for t in comp.townships)
    assert any(t.handled for t in ref.townships)  # the check can fail: counts were made
    for a, b in zip(ref.townships, comp.townships):
        want = a.handled
        got = b.handled
        assert dict(got) == want and got == want and len(got) == len(want)
        assert sorted(got) == sorted(want) and all(type(n) is int for n in got.values())
        for m in range(len(comp.catalogue.hours)):
            assert got.get(m, 0) == want.get(m, 0) and got.get(m) == want.get(m)
            assert (m in got) == (m in want)
            if m not in want:
                with pytest.raises(KeyError):
                    got[m]
        for bad in (-1, len(comp.catalogue.hours), "1"):
            assert bad not in got
            with pytest.raises(KeyError):
                got[bad]
        assert a.competence(3) == b.competence(3)


def test_the_view_reads_the_table_when_asked(pair):
    _, comp = pair
    town = comp.townships[0]
    m = int(np.argmin(comp.engine.handled[0]))
    before = town.handled.get(m, 0)
    comp_copy = copy.deepcopy(comp)  # the original's table changed below, not the copy's
    comp.engine.handled[0, m] += 5
    try:
        assert town.handled[m] == before + 5
        assert comp.engine.handled[0, m] == before + 5  # intake's refer-up reads the same table
        assert comp_copy.townships[0].handled.get(m, 0) == before
    finally:
        comp.engine.handled[0, m] -= 5


def test_a_copied_model_reads_its_own_table(pair):
    _, comp = pair
    frozen = Frozen(comp)
    thawed, again = frozen.thaw(), frozen.thaw()
    for m in (thawed, again):
        assert [dict(t.handled) for t in m.townships] == [dict(t.handled) for t in comp.townships]
        assert all(t.handled.engine is m.engine for t in m.townships)
    assert thawed.engine is not again.engine and thawed.engine is not comp.engine
    thawed.run(5)  # counts made by the copy's kernel: its own view sees them, the other copy's does not
    assert sum(map(len, (t.handled for t in thawed.townships))) >= sum(map(len, (t.handled for t in again.townships)))
    assert np.array_equal(
        thawed.engine.handled,
        [[t.handled.get(m, 0) for m in range(len(thawed.catalogue.hours))] for t in thawed.townships],
    )
    assert not np.array_equal(thawed.engine.handled, again.engine.handled)  # the check can fail: counts were made
    assert [dict(t.handled) for t in again.townships] == [dict(t.handled) for t in comp.townships]


def test_repeat_contacts_take_one_sequence_number_each_in_log_order(pair):
    _, comp = pair
    m = copy.deepcopy(comp)
    eng = m.engine
    eng.ctr[K.CTR_NCLOSED] = eng.ctr[K.CTR_NREF] = 0
    eng.ctr[K.CTR_NREP] = 3
    _, _, _, rep_due, rep_cid = eng.logs
    rep_due[:3] = [900.5, 899.0, 901.25]
    rep_cid[:3] = [7, 8, 9]
    m.repeat_queue = []
    first = next(resolution._seq)
    eng._results_back()
    assert sorted(m.repeat_queue) == [(899.0, first + 2, 8), (900.5, first + 1, 7), (901.25, first + 3, 9)]
    assert next(resolution._seq) == first + 4  # none taken beyond the log's
