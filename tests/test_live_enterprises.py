"""``TownshipModel.live_enterprises`` read from the day's life cycle (``feedback.live_enterprises``) is the count of
firms not exited, on every day, with firms entering and exiting, on both engines."""

from __future__ import annotations

import numpy as np
import pytest

from townsim.experiments.core.county import SMALL_COUNTY
from townsim.model import Params, TownshipModel


def _count(m: TownshipModel) -> int:
    return int(np.count_nonzero(m.enterprise_state["stage"][: m.n_enterprises] < m._EXITED))


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_the_kept_count_is_the_count_every_day(engine):
    p = Params(**{**SMALL_COUNTY, "enterprise_entry_rate": 0.02, "enterprise_exit_base": 0.01, "engine": engine})
    m = TownshipModel(p, rng=4)
    counts = []
    for _ in range(40):
        m.step()
        assert m.live_enterprises == _count(m)
        counts.append(m.live_enterprises)
    assert len(set(counts)) > 3, "firms entered and exited: the count moved"
    assert m.enterprise_stocks[1] != m.n_enterprises or m.enterprise_stocks[2] == _count(m)


def test_a_day_without_its_life_cycle_is_counted():
    """The kept count is yesterday's: read on another day (or after a firm entered) the firms are counted."""
    m = TownshipModel(Params(**SMALL_COUNTY), rng=2)
    m.step()
    day, n, live, mean = m.enterprise_stocks
    m.enterprise_stocks = (day - 5, n, live + 7, mean)  # a stale record: not used
    assert m.live_enterprises == _count(m)
    m.enterprise_stocks = (day, n, live + 7, mean)  # yesterday's record is trusted as it stands
    assert m.live_enterprises == live + 7
