"""The compiled day-end refresh hands the day's new cases to the kernel as a range of rows when intake's batches
are consecutive rows one after another (``openset._refresh_compiled``), joined to the open ones otherwise: either
way the open set, overdue marks and backlog are the reference's (``openset.refresh`` in numpy), bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba")

from townsim.experiments.core.county import SMALL_COUNTY  # noqa: E402
from townsim.model import Params, TownshipModel, openset  # noqa: E402


@pytest.fixture(scope="module")
def model() -> TownshipModel:
    m = TownshipModel(Params(**{**SMALL_COUNTY, "engine": "compiled"}), rng=7).run(3)
    assert m.compiled, m.engine_reason
    return m


def _scrambled(m: TownshipModel, seed: int) -> TownshipModel:
    """A copy whose case rows have random filing, closure and deadline times around the day 24–32 h."""
    m = copy.deepcopy(m)
    c, n = m.cases, m.cases.n
    rng = np.random.default_rng(seed)
    c.created[:n] = rng.uniform(0.0, 40.0, n)
    c.closed[:n] = np.where(rng.random(n) < 0.4, np.nan, c.created[:n] + rng.exponential(9.0, n))
    c.deadline[:n] = c.created[:n] + rng.uniform(1.0, 30.0, n)
    c.overdue[:n] = False
    m.open_ids = np.sort(rng.choice(n - 60, (n - 60) // 2, replace=False)).astype(np.int64)
    return m


def _both(m: TownshipModel, new: list) -> tuple[TownshipModel, TownshipModel]:
    m._new_ids = new
    ref = copy.deepcopy(m)
    ref.compiled = False  # the numpy steps (the reference) on the same tables
    openset.refresh(ref, 24.0, 32.0)
    openset.refresh(m, 24.0, 32.0)
    assert m._new_ids == [] and ref._new_ids == []
    return ref, m


@pytest.mark.parametrize(
    "offsets",
    [
        [range(0, 25), range(25, 26), range(26, 60)],  # consecutive batches: one range
        [range(0, 25), range(30, 60)],  # a gap: joined
        [range(30, 60), range(0, 25)],  # out of order: joined
        [range(0, 10), range(10, 12), [12, 14]],  # a batch with a gap (its first row the next one): joined
    ],
)
def test_new_batches_refresh_as_numpy_does(model, offsets):
    m = _scrambled(model, len(offsets))
    n0 = m.cases.n - 60
    new = [n0 + np.array(list(rows), dtype=np.int64) for rows in offsets]
    m.cases.closed[new[-1]] = np.nan  # the last batch open at the day's end: its rows' order is the open set's
    ref, got = _both(m, new)
    assert np.array_equal(got.open_ids, ref.open_ids)
    assert np.array_equal(got.cases.overdue, ref.cases.overdue)
    assert got.backlog_mean == ref.backlog_mean
    kept_new = np.intersect1d(ref.open_ids, np.concatenate(new))
    assert 0 < len(kept_new) < sum(map(len, new)) and ref.cases.overdue.any()  # the check can fail


def test_only_new_cases_open(model):
    """No case open at the day's start: the range alone."""
    m = _scrambled(model, 9)
    m.open_ids = np.zeros(0, dtype=np.int64)
    n0 = m.cases.n - 40
    ref, got = _both(m, [np.arange(n0, n0 + 15, dtype=np.int64), np.arange(n0 + 15, n0 + 40, dtype=np.int64)])
    assert np.array_equal(got.open_ids, ref.open_ids) and got.backlog_mean == ref.backlog_mean > 0
    assert np.array_equal(got.cases.overdue, ref.cases.overdue)


def test_nothing_open_nothing_new(model):
    m = copy.deepcopy(model)
    m.open_ids = np.zeros(0, dtype=np.int64)
    ref, got = _both(m, [])
    assert got.backlog_mean == ref.backlog_mean == 0.0 and len(got.open_ids) == 0
