"""The KPI ``department_wait_hours``: hours a case step waits in a department's queue before a person starts
it (ODD §7.3), the quantity department posts act on (the robustness analysis' known-answer reform)."""

from __future__ import annotations

import numpy as np
import pytest

from townsim.model import TownshipModel
from townsim.scenarios import VALIDATION_DIR, load_scenario


def _mmc(**kw):
    return load_scenario(VALIDATION_DIR / "mmc.toml").params.replace(warmup_days=10, **kw)


@pytest.mark.parametrize("engine", ["python", "compiled"])
def test_it_is_the_mean_wait_of_the_steps_started_in_the_counted_days(engine):
    """One department, every request online with one step: the wait of a step is its case's start minus its
    filing, so the KPI is their mean over the cases started in the counted days."""
    m = TownshipModel(_mmc(engine=engine), rng=4).run(60)
    c = m.cases
    started, created = c.view("started"), c.view("created")
    counted = ~np.isnan(started) & (started >= m.count_start)
    assert counted.sum() > 1000
    assert m.summary()["department_wait_hours"] == pytest.approx(float((started - created)[counted].mean()))


def test_more_posts_shorten_it_and_an_idle_department_has_none():
    waits = [
        TownshipModel(_mmc(department_staff=c), rng=4).run(60).summary()["department_wait_hours"] for c in (4, 5, 40)
    ]
    assert waits[0] > waits[1] > waits[2] >= 0.0
    assert waits[2] < 0.01  # 40 persons for 3.6 requests an hour: nobody waits
