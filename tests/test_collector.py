"""The daily collector fills Mesa's tables exactly as Mesa's own ``DataCollector.collect`` would."""

from __future__ import annotations

import mesa
import pandas as pd
from helpers import small

from townsim.model import Department, Township, TownshipModel
from townsim.model.collector import DailyCollector


class MesaCollected(TownshipModel):
    """The same model, collected by Mesa's own ``collect``."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.datacollector.collect = lambda model: mesa.DataCollector.collect(self.datacollector, model)


def test_same_tables_as_mesa_collect():
    p = small(two_way_weight=0.5, assessment_period=5)
    fast, ref = TownshipModel(p, rng=2).run(12), MesaCollected(p, rng=2).run(12)
    assert isinstance(fast.datacollector, DailyCollector)
    pd.testing.assert_frame_equal(fast.timeseries(), ref.timeseries())
    for cls in (Township, Department):
        a = fast.datacollector.get_agenttype_vars_dataframe(cls)
        b = ref.datacollector.get_agenttype_vars_dataframe(cls)
        assert len(a) == 12 * len(fast.agents_by_type[cls])
        pd.testing.assert_frame_equal(a, b)


def test_falls_back_to_mesa_when_its_tables_differ():
    m = TownshipModel(small(), rng=1)
    dc = m.datacollector
    dc._agenttype_records = None  # not the table this collector knows how to fill
    called = []
    orig = mesa.DataCollector.collect
    try:
        mesa.DataCollector.collect = lambda self, model: called.append(model.steps)
        m.run(2)
    finally:
        mesa.DataCollector.collect = orig
    assert len(called) == 2


def test_tables_read_mid_run_keep_mesas_order():
    """Records read after some days (made from the days' kept values) and then more days: Mesa's tables."""
    p = small(two_way_weight=0.5, assessment_period=5)
    fast, ref = TownshipModel(p, rng=4).run(5), MesaCollected(p, rng=4).run(5)
    for cls in (Township, Department):
        pd.testing.assert_frame_equal(
            fast.datacollector.get_agenttype_vars_dataframe(cls), ref.datacollector.get_agenttype_vars_dataframe(cls)
        )
    fast.run(7)
    ref.run(7)
    pd.testing.assert_frame_equal(fast.timeseries(), ref.timeseries())
    for cls in (Township, Department):
        a = fast.datacollector.get_agenttype_vars_dataframe(cls)
        assert len(a) == 12 * len(fast.agents_by_type[cls])
        pd.testing.assert_frame_equal(a, ref.datacollector.get_agenttype_vars_dataframe(cls))
