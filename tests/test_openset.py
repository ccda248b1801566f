"""The compiled engine's day-end refresh of the open cases (``kernel.openset``) takes the reference's steps
(``openset.refresh`` in numpy): the same open set, overdue marks and time-averaged backlog, bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel, openset  # noqa: E402


def _model(days: int) -> TownshipModel:
    m = TownshipModel(Params(**{**SMALL_COUNTY, "engine": "compiled"}), rng=6).run(days)
    assert m.compiled, m.engine_reason
    return m


def _both(m: TownshipModel, t0: float, t1: float) -> tuple[TownshipModel, TownshipModel]:
    ref = copy.deepcopy(m)
    ref.compiled = False  # the numpy steps (the reference) on the same tables
    openset.refresh(ref, t0, t1)
    openset.refresh(m, t0, t1)
    return ref, m


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_days_refresh_as_numpy_does(seed):
    """Open sets with cases closed before, inside and after the day, open ones, deadlines either side."""
    m = _model(3)
    c = m.cases
    rng = np.random.default_rng(seed)
    n = c.n
    c.created[:n] = rng.uniform(0.0, 40.0, n)
    c.closed[:n] = np.where(rng.random(n) < 0.4, np.nan, c.created[:n] + rng.exponential(9.0, n))
    c.deadline[:n] = c.created[:n] + rng.uniform(1.0, 30.0, n)
    c.overdue[:n] = False
    m.open_ids = np.sort(rng.choice(n, n // 2, replace=False)).astype(np.int64)
    m._new_ids = [np.arange(n - 20, n, dtype=np.int64)]
    ref, got = _both(m, 24.0, 32.0)
    assert np.array_equal(got.open_ids, ref.open_ids)
    assert np.array_equal(got.cases.overdue[:n], ref.cases.overdue[:n])
    assert got.backlog_mean == ref.backlog_mean
    assert 0 < ref.cases.overdue[:n].sum() < n and 0 < len(ref.open_ids) < n // 2 + 20  # the check can fail


def test_a_run_keeps_the_reference_open_set():
    m = _model(20)
    t0 = m.clock_day * 8.0
    m._new_ids = [np.arange(max(0, m.cases.n - 30), m.cases.n, dtype=np.int64)]
    ref, got = _both(m, t0, t0 + 8.0)
    assert np.array_equal(got.open_ids, ref.open_ids) and got.backlog_mean == ref.backlog_mean
    assert np.array_equal(got.cases.overdue, ref.cases.overdue)


def test_nothing_open_is_a_backlog_of_zero():
    m = _model(1)
    m.open_ids, m._new_ids = np.zeros(0, dtype=np.int64), []
    openset.refresh(m, 8.0, 16.0)
    assert m.backlog_mean == 0.0 and len(m.open_ids) == 0
