"""The compiled twin of a day's demand (``kernel.demand.draw_all``: the same draws, then ``draw_rows``) against
``demand.draw``.

The same requests and the same state of the generator afterwards, day after day, over request rates
from none to many (citizens only, enterprises only, both, with and without enquiries), with enterprises
in every life-cycle stage (exited ones among them); and a county on the compiled engine draws through it.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from townsim.model import Params, TownshipModel
from townsim.model.catalogue import generate
from townsim.model.demand import MatterSampler, draw

pytest.importorskip("numba")
from townsim.model.kernel import demand as kdemand  # noqa: E402  (after the skip: it imports numba)

RESIDENTS = np.array([1_000, 5_000, 20_000, 74_000, 300])


def _county(**kw):
    p = Params(townships=5, departments=6, residents=int(RESIDENTS.sum()), matter_types=40, **kw)
    count = -(-RESIDENTS // 100)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    cat = generate(p, np.random.default_rng(99))
    r = np.random.default_rng(7)
    e_town = r.integers(0, 5, 300).astype(np.int32)
    e_stage = r.integers(0, 4, 300).astype(np.int8)
    return p, count, start, e_town, e_stage, MatterSampler(cat)


CASES = [
    dict(citizen_request_rate=0.001, enterprise_request_rate=0.05),
    dict(citizen_request_rate=0.001, enterprise_request_rate=0.05, enquiry_share=0.0),
    dict(citizen_request_rate=0.0, enterprise_request_rate=0.05, enquiry_share=0.3),
    dict(citizen_request_rate=0.001, enterprise_request_rate=0.0),
    dict(citizen_request_rate=0.00002, enterprise_request_rate=0.0005),  # most days empty
    dict(citizen_request_rate=0.0, enterprise_request_rate=0.0),
]


@pytest.mark.parametrize("kw", CASES)
def test_the_kernel_draws_what_demand_draws(kw):
    p, count, start, e_town, e_stage, ref = _county(**kw)
    twin = copy.deepcopy(ref)
    twin.kernel_tables = kdemand.tables(twin)
    twin.kernel_draw = kdemand.draw_whole_day
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    empty = 0
    for day in range(200):
        x = draw(p, a, day, RESIDENTS, start, count, e_town, e_stage, ref)
        y = draw(p, b, day, RESIDENTS, start, count, e_town, e_stage, twin)
        empty += len(x) == 0
        for name in ("kind", "requester", "township", "matter", "time", "enquiry"):
            u, v = getattr(x, name), getattr(y, name)
            assert u.dtype == v.dtype, name
            assert np.array_equal(u, v), (day, name)
        assert a.bit_generator.state == b.bit_generator.state, day
    if kw["citizen_request_rate"] == kw["enterprise_request_rate"] == 0:
        assert empty == 200
    elif kw is CASES[4]:
        assert 0 < empty < 200  # both kinds of day seen


def test_a_county_draws_its_demand_in_the_kernel_when_compiled():
    m = TownshipModel(Params(residents=60_000, townships=4, departments=6, matter_types=30), rng=2)
    assert (m.sampler.kernel_tables is not None) == m.compiled
    assert (m.sampler.kernel_draw is not None) == m.compiled
