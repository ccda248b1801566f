"""The daily grid participation (the citizens' mean app reporting propensity) is kept between writes of that
column (``metrics.numeric.participation``): every day's value is the mean computed afresh, on both engines, when
reports are learnt daily and when nobody reports by app."""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import TownshipModel
from townsim.model.metrics.numeric import mean
from townsim.scenarios import load_scenario


@pytest.mark.parametrize("engine", ["python", "compiled"])
@pytest.mark.parametrize("scenario", ["grid_governance", "one_stop_135"])
def test_each_days_participation_is_the_fresh_mean(scenario, engine):
    p = load_scenario(scenario).params.replace(engine=engine, warmup_days=5, residents=30_000, enterprises=300)
    m = TownshipModel(p, rng=2)
    seen = set()
    for _ in range(40):
        m.step()
        fresh = mean(np.array(m.citizen_state["report"]))  # a copy: no kept value can answer for it
        assert m.kpi_today["grid_participation"] == fresh
        seen.add(fresh)
    if p.app_reporting > 0:
        writes = m.__dict__.get("column_writes", {}).get("report", 0)
        assert writes > 1 and len(seen) > 1  # the check can fail: the mean moved
    assert m.summary()["grid_participation"] == mean(np.array(m.citizen_state["report"]))
