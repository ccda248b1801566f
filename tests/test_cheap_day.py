"""The cheap day (issue 20): the shortcuts of the daily code give the same numbers as the plain numpy they
replace — the mean's sum, the repeat contacts looked up by chain, a day without requests."""

from __future__ import annotations

import numpy as np
from helpers import small

from townsim.model import Params, TownshipModel, demand
from townsim.model.catalogue import DISPUTE
from townsim.model.metrics import collect
from townsim.model.metrics.numeric import mean


def test_mean_is_numpys_bit_for_bit():
    rng = np.random.default_rng(7)
    for n in [1, 2, 7, 8, 9, 127, 128, 129, 1000, 8193, 20_000]:
        for x in (
            rng.random(n) * 1e3,
            rng.standard_normal(n)[::2],  # a strided view
            (rng.random(n) * 1e3).astype(np.float32),
            rng.standard_normal(2 * n).astype(np.float32)[::2],
            rng.integers(0, 50, n),
            rng.integers(0, 5, n).astype(np.int16),
            rng.random(n) < 0.3,
            list(rng.random(n)),
        ):
            assert mean(x) == float(np.mean(x)), (n, np.asarray(x).dtype)
    assert np.isnan(mean([])) and np.isnan(mean(np.zeros(0)))


def _chain_hours_by_scan(model, ids: np.ndarray) -> float:
    """The requester hours of the chains ended today, scanning every repeat contact filed so far."""
    c = model.cases
    pending = np.fromiter((cid for _, _, cid in model.repeat_queue), np.int64)
    done = ids[~np.isin(ids, pending)]
    if not len(done):
        return float("nan")
    r = c.view("repeat_of")
    root = np.where(r[done] >= 0, r[done], done)
    travel = c.view("travel")[root].astype(float)
    rep = np.flatnonzero(r >= 0)
    rep = rep[np.isin(r[rep], root)]
    if len(rep):
        order = np.argsort(root)
        pos = order[np.searchsorted(root, r[rep], sorter=order)]
        np.add.at(travel, pos, c.view("travel")[rep])
    closed = c.view("closed")[done] - c.view("created")[root] + travel
    return float(np.mean(closed))


def test_requester_hours_by_chain_equal_the_full_scan():
    m = TownshipModel(small(), rng=3)
    seen = 0
    for _ in range(60):
        m.step()
        c = m.cases
        ids = np.asarray(m.closed_today, np.int64)
        ids = ids[c.requester_kind[ids] != DISPUTE]  # service contacts
        r = c.view("repeat_of")
        seen += int((r[ids] >= 0).sum())
        got = collect._chain_hours_ended(m, ids)
        want = _chain_hours_by_scan(m, ids)
        assert got == want or (np.isnan(got) and np.isnan(want))
    assert seen > 0, "no repeat contact closed: the test would not exercise the chains"


def test_a_day_without_requests_takes_no_random_numbers():
    p = Params(citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0)
    m = TownshipModel(p, rng=1)
    rng = np.random.default_rng(5)
    twin = np.random.default_rng(5)
    req = demand.draw_day(m, 0, rng)
    assert len(req) == 0 and req.time.dtype == float and req.requester.dtype == np.int64
    twin.poisson(m.township_residents * 0.0)
    assert rng.random() == twin.random()
