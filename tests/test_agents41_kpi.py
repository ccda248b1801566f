"""The KPI row's citizens' satisfaction, kept between the days its column is not written
(``numeric.citizen_satisfaction``), is each day's mean over the citizens' rows, on both engines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import small

from townsim.model import TownshipModel
from townsim.model.metrics import numeric


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_citizen_satisfaction_is_each_days_mean(engine):
    """Days with closures (the column written) and without (the mean kept): the row's value is the mean of the
    column as it is at the day's end, the very double ``numeric.mean`` gives."""
    if engine == "compiled":
        pytest.importorskip("numba")
    p = small(engine=engine, citizen_request_rate=0.0005, enterprise_request_rate=0.0, dispute_rate=0.0)
    m = TownshipModel(p, rng=6)
    kept = moved = 0
    last = None
    for day in range(60):
        if day == 20:  # no new requests: the open cases close, then days without closures
            m.params = p.replace(citizen_request_rate=0.0)
        m.run(1)
        got = m.kpi_today["citizen_satisfaction"]
        want = numeric.mean(m.citizen_state["satisfaction"])
        assert type(got) is float and got == want
        closed = m.kpi_today["cases_closed"]
        kept += closed == 0
        moved += last is not None and got != last
        last = got
    assert kept > 3 and moved > 3  # days without closures, and days whose judgements moved the mean


def test_citizen_satisfaction_follows_the_column():
    """The kept mean is the column's: written by a day's judgements it is computed again (a judgement counted by
    ``feedback.judge``), a new column is read, and a model without citizens has none (NaN)."""
    m = TownshipModel(small(citizen_request_rate=0.0, enterprise_request_rate=0.0, dispute_rate=0.0), rng=2).run(2)
    st = m.citizen_state
    first = numeric.citizen_satisfaction(m)
    st["satisfaction"][0] += 0.25  # an uncounted write: the kept mean stays (the writers count theirs)
    assert numeric.citizen_satisfaction(m) == first
    numeric.satisfaction_written(m)
    assert numeric.citizen_satisfaction(m) == numeric.mean(st["satisfaction"]) != first
    st["satisfaction"] = np.full(len(st["satisfaction"]), 0.125)
    assert numeric.citizen_satisfaction(m) == 0.125
    m.n_citizens = 0
    assert math.isnan(numeric.citizen_satisfaction(m))
